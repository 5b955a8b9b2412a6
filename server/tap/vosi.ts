/**
 * The VOSI documents of the TAP service: /tables (VODataService 1.1 tableset), /capabilities
 * (TAPRegExt 1.0 TableAccess + the VOSI endpoints) and /availability. Pure XML writers.
 */
import { xmlEscape } from '../votable.js';
import { TAP_SCHEMA_KEYS, adqlName, voTypeOf, type TapMeta } from './metadata.js';

const NS_TABLES = 'http://www.ivoa.net/xml/VOSITables/v1.0';
const NS_VS = 'http://www.ivoa.net/xml/VODataService/v1.1';
const NS_XSI = 'http://www.w3.org/2001/XMLSchema-instance';

export interface ServiceLimits {
  defaultMaxrec: number;
  hardMaxrec: number;
}

function el(name: string, text: string | undefined): string {
  return text === undefined || text === '' ? '' : `<${name}>${xmlEscape(text)}</${name}>`;
}

/**
 * The tableset. `esaTapPlus` adds the `esatapplus:flags` attribute on every column that ESA's
 * TAP+ clients (astroquery.utils.tap TapPlus) require: 1 for the main RA column, 2 for the main
 * Dec column, else 0.
 */
export function tablesXml(meta: TapMeta, opts: { esaTapPlus?: boolean } = {}): string {
  const plus = opts.esaTapPlus === true;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<vosi:tableset xmlns:vosi="${NS_TABLES}" xmlns:vs="${NS_VS}" xmlns:xsi="${NS_XSI}"` +
      `${plus ? ' xmlns:esatapplus="http://esa.int/xml/EsaTapPlus"' : ''}>`,
  ];
  for (const s of meta.schemas) {
    out.push(`<schema>${el('name', s.name)}${el('description', s.description)}${el('utype', s.utype)}`);
    for (const t of meta.tables.filter((x) => x.schema === s.name)) {
      out.push(`<table type="${t.type === 'view' ? 'view' : 'base_table'}">${el('name', t.name)}${el('description', t.description)}${el('utype', t.utype)}`);
      for (const c of t.columns) {
        const vo = voTypeOf(c.type);
        const flags = [c.indexed ? 'indexed' : '', c.principal ? 'principal' : '', c.std ? 'std' : '']
          .filter((f) => f !== '')
          .map((f) => `<flag>${f}</flag>`)
          .join('');
        const flags0 = t.position?.ra === c.name ? 1 : t.position?.dec === c.name ? 2 : 0;
        out.push(
          `<column${plus ? ` esatapplus:flags="${flags0}"` : ''}>${el('name', adqlName(c.name))}${el('description', c.description)}${el('unit', c.unit)}${el('ucd', c.ucd)}${el('utype', c.utype)}` +
            `<dataType xsi:type="vs:VOTableType"${vo.arraysize === null ? '' : ` arraysize="${vo.arraysize}"`}>${vo.datatype}</dataType>${flags}</column>`,
        );
      }
      for (const [, , target, fromCol, targetCol] of TAP_SCHEMA_KEYS.filter((k) => k[1] === t.name)) {
        out.push(
          `<foreignKey>${el('targetTable', target)}<fkColumn>${el('fromColumn', fromCol)}${el('targetColumn', targetCol)}</fkColumn></foreignKey>`,
        );
      }
      out.push('</table>');
    }
    out.push('</schema>');
  }
  out.push('</vosi:tableset>', '');
  return out.join('\n');
}

const GEOMETRY_FEATURES = ['POINT', 'CIRCLE', 'POLYGON', 'BOX', 'CONTAINS', 'INTERSECTS', 'DISTANCE', 'COORD1', 'COORD2'];

/** The capabilities of the service rooted at `base` (e.g. http://host:8080/tap). */
export function capabilitiesXml(base: string, limits: ServiceLimits): string {
  const vosi = (id: string, path: string): string =>
    `<capability standardID="ivo://ivoa.net/std/VOSI#${id}">` +
    `<interface xsi:type="vs:ParamHTTP"><accessURL use="full">${xmlEscape(`${base}/${path}`)}</accessURL></interface></capability>`;
  const feature = (form: string, description?: string): string =>
    `<feature><form>${xmlEscape(form)}</form>${el('description', description)}</feature>`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<vosi:capabilities xmlns:vosi="http://www.ivoa.net/xml/VOSICapabilities/v1.0" xmlns:xsi="${NS_XSI}" ` +
      `xmlns:vr="http://www.ivoa.net/xml/VOResource/v1.0" xmlns:vs="${NS_VS}" xmlns:tr="http://www.ivoa.net/xml/TAPRegExt/v1.0">`,
    '<capability standardID="ivo://ivoa.net/std/TAP" xsi:type="tr:TableAccess">',
    `<interface xsi:type="vs:ParamHTTP" role="std" version="1.1"><accessURL use="base">${xmlEscape(base)}</accessURL></interface>`,
    '<dataModel ivo-id="ivo://ivoa.net/std/ObsCore#core-1.1">ObsCore-1.1</dataModel>',
    '<language><name>ADQL</name>',
    '<version ivo-id="ivo://ivoa.net/std/ADQL#v2.0">2.0</version>',
    '<version ivo-id="ivo://ivoa.net/std/ADQL#v2.1">2.1</version>',
    '<description>A subset of ADQL 2.1: SELECT [DISTINCT] [TOP n] … FROM … [JOIN … ON/USING] WHERE … GROUP BY … HAVING … ORDER BY … OFFSET n; geometry with ICRS only (see docs/tap.md)</description>',
    '<languageFeatures type="ivo://ivoa.net/std/TAPRegExt#features-adqlgeo">',
    ...GEOMETRY_FEATURES.map((f) => feature(f)),
    '</languageFeatures>',
    '<languageFeatures type="ivo://ivoa.net/std/TAPRegExt#features-adql-string">',
    feature('LOWER'),
    feature('UPPER'),
    feature('ILIKE'),
    '</languageFeatures>',
    '<languageFeatures type="ivo://ivoa.net/std/TAPRegExt#features-adql-offset">',
    feature('OFFSET'),
    '</languageFeatures>',
    '</language>',
    '<outputFormat ivo-id="ivo://ivoa.net/std/TAPRegExt#output-votable-td"><mime>application/x-votable+xml</mime><alias>votable</alias></outputFormat>',
    '<outputFormat ivo-id="ivo://ivoa.net/std/TAPRegExt#output-votable-binary2"><mime>application/x-votable+xml;serialization=BINARY2</mime><alias>votable/b2</alias></outputFormat>',
    '<outputFormat><mime>text/csv</mime><alias>csv</alias></outputFormat>',
    `<outputLimit><default unit="row">${limits.defaultMaxrec}</default><hard unit="row">${limits.hardMaxrec}</hard></outputLimit>`,
    '</capability>',
    vosi('capabilities', 'capabilities'),
    vosi('availability', 'availability'),
    vosi('tables', 'tables'),
    '<capability standardID="ivo://ivoa.net/std/DALI#examples">' +
      `<interface xsi:type="vr:WebBrowser"><accessURL use="full">${xmlEscape(`${base}/examples`)}</accessURL></interface></capability>`,
    '</vosi:capabilities>',
    '',
  ].join('\n');
}

export function availabilityXml(available: boolean, note: string): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<vosi:availability xmlns:vosi="http://www.ivoa.net/xml/VOSIAvailability/v1.0">',
    `<vosi:available>${available}</vosi:available>`,
    `<vosi:note>${xmlEscape(note)}</vosi:note>`,
    '</vosi:availability>',
    '',
  ].join('\n');
}

/**
 * The DALI 1.1 examples document of /tap/examples (XHTML with RDFa: one `example` per query,
 * with its name and query), so clients and people can see what this service answers. The
 * queries keep ADQL 2.0's coordinate-system argument so that ADQL 2.0 clients accept them too.
 */
import { xmlEscape } from '../votable.js';

export interface TapExample {
  id: string;
  name: string;
  description: string;
  query: string;
}

export const TAP_EXAMPLES: readonly TapExample[] = [
  {
    id: 'bright-stars-in-a-cone',
    name: 'Brightest stars in a cone',
    description: 'The ten brightest Hipparcos stars within 5° of the Orion Nebula (HEALPix-indexed cone).',
    query:
      "SELECT TOP 10 hip, ra, dec, mag\nFROM esasky.hipparcos\nWHERE 1 = CONTAINS(POINT('ICRS', ra, dec), CIRCLE('ICRS', 83.82, -5.39, 5))\nORDER BY mag",
  },
  {
    id: 'stars-in-a-polygon',
    name: 'Stars in a polygon across RA 0',
    description: 'Stars brighter than magnitude 5 in a square straddling right ascension 0.',
    query:
      "SELECT hip, ra, dec, mag\nFROM esasky.hipparcos\nWHERE 1 = CONTAINS(POINT('ICRS', ra, dec), POLYGON('ICRS', 350, -10, 10, -10, 10, 10, 350, 10))\n  AND mag < 5",
  },
  {
    id: 'observations-over-a-position',
    name: 'Observations whose footprint meets a circle',
    description: 'ObsCore rows whose s_region footprint intersects a 0.2° circle on the Trapezium.',
    query:
      "SELECT obs_id, obs_collection, instrument_name, s_ra, s_dec, s_region\nFROM ivoa.ObsCore\nWHERE 1 = INTERSECTS(s_region, CIRCLE('ICRS', 83.82, -5.39, 0.2))",
  },
  {
    id: 'distance-to-m42',
    name: 'Distances to a target',
    description: 'Messier objects within 20° of M42, nearest first, with their angular distance in degrees.',
    query:
      "SELECT name, common_name, DISTANCE(POINT('ICRS', ra, dec), POINT('ICRS', 83.82, -5.39)) AS dist\nFROM esasky.messier\nWHERE DISTANCE(POINT('ICRS', ra, dec), POINT('ICRS', 83.82, -5.39)) < 20\nORDER BY dist",
  },
  {
    id: 'objects-per-type',
    name: 'Counts per object type',
    description: 'How many Messier objects of each type, and their mean magnitude.',
    query: 'SELECT type, COUNT(*) AS n, AVG(mag) AS mean_mag\nFROM esasky.messier\nGROUP BY type\nORDER BY n DESC',
  },
  {
    id: 'published-columns',
    name: 'Columns of a table',
    description: 'The columns of ivoa.ObsCore with their units and UCDs, from TAP_SCHEMA.',
    query: "SELECT column_name, datatype, unit, ucd\nFROM TAP_SCHEMA.columns\nWHERE table_name = 'ivoa.ObsCore'\nORDER BY column_index",
  },
];

export function examplesXhtml(): string {
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE html>',
    '<html xmlns="http://www.w3.org/1999/xhtml">',
    '<head><meta http-equiv="content-type" content="application/xhtml+xml; charset=utf-8"/><title>TAP examples of the esasky-sky archive</title></head>',
    '<body vocab="http://www.ivoa.net/rdf/examples#">',
    '<h1>TAP examples of the esasky-sky archive</h1>',
  ];
  for (const e of TAP_EXAMPLES) {
    out.push(
      `<div typeof="example" id="${e.id}" resource="#${e.id}">`,
      `<h2 property="name">${xmlEscape(e.name)}</h2>`,
      `<p>${xmlEscape(e.description)}</p>`,
      `<pre class="dali-example-query" property="query">${xmlEscape(e.query)}</pre>`,
      '</div>',
    );
  }
  out.push('</body>', '</html>', '');
  return out.join('\n');
}

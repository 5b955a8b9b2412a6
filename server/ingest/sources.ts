/**
 * The data sources the ingest knows: each turns files into a CatalogueSpec + row batches, or
 * into ObsCore rows for collections.
 *
 *  - hipparcos   d3-celestial GeoJSON stars (stars.14.json: 118,216 Hipparcos/XHIP stars;
 *                stars.6.json: the 5,044 brighter than 6 mag, shipped in data/catalogs/)
 *  - messier     d3-celestial messier.json (110 objects, shipped)
 *  - tycho2      CDS I/259 (2,539,913 stars): fixed-width tyc2.dat.* described by the ReadMe,
 *                read from the files or straight out of the .tar.xz
 *  - eso-obscore an ObsCore VOTable (ESO TAP result, 1,000 rows with STC-S footprints)
 */
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createGunzip, gunzipSync } from 'node:zlib';
import type { Readable } from 'node:stream';
import { parseVoTable } from '../../src/workers/tables/index.js';
import type { Column } from '../../src/workers/tables/index.js';
import type { SqlValue } from '../storage/db.js';
import { OBSCORE_COLUMNS, type CatalogueColumn } from '../storage/schema.js';
import { fieldValue, parseReadme, type CdsField } from './cdsReadme.js';
import type { CatalogueSpec, CollectionsLoad, ObservationRow, ResumableInput } from './load.js';

export interface CatalogueSource {
  spec: CatalogueSpec;
  expectedRows?: number;
  batches: AsyncIterable<SqlValue[][]> | Iterable<SqlValue[][]>;
  /** The identity of the input files (and a faster way to skip rows), so a killed ingest resumes. */
  resume?: ResumableInput;
}

/**
 * Identity of input files for ingest checkpoints: each file's absolute path, size and
 * modification time (ms). A file replaced or edited since a killed ingest changes it.
 */
export function fileIdentity(paths: readonly string[]): string {
  return paths
    .map((p) => {
      const st = statSync(p);
      return `${resolve(p)}:${st.size}:${Math.round(st.mtimeMs)}`;
    })
    .join('\n');
}

const D3_CREDIT = 'd3-celestial data (BSD-3-Clause, Olaf Frohn); stars from Hipparcos/XHIP (CDS V/137D)';

function readMaybeGzip(path: string): Buffer {
  const bytes = readFileSync(path);
  return bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
}

function* chunks<T>(rows: T[], size = 5000): Iterable<T[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

interface GeoFeature {
  id?: unknown;
  properties?: Record<string, unknown>;
  geometry?: { type?: string; coordinates?: unknown };
}

function features(path: string): GeoFeature[] {
  const doc = JSON.parse(readMaybeGzip(path).toString('utf8')) as { features?: GeoFeature[] };
  if (!Array.isArray(doc.features)) throw new Error(`${path}: not a GeoJSON FeatureCollection`);
  return doc.features;
}

function lonLat(f: GeoFeature): [number, number] | undefined {
  const c = f.geometry?.coordinates;
  if (!Array.isArray(c) || typeof c[0] !== 'number' || typeof c[1] !== 'number') return undefined;
  return [c[0] < 0 ? c[0] + 360 : c[0], c[1]];
}

function numOrNull(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

function strOrNull(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  const s = String(v).trim();
  return s === '' ? null : s;
}

/** Hipparcos stars from a d3-celestial stars.*.json. */
export function hipparcosSource(path: string, note = ''): CatalogueSource {
  const fs = features(path);
  const rows: SqlValue[][] = [];
  for (const f of fs) {
    const pos = lonLat(f);
    if (pos === undefined) continue;
    rows.push([numOrNull(f.id), pos[0], pos[1], numOrNull(f.properties?.['mag']), numOrNull(f.properties?.['bv'])]);
  }
  const columns: CatalogueColumn[] = [
    { name: 'hip', type: 'int', ucd: 'meta.id;meta.main', description: 'Hipparcos number' },
    { name: 'ra', type: 'double', unit: 'deg', ucd: 'pos.eq.ra;meta.main', description: 'Right ascension, ICRS, J2000' },
    { name: 'dec', type: 'double', unit: 'deg', ucd: 'pos.eq.dec;meta.main', description: 'Declination, ICRS, J2000' },
    { name: 'mag', type: 'double', unit: 'mag', ucd: 'phot.mag;em.opt.V', description: 'Apparent visual magnitude' },
    { name: 'bv', type: 'double', unit: 'mag', ucd: 'phot.color;em.opt.B;em.opt.V', description: 'B-V colour index' },
  ];
  return {
    expectedRows: rows.length,
    batches: chunks(rows),
    resume: { identity: fileIdentity([path]) },
    spec: {
      name: 'hipparcos',
      title: 'Hipparcos',
      description:
        `Hipparcos/XHIP stars: position (J2000), V magnitude and B-V colour (${rows.length.toLocaleString('en-US')} stars` +
        `${note ? '; ' + note : ''}).`,
      source: path.split('/').slice(-1)[0]!,
      credit: D3_CREDIT,
      columns,
      idColumn: 'hip',
      brightColumn: 'mag',
    },
  };
}

/** The Messier objects from d3-celestial messier.json. */
export function messierSource(path: string): CatalogueSource {
  const rows: SqlValue[][] = [];
  for (const f of features(path)) {
    const pos = lonLat(f);
    if (pos === undefined) continue;
    const p = f.properties ?? {};
    rows.push([
      strOrNull(p['name'] ?? f.id),
      strOrNull(p['desig']),
      strOrNull(p['alt']),
      strOrNull(p['type']),
      pos[0],
      pos[1],
      numOrNull(p['mag']),
      strOrNull(p['dim']),
    ]);
  }
  return {
    expectedRows: rows.length,
    batches: chunks(rows),
    resume: { identity: fileIdentity([path]) },
    spec: {
      name: 'messier',
      title: 'Messier objects',
      description: "The 110 Messier objects: NGC/IC designation, common name, type, magnitude and size (SAC 8.1).",
      source: path.split('/').slice(-1)[0]!,
      credit: 'd3-celestial data (BSD-3-Clause, Olaf Frohn); positions from SAC 8.1',
      idColumn: 'name',
      brightColumn: 'mag',
      columns: [
        { name: 'name', type: 'text', ucd: 'meta.id;meta.main', description: 'Messier number' },
        { name: 'designation', type: 'text', ucd: 'meta.id', description: 'NGC/IC designation' },
        { name: 'common_name', type: 'text', ucd: 'meta.id', description: 'Common name' },
        { name: 'type', type: 'text', ucd: 'src.class', description: 'Object type (d3-celestial code: gc, oc, pn, snr, sg, …)' },
        { name: 'ra', type: 'double', unit: 'deg', ucd: 'pos.eq.ra;meta.main', description: 'Right ascension, J2000' },
        { name: 'dec', type: 'double', unit: 'deg', ucd: 'pos.eq.dec;meta.main', description: 'Declination, J2000' },
        { name: 'mag', type: 'double', unit: 'mag', ucd: 'phot.mag;em.opt.V', description: 'Visual magnitude' },
        { name: 'dim', type: 'text', unit: 'arcmin', ucd: 'phys.angSize', description: 'Size (arcmin, major x minor)' },
      ],
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Tycho-2

const TYCHO_UCDS: Record<string, string> = {
  ramdeg: 'pos.eq.ra',
  demdeg: 'pos.eq.dec',
  pmra: 'pos.pm;pos.eq.ra',
  pmde: 'pos.pm;pos.eq.dec',
  btmag: 'phot.mag;em.opt.B',
  vtmag: 'phot.mag;em.opt.V',
  e_btmag: 'stat.error;phot.mag;em.opt.B',
  e_vtmag: 'stat.error;phot.mag;em.opt.V',
  hip: 'meta.id.cross',
  radeg: 'pos.eq.ra',
  dedeg: 'pos.eq.dec',
};

const TYCHO_TOTAL = 2_539_913;

/** Lines of the tyc2.dat.* files: from the files (plain or .gz) in `dir`, or from a tar archive there. */
function tychoStreams(
  dir: string,
  recordBytes: number,
): {
  /** The data from source line `skipLines` on; `skipped` says how many lines it already left out (by seeking). */
  streams: (skipLines: number) => { skipped: number; streams: AsyncGenerator<Readable> };
  describe: string;
  /** Bytes of the plain (uncompressed) files; undefined for archives and gzip. */
  plainBytes?: number;
  /** The files read (for the checkpoint's source identity). */
  files: string[];
} {
  const names = readdirSync(dir).sort();
  const parts = names.filter((n) => /^tyc2\.dat(\.\d\d)?(\.gz)?$/.test(n));
  if (parts.length > 0) {
    const plain = parts.every((p) => !p.endsWith('.gz'));
    const sizes = parts.map((p) => statSync(join(dir, p)).size);
    // plain files of whole fixed-length records: line k starts at byte k·recordBytes, so a
    // resumed ingest seeks there instead of reading what it already has
    const seekable = plain && sizes.every((n) => n % recordBytes === 0);
    return {
      ...(plain ? { plainBytes: sizes.reduce((a, b) => a + b, 0) } : {}),
      describe: parts.length > 3 ? `${parts[0]} … ${parts[parts.length - 1]}` : parts.join(', '),
      files: parts.map((p) => join(dir, p)),
      streams: (skipLines) => {
        let skip = seekable ? skipLines : 0;
        const from: { part: string; start: number }[] = [];
        parts.forEach((p, i) => {
          const lines = sizes[i]! / recordBytes;
          if (skip >= lines) skip -= lines;
          else {
            from.push({ part: p, start: skip * recordBytes });
            skip = 0;
          }
        });
        return {
          skipped: seekable ? skipLines - skip : 0,
          streams: (async function* () {
            for (const { part, start } of from) {
              const s = createReadStream(join(dir, part), { start });
              yield part.endsWith('.gz') ? s.pipe(createGunzip()) : s;
            }
          })(),
        };
      },
    };
  }
  const archive = names.find((n) => /\.tar(\.xz|\.gz|\.bz2)?$|\.t[gx]z$/.test(n));
  if (archive === undefined) throw new Error(`${dir}: no tyc2.dat.* files and no tar archive`);
  return {
    describe: archive,
    files: [join(dir, archive)],
    streams: () => ({
      skipped: 0,
      streams: (async function* () {
        // GNU tar picks the decompressor from the archive; -O writes the members to stdout in order
        const child = spawn('tar', ['-xOf', join(dir, archive), '--wildcards', '*tyc2.dat.*'], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        const exited = new Promise<void>((resolve, reject) => {
          child.on('error', reject);
          child.on('close', (code) =>
            code === 0 ? resolve() : reject(new Error(`tar failed on ${archive} (exit ${code}): ${stderr.trim()}`)),
          );
        });
        try {
          yield child.stdout;
          await exited;
        } finally {
          if (child.exitCode === null) child.kill();
        }
      })(),
    }),
  };
}

/** Non-blank lines of the streams in batches, leaving out the first `skipLines`. */
async function* lineBatches(streams: AsyncGenerator<Readable>, skipLines = 0, size = 5000): AsyncGenerator<string[]> {
  let rest = '';
  let batch: string[] = [];
  let skip = skipLines;
  for await (const stream of streams) {
    stream.setEncoding('latin1');
    for await (const chunk of stream as AsyncIterable<string>) {
      const text = rest + chunk;
      let start = 0;
      for (;;) {
        const nl = text.indexOf('\n', start);
        if (nl < 0) break;
        const line = text.slice(start, nl);
        start = nl + 1;
        if (line.trim() === '') continue;
        if (skip > 0) {
          skip--;
          continue;
        }
        batch.push(line);
        if (batch.length >= size) {
          yield batch;
          batch = [];
        }
      }
      rest = text.slice(start);
    }
  }
  if (rest.trim() !== '' && skip === 0) batch.push(rest);
  if (batch.length) yield batch;
}

/**
 * Tycho-2 from a directory with its ReadMe and either tyc2.dat.00…19 (plain or gzip) or the
 * Debian-style tycho2_2.orig.tar.xz. Every field of the ReadMe becomes a column (its label in
 * lower case); added: `tyc` ("TYC1-TYC2-TYC3"), `ra`/`dec` (the J2000 mean position, or the
 * observed one when there is none) and `mag` (VT, or BT when VT is blank) for ordering.
 */
export function tychoSource(dir: string): CatalogueSource {
  const readmePath = join(dir, 'ReadMe');
  if (!existsSync(readmePath)) throw new Error(`${dir}: no ReadMe (the CDS description of the files)`);
  const readme = readFileSync(readmePath, 'latin1');
  const fields = parseReadme(readme, 'tyc2.dat');
  // File Summary: "tyc2.dat  206  2539913  …" (record length, records)
  const summary = /^tyc2\.dat\s+(\d+)\s+(\d+)/m.exec(readme);
  const lrecl = summary ? Number(summary[1]) : 206;
  const records = summary ? Number(summary[2]) : TYCHO_TOTAL;
  // names taken by the columns added below (the ReadMe's TYC is the Tycho-1 star flag)
  const taken = new Set(['id', 'hpx29', 'tyc', 'ra', 'dec', 'mag']);
  for (const f of fields) {
    if (f.column === 'tyc') f.column = 'tycho1_star';
    while (taken.has(f.column)) f.column += '_';
    taken.add(f.column);
  }
  const col = (label: string): CdsField => {
    const f = fields.find((x) => x.label === label);
    if (f === undefined) throw new Error(`the Tycho-2 ReadMe has no field ${label}`);
    return f;
  };
  const [tyc1, tyc2, tyc3, ramdeg, demdeg, radeg, dedeg, vt, bt] = [
    'TYC1', 'TYC2', 'TYC3', 'RAmdeg', 'DEmdeg', 'RAdeg', 'DEdeg', 'VTmag', 'BTmag',
  ].map(col) as [CdsField, CdsField, CdsField, CdsField, CdsField, CdsField, CdsField, CdsField, CdsField];
  const columns: CatalogueColumn[] = [
    { name: 'tyc', type: 'text', ucd: 'meta.id;meta.main', description: 'Tycho-2 identifier TYC1-TYC2-TYC3' },
    { name: 'ra', type: 'double', unit: 'deg', ucd: 'pos.eq.ra;meta.main', description: 'RAmdeg (mean position, ICRS, J2000), or RAdeg (observed) when blank' },
    { name: 'dec', type: 'double', unit: 'deg', ucd: 'pos.eq.dec;meta.main', description: 'DEmdeg (mean position, ICRS, J2000), or DEdeg (observed) when blank' },
    { name: 'mag', type: 'double', unit: 'mag', ucd: 'phot.mag;em.opt.V', description: 'VTmag, or BTmag when VT is blank (ordering)' },
    ...fields.map((f) => {
      const c: CatalogueColumn = { name: f.column, type: f.type, description: `${f.label}: ${f.explanation}` };
      if (f.unit !== '---') c.unit = f.unit;
      const ucd = TYCHO_UCDS[f.column];
      if (ucd !== undefined) c.ucd = ucd;
      return c;
    }),
  ];
  const { streams, describe, plainBytes, files } = tychoStreams(dir, lrecl + 1);
  async function* batches(skipLines: number): AsyncGenerator<SqlValue[][]> {
    const opened = streams(skipLines);
    for await (const lines of lineBatches(opened.streams, skipLines - opened.skipped)) {
      const out: SqlValue[][] = [];
      for (const line of lines) {
        const ra = fieldValue(line, ramdeg) ?? fieldValue(line, radeg);
        const dec = fieldValue(line, demdeg) ?? fieldValue(line, dedeg);
        const row: SqlValue[] = [
          `${fieldValue(line, tyc1)}-${fieldValue(line, tyc2)}-${fieldValue(line, tyc3)}`,
          ra,
          dec,
          fieldValue(line, vt) ?? fieldValue(line, bt),
        ];
        for (const f of fields) row.push(fieldValue(line, f));
        out.push(row);
      }
      yield out;
    }
  }
  return {
    expectedRows: plainBytes === undefined ? records : Math.round(plainBytes / (lrecl + 1)),
    batches: batches(0),
    resume: { identity: fileIdentity([readmePath, ...files]), from: (skipRows) => batches(skipRows) },
    spec: {
      name: 'tycho2',
      title: 'Tycho-2',
      description: 'The Tycho-2 Catalogue of the 2.5 million brightest stars (Hog+ 2000, CDS I/259): positions, proper motions, BT/VT photometry.',
      source: `CDS I/259 (${describe})`,
      credit: 'Hog E. et al. 2000, A&A 355, L27; CDS catalogue I/259',
      columns,
      idColumn: 'tyc',
      brightColumn: 'mag',
    },
  };
}

// ---------------------------------------------------------------------------------------------
// ObsCore VOTables

function cell(col: Column | undefined, row: number): number | string | null {
  if (col === undefined) return null;
  if (col.nulls?.[row]) return null;
  const v = (col.values as ArrayLike<unknown>)[row];
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') return v.trim() === '' ? null : v.trim();
  return null;
}

/**
 * Observations from an ObsCore VOTable (plain or gzip): one collection per obs_collection,
 * named `<prefix>` + obs_collection.
 */
export function obscoreSource(
  path: string,
  opts: { source: string; credit: string; titlePrefix: string; description: string },
): CollectionsLoad {
  const doc = parseVoTable(new Uint8Array(readMaybeGzip(path)));
  const table = doc.tables[0];
  if (table === undefined) throw new Error(`${path}: no TABLE`);
  const byName = new Map(table.columns.map((c) => [c.name.toLowerCase(), c]));
  if (!byName.has('obs_collection')) throw new Error(`${path}: no obs_collection column (not ObsCore?)`);
  const rows: ObservationRow[] = [];
  for (let i = 0; i < table.nrows; i++) {
    const r: ObservationRow = {};
    for (const c of OBSCORE_COLUMNS) {
      const v = cell(byName.get(c.name), i);
      r[c.name] = c.type === 'text' ? (v === null ? null : String(v)) : typeof v === 'number' ? v : null;
    }
    rows.push(r);
  }
  const names = [...new Set(rows.map((r) => r['obs_collection']).filter((n): n is string => typeof n === 'string'))].sort();
  return {
    source: opts.source,
    credit: opts.credit,
    rows,
    collections: names.map((n) => ({
      name: n,
      title: `${opts.titlePrefix} ${n}`,
      description: opts.description,
    })),
  };
}

export const ESO_OBSCORE = {
  source: 'eso-obscore',
  credit: 'ESO Science Archive Facility (ObsCore metadata; sample from the Aladin Lite examples)',
  titlePrefix: 'ESO',
  description: 'ESO archive science products (ObsCore 1.1) around the Orion Nebula, with STC-S footprints.',
};

/**
 * Ingest of Solar System small-body orbits from the MPC's files: a directory holding an
 * MPCORB-format file (MPCORB.DAT, mpcorb*.dat, optionally .gz) and/or CometEls.txt. All
 * orbits of the same source are replaced in ONE transaction (re-running replaces, a killed
 * ingest leaves the database as it was), with a progress bar. Lines that do not parse are
 * skipped and counted; a file where no line parses is an error naming the file and its first
 * bad line.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Database, SqlValue } from '../storage/db.js';
import { ensureSchema } from '../storage/schema.js';
import { SSO_OBJECT_COLUMNS, ensureSsoSchema, keysOf } from '../storage/sso.js';
import { parseCometLine, parseMpcorbLine, parseOrbitFile, type SmallBodyOrbit } from '../sso/mpc.js';
import { lockIngest, type LoadOptions, type LoadReport } from './load.js';
import { Progress } from './progress.js';

export interface SmallBodySource {
  /** Tag of the ingest; a later ingest of the same tag replaces these orbits. */
  source: string;
  /** The files read, for the log. */
  files: string[];
  orbits: SmallBodyOrbit[];
  /** Lines skipped: file, line number, why. */
  skipped: Array<{ file: string; line: number; message: string }>;
}

const ASTEROID_FILE = /^(mpcorb.*\.dat|.*\.dat)(\.gz)?$/i;
const COMET_FILE = /^cometels\.txt(\.gz)?$/i;

function readText(path: string): string {
  const bytes = readFileSync(path);
  return (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
}

/** Orbits from an MPC directory (or a single file); `source` tags them in the database. */
export function mpcSource(path: string, source = 'mpc'): SmallBodySource {
  if (!existsSync(path)) throw new Error(`${path}: no such file or directory`);
  const files = statSync(path).isDirectory()
    ? readdirSync(path)
        .sort()
        .filter((n) => ASTEROID_FILE.test(n) || COMET_FILE.test(n))
        .map((n) => join(path, n))
    : [path];
  if (files.length === 0) throw new Error(`${path}: no MPC orbit files (MPCORB *.dat or CometEls.txt)`);
  const out: SmallBodySource = { source, files, orbits: [], skipped: [] };
  for (const file of files) {
    const comets = COMET_FILE.test(basename(file));
    const parsed = parseOrbitFile(readText(file), comets ? parseCometLine : parseMpcorbLine);
    if (parsed.orbits.length === 0 && parsed.errors.length > 0) {
      const first = parsed.errors[0]!;
      throw new Error(
        `${file}: no line is a ${comets ? 'CometEls' : 'MPCORB'} orbit (line ${first.line}: ${first.message})`,
      );
    }
    out.orbits.push(...parsed.orbits);
    out.skipped.push(...parsed.errors.map((e) => ({ file, ...e })));
  }
  return out;
}

/** Replaces every orbit previously loaded from `src.source`. */
export async function replaceSmallBodies(db: Database, src: SmallBodySource, opts: LoadOptions = {}): Promise<LoadReport> {
  await ensureSchema(db);
  await ensureSsoSchema(db);
  const progress = new Progress(`sso:${src.source}`, src.orbits.length, opts.progress === undefined ? process.stderr : opts.progress);
  const now = new Date().toISOString();
  let rows = 0;
  await db.transaction(async (tx) => {
    await lockIngest(tx);
    // the SSO cross-match names these orbits' ids: stale once they are replaced
    await tx.run('DELETE FROM sso_xmatch WHERE sso_oid IN (SELECT id FROM sso_objects WHERE source = ?)', [src.source]);
    await tx.run('DELETE FROM sso_ids WHERE sso_oid IN (SELECT id FROM sso_objects WHERE source = ?)', [src.source]);
    await tx.run('DELETE FROM sso_names WHERE object_id IN (SELECT id FROM sso_objects WHERE source = ?)', [src.source]);
    await tx.run('DELETE FROM sso_objects WHERE source = ?', [src.source]);
    const maxId = await tx.all<{ m: number | null }>('SELECT MAX(id) AS m FROM sso_objects');
    let id = Number(maxId[0]?.m ?? 0);
    const BATCH = 2000;
    for (let i = 0; i < src.orbits.length; i += BATCH) {
      const objects: SqlValue[][] = [];
      const names: SqlValue[][] = [];
      for (const o of src.orbits.slice(i, i + BATCH)) {
        id++;
        const el = o.elements;
        objects.push([
          id, o.kind, o.label, o.designation, o.name, o.number, o.packed, el.qAu, el.e, el.inclDeg, el.nodeDeg,
          el.argPeriDeg, el.perihelionJdTt, o.epochJdTt, o.hMag, o.slope, src.source, now,
        ]);
        for (const k of keysOf(o)) names.push([k, id]);
      }
      await tx.insertMany('sso_objects', SSO_OBJECT_COLUMNS, objects);
      await tx.insertMany('sso_names', ['name_key', 'object_id'], names);
      rows += objects.length;
      progress.tick(objects.length);
      opts.onBatch?.(rows);
    }
    if (tx.dialect === 'postgres') await tx.exec('ANALYZE sso_objects; ANALYZE sso_names');
  });
  const first = src.skipped[0];
  const done = progress.finish(
    first === undefined ? '' : `${src.skipped.length} lines skipped (first: ${basename(first.file)} line ${first.line}: ${first.message})`,
  );
  return { name: `sso:${src.source}`, rows, skipped: src.skipped.length, seconds: done.seconds, rowsPerSecond: done.rowsPerSecond };
}

/**
 * `npm run ingest -- sso-xmatch`: ESASky's SSO cross-match, precomputed for the TAP layout that
 * astroquery.esasky's query_sso / get_images_sso query (routes/esaskyTap.ts). For every small body
 * of the archive (or those named), the SSO search (storage/ssoObservations.ts: path chunks →
 * HEALPix and time index → exact footprint test) over every collection's timed observations;
 * the hits go into sso_xmatch (body, observation, time and place of the crossing) and every body
 * into sso_ids (ESASky's sso.ssoid: name, id, type 'aster' or 'comet'). Both tables are replaced
 * in one transaction; the orbit and collection ingests empty the rows that name ids they replace,
 * so re-run this after them.
 */
import type { Database, SqlValue } from '../storage/db.js';
import { ensureSchema } from '../storage/schema.js';
import { ensureSsoSchema, listSmallBodies, nameKey, type StoredSmallBody } from '../storage/sso.js';
import { listCollections } from '../storage/observations.js';
import { observationsCrossed } from '../storage/ssoObservations.js';
import { PathTooLongError } from '../sso/crossing.js';
import { directionOf, msToMjd } from '../sso/ephemeris.js';
import { lockIngest, type LoadOptions, type LoadReport } from './load.js';
import { Progress } from './progress.js';

/** ESASky's sso.ssoid names of a small body: `sso_name` (what find_sso answers), `sso_id`, `sso_type`. */
export function esaskySsoIds(o: StoredSmallBody): { ssoName: string; ssoId: string; ssoType: 'aster' | 'comet' } {
  if (o.kind === 'comet') {
    // astroquery looks comets up by sso_id = the name find_sso gave: the designation
    return { ssoName: o.designation, ssoId: o.designation, ssoType: 'comet' };
  }
  return { ssoName: o.name ?? o.designation, ssoId: o.number === null ? o.designation : String(o.number), ssoType: 'aster' };
}

/** Most crossings kept per body (the SSO search's row limit). */
const MAX_HITS_PER_BODY = 100_000;

export interface XmatchOptions extends LoadOptions {
  /** Only these bodies (any of their names); default every small body. */
  bodies?: readonly string[];
}

export async function buildSsoCrossmatch(db: Database, opts: XmatchOptions = {}): Promise<LoadReport> {
  await ensureSchema(db);
  await ensureSsoSchema(db);
  let bodies = await listSmallBodies(db);
  if (opts.bodies !== undefined) {
    const keys = new Set(opts.bodies.map(nameKey));
    bodies = bodies.filter((b) => [b.label, b.designation, b.name, b.number === null ? null : String(b.number)].some((n) => n !== null && keys.has(nameKey(n))));
    if (bodies.length === 0) throw new Error(`sso-xmatch: no small body named ${opts.bodies.map((b) => JSON.stringify(b)).join(', ')} in the archive`);
  }
  const collections = await listCollections(db);
  const progress = new Progress('sso-xmatch', bodies.length, opts.progress === undefined ? process.stderr : opts.progress);
  const xmatch: SqlValue[][] = [];
  const ids: SqlValue[][] = [];
  const tooLong: string[] = [];
  for (const b of bodies) {
    const { ssoName, ssoId, ssoType } = esaskySsoIds(b);
    ids.push([b.id, ssoName, ssoId, ssoType]);
    try {
      const found = await observationsCrossed(
        db,
        collections,
        directionOf({ kind: 'small', name: b.name ?? b.label, orbit: b }),
        Number.NEGATIVE_INFINITY,
        Number.POSITIVE_INFINITY,
        MAX_HITS_PER_BODY,
      );
      for (const h of found.hits) xmatch.push([h.id, b.id, msToMjd(h.crossing.timeMs), h.crossing.raDeg, h.crossing.decDeg]);
    } catch (err) {
      if (!(err instanceof PathTooLongError)) throw err;
      tooLong.push(b.label);
    }
    progress.tick(1);
  }
  await db.transaction(async (tx) => {
    await lockIngest(tx);
    await tx.run('DELETE FROM sso_xmatch');
    await tx.run('DELETE FROM sso_ids');
    await tx.insertMany('sso_ids', ['sso_oid', 'sso_name', 'sso_id', 'sso_type'], ids);
    await tx.insertMany('sso_xmatch', ['observation_oid', 'sso_oid', 'sso_mjd', 'sso_ra', 'sso_dec'], xmatch);
    if (tx.dialect === 'postgres') await tx.exec('ANALYZE sso_xmatch; ANALYZE sso_ids');
  });
  const note = [
    `${xmatch.length} crossings`,
    tooLong.length ? `${tooLong.length} bodies moving too fast over the observations' span skipped (first: ${tooLong[0]})` : '',
  ].filter((x) => x !== '');
  const done = progress.finish(note.join(', '));
  return { name: 'sso-xmatch', rows: xmatch.length, skipped: tooLong.length, seconds: done.seconds, rowsPerSecond: done.rowsPerSecond };
}

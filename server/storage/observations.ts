/**
 * Collections of observations (ObsCore 1.1 rows with STC-S footprints): listing, footprints in
 * a cone, counts.
 *
 * Coarse selection uses hpx29 of each observation's centre: a footprint that touches the cone
 * has its centre within radius + max_extent of the cone's centre, where max_extent (computed
 * at ingest) is the farthest any footprint of the collection reaches from its own centre. The
 * refinement then tests the footprint itself (stcs.ts: point, circle, polygon, union).
 */
import type { SqlRunner } from './db.js';
import { OBSCORE_COLUMNS } from './schema.js';
import type { Range } from './spatial.js';
import { angularDistanceDeg, capRanges, discRanges29, rangeClause } from './spatial.js';
import { cellCounts, countCone, type RegionCount } from './catalogues.js';
import { intersectsCone, parseStcs, unit, type Region } from './stcs.js';

export interface CollectionInfo {
  name: string;
  title: string;
  description: string;
  source: string;
  credit: string;
  rowCount: number;
  /** Farthest reach (deg) of any footprint from its centre. */
  maxExtent: number;
  ingestedAt: string;
}

interface CollectionRow {
  name: string;
  title: string;
  description: string;
  source: string;
  credit: string;
  row_count: number;
  max_extent: number;
  ingested_at: string;
}

function toInfo(r: CollectionRow): CollectionInfo {
  return {
    name: r.name,
    title: r.title,
    description: r.description,
    source: r.source,
    credit: r.credit,
    rowCount: Number(r.row_count),
    maxExtent: Number(r.max_extent),
    ingestedAt: r.ingested_at,
  };
}

export async function listCollections(db: SqlRunner): Promise<CollectionInfo[]> {
  return (await db.all<CollectionRow>('SELECT * FROM collections ORDER BY name')).map(toInfo);
}

/**
 * Names of the collections of spectra: every observation's dataproduct_type is 'spectrum'
 * (ESASky lists them as spectra missions, apart from its maps).
 */
export async function spectraCollections(db: SqlRunner): Promise<Set<string>> {
  const rows = await db.all<{ collection: string; lo: string | null; hi: string | null }>(
    'SELECT collection, MIN(dataproduct_type) AS lo, MAX(dataproduct_type) AS hi FROM observations GROUP BY collection',
  );
  return new Set(rows.filter((r) => r.lo === 'spectrum' && r.hi === 'spectrum').map((r) => r.collection));
}

export async function getCollection(db: SqlRunner, name: string): Promise<CollectionInfo | undefined> {
  const rows = await db.all<CollectionRow>('SELECT * FROM collections WHERE name = ?', [name]);
  return rows.length ? toInfo(rows[0]!) : undefined;
}

/** The footprint of an observation: its s_region, else the s_fov circle, else its centre. */
export function footprintOf(r: {
  s_ra: number | null;
  s_dec: number | null;
  s_fov: number | null;
  s_region: string | null;
}): Region | undefined {
  const region = parseStcs(r.s_region);
  if (region !== undefined) return region;
  if (r.s_ra === null || r.s_dec === null) return undefined;
  const v = unit(r.s_ra, r.s_dec);
  if (r.s_fov !== null && r.s_fov > 0) {
    return [{ kind: 'circle', v, lon: r.s_ra, lat: r.s_dec, r: ((r.s_fov / 2) * Math.PI) / 180 }];
  }
  return [{ kind: 'point', v, lon: r.s_ra, lat: r.s_dec }];
}

interface Candidate {
  id: number;
  s_ra: number | null;
  s_dec: number | null;
  s_fov: number | null;
  s_region: string | null;
}

/** Ids (with the distance of their centre) of the observations of `coll` touching the cone. */
async function coneHits(
  db: SqlRunner,
  coll: CollectionInfo,
  ra: number,
  dec: number,
  radius: number,
): Promise<Array<{ id: number; dist: number }>> {
  const reach = Math.min(180, radius + coll.maxExtent);
  const where = rangeClause(discRanges29(ra, dec, reach));
  const cands = await db.all<Candidate>(
    `SELECT id, s_ra, s_dec, s_fov, s_region FROM observations WHERE collection = ? AND ${where.sql}`,
    [coll.name, ...where.params],
  );
  const c = unit(ra, dec);
  const r = (radius * Math.PI) / 180;
  const hits: Array<{ id: number; dist: number }> = [];
  for (const o of cands) {
    const fp = footprintOf(o);
    if (fp === undefined || !intersectsCone(fp, c, r)) continue;
    const dist = o.s_ra === null || o.s_dec === null ? 0 : angularDistanceDeg(ra, dec, o.s_ra, o.s_dec);
    hits.push({ id: Number(o.id), dist });
  }
  return hits;
}

export interface ObservationSearch {
  total: number;
  truncated: boolean;
  rows: Array<Record<string, number | string | null>>;
}

/** Observations whose footprint intersects the cone, nearest centre first, at most `limit`. */
export async function searchObservationsCone(
  db: SqlRunner,
  colls: readonly CollectionInfo[],
  ra: number,
  dec: number,
  radius: number,
  limit: number,
): Promise<ObservationSearch> {
  const hits: Array<{ id: number; dist: number }> = [];
  for (const coll of colls) hits.push(...(await coneHits(db, coll, ra, dec, radius)));
  hits.sort((a, b) => a.dist - b.dist || a.id - b.id);
  const kept = hits.slice(0, limit);
  const cols = ['collection', ...OBSCORE_COLUMNS.map((c) => c.name)];
  const byId = new Map<number, Record<string, number | string | null>>();
  for (let i = 0; i < kept.length; i += 5000) {
    const chunk = kept.slice(i, i + 5000).map((h) => h.id);
    const rows = await db.all<Record<string, number | string | null>>(
      `SELECT id, ${cols.map((c) => `"${c}"`).join(', ')} FROM observations WHERE id IN (${chunk.map(() => '?').join(', ')})`,
      chunk,
    );
    for (const r of rows) {
      const out: Record<string, number | string | null> = {};
      for (const c of cols) out[c] = r[c] ?? null;
      byId.set(Number(r['id']), out);
    }
  }
  return { total: hits.length, truncated: hits.length > kept.length, rows: kept.map((h) => byId.get(h.id)!) };
}

/** How many observations of `coll` touch the cone (see countCone for the approximate path). */
export async function countObservationsCone(
  db: SqlRunner,
  coll: CollectionInfo,
  ra: number,
  dec: number,
  radius: number,
): Promise<RegionCount> {
  return countCone(
    await cellCounts(db, `obs:${coll.name}`, coll.ingestedAt),
    ra,
    dec,
    radius,
    async () => (await coneHits(db, coll, ra, dec, radius)).length,
    async (ranges: readonly Range[]) => {
      const where = rangeClause(capRanges(ranges, 64));
      const rows = await db.all<{ n: number }>(
        `SELECT COUNT(*) AS n FROM observations WHERE collection = ? AND ${where.sql}`,
        [coll.name, ...where.params],
      );
      return Number(rows[0]?.n ?? 0);
    },
    coll.maxExtent,
  );
}

/**
 * The archive schema, written out for both dialects (docs/server.md explains it).
 *
 *  - catalogues       one row per catalogue: metadata, its columns (units, UCDs) as JSON, row count
 *  - cat_<name>_<v>   one table per catalogue (and per ingest version `v`): id, ra, dec, hpx29 and
 *                     the catalogue's own typed columns; B-tree on hpx29 (covering ra, dec and the
 *                     brightness column)
 *  - collections      one row per collection of observations
 *  - observations     ObsCore 1.1 columns of every collection, plus hpx29 of the centre
 *  - cell_counts      rows per HEALPix cell at order CELL_COUNT_ORDER, per catalogue/collection
 *                     (approximate counts of huge regions)
 *  - ingest_checkpoints one row per catalogue ingest under way (or killed): its staging table
 *                     stage_<name>_<v> (invisible: no catalogues row names it), the source rows
 *                     committed there so far and the identity of the source files
 *                     (ingest/load.ts resumes from it)
 *  - sso_xmatch       ESASky's SSO cross-match, precomputed (`npm run ingest -- sso-xmatch`):
 *                     which small body (sso_oid = sso_objects.id) crossed which observation
 *                     (observation_oid = observations.id), when and where; emptied by the
 *                     orbit and collection ingests, whose ids it names
 *  - sso_ids          the small bodies as ESASky's sso.ssoid table names them
 *
 * hpx29 is the HEALPix NESTED index at order 29 of (ra, dec) (BIGINT: 0 … 12·4^29 − 1 < 2^62).
 */
import type { Dialect, SqlRunner } from './db.js';
import { ident } from './db.js';

/** Order of the per-cell counts (49,152 cells of ~0.92°). */
export const CELL_COUNT_ORDER = 6;
/** hpx29 >> CELL_SHIFT = the order-CELL_COUNT_ORDER cell. */
export const CELL_SHIFT = 2 * (29 - CELL_COUNT_ORDER);

/** Schema version kept in `meta`; bump it when the tables change shape. */
export const SCHEMA_VERSION = 1;

/** ObsCore 1.1 columns stored for every observation (with their SQL type and unit/UCD). */
export const OBSCORE_COLUMNS: ReadonlyArray<{ name: string; type: ColumnType; unit?: string; ucd: string }> = [
  { name: 'dataproduct_type', type: 'text', ucd: 'meta.code.class' },
  { name: 'calib_level', type: 'int', ucd: 'meta.code;obs.calib' },
  { name: 'obs_collection', type: 'text', ucd: 'meta.id' },
  { name: 'obs_id', type: 'text', ucd: 'meta.id' },
  { name: 'obs_publisher_did', type: 'text', ucd: 'meta.ref.ivoid' },
  { name: 'access_url', type: 'text', ucd: 'meta.ref.url' },
  { name: 'access_format', type: 'text', ucd: 'meta.code.mime' },
  { name: 'access_estsize', type: 'long', unit: 'kbyte', ucd: 'phys.size;meta.file' },
  { name: 'target_name', type: 'text', ucd: 'meta.id;src' },
  { name: 's_ra', type: 'double', unit: 'deg', ucd: 'pos.eq.ra' },
  { name: 's_dec', type: 'double', unit: 'deg', ucd: 'pos.eq.dec' },
  { name: 's_fov', type: 'double', unit: 'deg', ucd: 'phys.angSize;instr.fov' },
  { name: 's_region', type: 'text', ucd: 'pos.outline;obs.field' },
  { name: 's_resolution', type: 'double', unit: 'arcsec', ucd: 'pos.angResolution' },
  { name: 's_xel1', type: 'long', ucd: 'meta.number' },
  { name: 's_xel2', type: 'long', ucd: 'meta.number' },
  { name: 't_min', type: 'double', unit: 'd', ucd: 'time.start;obs.exposure' },
  { name: 't_max', type: 'double', unit: 'd', ucd: 'time.end;obs.exposure' },
  { name: 't_exptime', type: 'double', unit: 's', ucd: 'time.duration;obs.exposure' },
  { name: 't_resolution', type: 'double', unit: 's', ucd: 'time.resolution' },
  { name: 't_xel', type: 'long', ucd: 'meta.number' },
  { name: 'em_min', type: 'double', unit: 'm', ucd: 'em.wl;stat.min' },
  { name: 'em_max', type: 'double', unit: 'm', ucd: 'em.wl;stat.max' },
  { name: 'em_res_power', type: 'double', ucd: 'spect.resolution' },
  { name: 'em_xel', type: 'long', ucd: 'meta.number' },
  { name: 'o_ucd', type: 'text', ucd: 'meta.ucd' },
  { name: 'pol_states', type: 'text', ucd: 'meta.code;phys.polarization' },
  { name: 'pol_xel', type: 'long', ucd: 'meta.number' },
  { name: 'facility_name', type: 'text', ucd: 'meta.id;instr.tel' },
  { name: 'instrument_name', type: 'text', ucd: 'meta.id;instr' },
  { name: 'preview', type: 'text', ucd: 'meta.ref.url;meta.preview' },
];

export type ColumnType = 'int' | 'long' | 'double' | 'text';

/** SQL type of a column type; the same names work in SQLite (by affinity) and PostgreSQL. */
export function sqlType(type: ColumnType): string {
  switch (type) {
    case 'int':
      return 'INTEGER';
    case 'long':
      return 'BIGINT';
    case 'double':
      return 'DOUBLE PRECISION';
    case 'text':
      return 'TEXT';
  }
}

const obsColumnsSql = OBSCORE_COLUMNS.map((c) => `  ${c.name} ${sqlType(c.type)},`).join('\n');

/** Tables whose DDL is the same on SQLite and PostgreSQL (ingest checkpoints, SSO cross-match). */
const PORTABLE_TABLES = `
CREATE TABLE IF NOT EXISTS ingest_checkpoints (
  name TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  source_identity TEXT,
  staging_table TEXT NOT NULL,
  rows_consumed BIGINT NOT NULL,
  rows_loaded BIGINT NOT NULL,
  rows_skipped BIGINT NOT NULL,
  run_token TEXT NOT NULL,
  started_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sso_xmatch (
  observation_oid BIGINT NOT NULL,
  sso_oid BIGINT NOT NULL,
  sso_mjd DOUBLE PRECISION NOT NULL,
  sso_ra DOUBLE PRECISION NOT NULL,
  sso_dec DOUBLE PRECISION NOT NULL
);
CREATE INDEX IF NOT EXISTS sso_xmatch_sso ON sso_xmatch (sso_oid);
CREATE INDEX IF NOT EXISTS sso_xmatch_observation ON sso_xmatch (observation_oid);
CREATE TABLE IF NOT EXISTS sso_ids (
  sso_oid BIGINT PRIMARY KEY,
  sso_name TEXT NOT NULL,
  sso_id TEXT NOT NULL,
  sso_type TEXT NOT NULL
);
`;

/** The registry tables (meta, catalogues, collections): the same DDL on both databases. */
const REGISTRY_TABLES = `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS catalogues (
  name TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  table_name TEXT NOT NULL,
  columns_json TEXT NOT NULL,
  id_column TEXT NOT NULL,
  bright_column TEXT NOT NULL,
  row_count BIGINT NOT NULL,
  max_radius DOUBLE PRECISION NOT NULL,
  source TEXT NOT NULL,
  credit TEXT NOT NULL,
  ingested_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS collections (
  name TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  source TEXT NOT NULL,
  credit TEXT NOT NULL,
  row_count BIGINT NOT NULL,
  max_extent DOUBLE PRECISION NOT NULL,
  ingested_at TEXT NOT NULL
);
`;

/** The fixed tables, SQLite. */
export const SQLITE_SCHEMA = `
${REGISTRY_TABLES}CREATE TABLE IF NOT EXISTS observations (
  id INTEGER PRIMARY KEY,
  collection TEXT NOT NULL,
${obsColumnsSql}
  hpx29 BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS observations_collection_hpx29 ON observations (collection, hpx29);
CREATE TABLE IF NOT EXISTS cell_counts (
  source TEXT NOT NULL,
  cell BIGINT NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (source, cell)
) WITHOUT ROWID;
${PORTABLE_TABLES}`;

/** The fixed tables, PostgreSQL (the same columns; ids are BIGINT, the counts table a plain heap). */
export const POSTGRES_SCHEMA = `
${REGISTRY_TABLES}CREATE TABLE IF NOT EXISTS observations (
  id BIGINT PRIMARY KEY,
  collection TEXT NOT NULL,
${obsColumnsSql}
  hpx29 BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS observations_collection_hpx29 ON observations (collection, hpx29);
CREATE TABLE IF NOT EXISTS cell_counts (
  source TEXT NOT NULL,
  cell BIGINT NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (source, cell)
);
${PORTABLE_TABLES}`;

export interface CatalogueColumn {
  name: string;
  type: ColumnType;
  unit?: string;
  ucd?: string;
  description?: string;
}

/**
 * DDL of one catalogue table: id, ra, dec, hpx29, then the catalogue's columns (which must
 * not repeat those four). Returns the CREATE TABLE and the index statements (run the index
 * after the bulk insert: building it once is faster than keeping it up to date); with
 * `idColumn`, an index on it too.
 */
export function catalogueTableSql(
  dialect: Dialect,
  table: string,
  columns: readonly CatalogueColumn[],
  brightColumn: string,
  idColumn?: string,
): { create: string; index: string } {
  const id = dialect === 'sqlite' ? 'id INTEGER PRIMARY KEY' : 'id BIGINT PRIMARY KEY';
  const cols = columns
    .filter((c) => !['id', 'ra', 'dec', 'hpx29'].includes(c.name))
    .map((c) => `${ident(c.name)} ${sqlType(c.type)}`);
  const create =
    `CREATE TABLE ${ident(table)} (${id}, ra DOUBLE PRECISION NOT NULL, "dec" DOUBLE PRECISION NOT NULL, ` +
    `hpx29 BIGINT NOT NULL${cols.length ? ', ' + cols.join(', ') : ''})`;
  // Covering B-tree: the first pass of a cone search (ranges of hpx29 -> ra, dec, brightness)
  // reads the index only.
  const b = ident(brightColumn);
  let index =
    dialect === 'sqlite'
      ? `CREATE INDEX ${ident(table + '_hpx29')} ON ${ident(table)} (hpx29, ra, "dec", ${b})`
      : `CREATE INDEX ${ident(table + '_hpx29')} ON ${ident(table)} (hpx29) INCLUDE (ra, "dec", ${b})`;
  // lookups by identifier (the name resolver: HIP 27989, TYC 4774-1066-1)
  if (idColumn !== undefined) index += `; CREATE INDEX ${ident(table + '_id')} ON ${ident(table)} (${ident(idColumn)})`;
  return { create, index };
}

/** Creates the fixed tables when missing. */
export async function ensureSchema(db: SqlRunner): Promise<void> {
  await db.exec(db.dialect === 'sqlite' ? SQLITE_SCHEMA : POSTGRES_SCHEMA);
  const rows = await db.all<{ value: string }>('SELECT value FROM meta WHERE key = ?', ['schema_version']);
  if (rows.length === 0) {
    await db.run('INSERT INTO meta (key, value) VALUES (?, ?)', ['schema_version', String(SCHEMA_VERSION)]);
  } else if (rows[0]!.value !== String(SCHEMA_VERSION)) {
    throw new Error(
      `the database has schema version ${rows[0]!.value}, this server needs ${SCHEMA_VERSION}: ` +
        'remove the SQLite file (or drop the PostgreSQL tables) and start again to rebuild it',
    );
  }
}

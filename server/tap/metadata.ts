/**
 * What TAP exposes: the whitelist of tables and columns (the catalogues, ivoa.ObsCore over the
 * observations, and TAP_SCHEMA itself), with units, UCDs, utypes, and where each one lives in
 * SQL. Identifiers in ADQL are resolved against this and nothing else reaches SQL. TAP_SCHEMA
 * tables are derived tables built from this metadata (no extra tables in the database).
 */
import type { SqlRunner, SqlValue } from '../storage/db.js';
import { ident } from '../storage/db.js';
import { listCatalogues } from '../storage/catalogues.js';
import { listCollections, spectraCollections } from '../storage/observations.js';
import { OBSCORE_COLUMNS, type ColumnType } from '../storage/schema.js';

export interface TapColumn {
  name: string;
  type: ColumnType;
  unit?: string;
  ucd?: string;
  utype?: string;
  xtype?: string;
  description?: string;
  principal: boolean;
  indexed: boolean;
  std: boolean;
  /** The column's name in the SQL source (validated by ident()). */
  sqlName: string;
}

/** A derived table: column SQL types and rows (bound as parameters). */
export interface RowsSource {
  kind: 'rows';
  rows: SqlValue[][];
}

export interface TapTable {
  schema: string;
  /** Qualified name, as in TAP_SCHEMA.tables (schema.table). */
  name: string;
  type: 'table' | 'view';
  description: string;
  utype?: string;
  columns: TapColumn[];
  source: { kind: 'table'; sqlTable: string } | RowsSource;
  /** SQL column that identifies a row (geometry pre-selection returns these). */
  rowId?: string;
  /** The position pair indexed by hpx29 (TAP column names). */
  position?: { ra: string; dec: string; hpx: string };
  /** An STC-S footprint column and how far a footprint reaches from (position) at most, deg. */
  region?: { column: string; maxExtentDeg: number };
  /** Only the rows of the SQL table whose `sqlColumn` equals `value` (one collection). */
  filter?: { sqlColumn: string; value: string };
}

export interface TapMeta {
  schemas: Array<{ name: string; description: string; utype?: string }>;
  tables: TapTable[];
}

/** ObsCore 1.1 utypes of the mandatory columns (ObsCore 1.1 §4, table 6). */
const OBSCORE_UTYPES: Record<string, string> = {
  dataproduct_type: 'obscore:ObsDataset.dataProductType',
  calib_level: 'obscore:ObsDataset.calibLevel',
  obs_collection: 'obscore:DataID.Collection',
  obs_id: 'obscore:DataID.observationID',
  obs_publisher_did: 'obscore:Curation.PublisherDID',
  access_url: 'obscore:Access.Reference',
  access_format: 'obscore:Access.Format',
  access_estsize: 'obscore:Access.Size',
  target_name: 'obscore:Target.Name',
  s_ra: 'obscore:Char.SpatialAxis.Coverage.Location.Coord.Position2D.Value2.C1',
  s_dec: 'obscore:Char.SpatialAxis.Coverage.Location.Coord.Position2D.Value2.C2',
  s_fov: 'obscore:Char.SpatialAxis.Coverage.Bounds.Extent.diameter',
  s_region: 'obscore:Char.SpatialAxis.Coverage.Support.Area',
  s_resolution: 'obscore:Char.SpatialAxis.Resolution.Refval.value',
  s_xel1: 'obscore:Char.SpatialAxis.numBins1',
  s_xel2: 'obscore:Char.SpatialAxis.numBins2',
  t_min: 'obscore:Char.TimeAxis.Coverage.Bounds.Limits.StartTime',
  t_max: 'obscore:Char.TimeAxis.Coverage.Bounds.Limits.StopTime',
  t_exptime: 'obscore:Char.TimeAxis.Coverage.Support.Extent',
  t_resolution: 'obscore:Char.TimeAxis.Resolution.Refval.value',
  t_xel: 'obscore:Char.TimeAxis.numBins',
  em_min: 'obscore:Char.SpectralAxis.Coverage.Bounds.Limits.LoLimit',
  em_max: 'obscore:Char.SpectralAxis.Coverage.Bounds.Limits.HiLimit',
  em_res_power: 'obscore:Char.SpectralAxis.Resolution.ResolPower.refVal',
  em_xel: 'obscore:Char.SpectralAxis.numBins',
  o_ucd: 'obscore:Char.ObservableAxis.ucd',
  pol_states: 'obscore:Char.PolarizationAxis.stateList',
  pol_xel: 'obscore:Char.PolarizationAxis.numBins',
  facility_name: 'obscore:Provenance.ObsConfig.Facility.name',
  instrument_name: 'obscore:Provenance.ObsConfig.Instrument.name',
  preview: 'obscore:Access.Preview',
};

const OBSCORE_DESCRIPTIONS: Record<string, string> = {
  dataproduct_type: 'Data product type (image, cube, spectrum, …)',
  calib_level: 'Calibration level (0 raw … 4 analysis products)',
  obs_collection: 'Name of the data collection',
  obs_id: 'Observation identifier',
  obs_publisher_did: 'Publisher dataset identifier',
  access_url: 'URL to download the data',
  access_format: 'Content format (MIME type) of the data',
  access_estsize: 'Estimated size of the download',
  target_name: 'Name of the observed target',
  s_ra: 'Right ascension of the centre (ICRS)',
  s_dec: 'Declination of the centre (ICRS)',
  s_fov: 'Diameter of the field covered',
  s_region: 'Footprint (STC-S)',
  s_resolution: 'Spatial resolution (FWHM)',
  s_xel1: 'Number of elements along the first spatial axis',
  s_xel2: 'Number of elements along the second spatial axis',
  t_min: 'Start time (MJD)',
  t_max: 'Stop time (MJD)',
  t_exptime: 'Total exposure time',
  t_resolution: 'Temporal resolution',
  t_xel: 'Number of elements along the time axis',
  em_min: 'Shortest wavelength covered',
  em_max: 'Longest wavelength covered',
  em_res_power: 'Spectral resolving power',
  em_xel: 'Number of elements along the spectral axis',
  o_ucd: 'UCD of the observable',
  pol_states: 'Polarization states',
  pol_xel: 'Number of polarization samples',
  facility_name: 'Name of the facility',
  instrument_name: 'Name of the instrument',
  preview: 'URL of a preview image',
};

/**
 * ADQL 2.0 reserved words (§2.1.2: SQL and ADQL words). A column with such a name is published
 * delimited ("size") in TAP_SCHEMA and /tables, as TAP 1.1 §4.3 asks.
 */
const ADQL_RESERVED = new Set(
  (
    'ABSOLUTE ACTION ADD ALL ALLOCATE ALTER AND ANY ARE AS ASC ASSERTION AT AUTHORIZATION AVG BEGIN BETWEEN BIT ' +
    'BIT_LENGTH BOTH BY CASCADE CASCADED CASE CAST CATALOG CHAR CHARACTER CHAR_LENGTH CHARACTER_LENGTH CHECK CLOSE ' +
    'COALESCE COLLATE COLLATION COLUMN COMMIT CONNECT CONNECTION CONSTRAINT CONSTRAINTS CONTINUE CONVERT CORRESPONDING ' +
    'COUNT CREATE CROSS CURRENT CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER CURSOR DATE DAY DEALLOCATE ' +
    'DECIMAL DECLARE DEFAULT DEFERRABLE DEFERRED DELETE DESC DESCRIBE DESCRIPTOR DIAGNOSTICS DISCONNECT DISTINCT ' +
    'DOMAIN DOUBLE DROP ELSE END ESCAPE EXCEPT EXCEPTION EXEC EXECUTE EXISTS EXTERNAL EXTRACT FALSE FETCH FIRST FLOAT ' +
    'FOR FOREIGN FOUND FROM FULL GET GLOBAL GO GOTO GRANT GROUP HAVING HOUR IDENTITY IMMEDIATE IN INDICATOR INITIALLY ' +
    'INNER INPUT INSENSITIVE INSERT INT INTEGER INTERSECT INTERVAL INTO IS ISOLATION JOIN KEY LANGUAGE LAST LEADING ' +
    'LEFT LEVEL LIKE LOCAL LOWER MATCH MAX MIN MINUTE MODULE MONTH NAMES NATIONAL NATURAL NCHAR NEXT NO NOT NULL ' +
    'NULLIF NUMERIC OCTET_LENGTH OF ON ONLY OPEN OPTION OR ORDER OUTER OUTPUT OVERLAPS PAD PARTIAL POSITION PRECISION ' +
    'PREPARE PRESERVE PRIMARY PRIOR PRIVILEGES PROCEDURE PUBLIC READ REAL REFERENCES RELATIVE RESTRICT REVOKE RIGHT ' +
    'ROLLBACK ROWS SCHEMA SCROLL SECOND SECTION SELECT SESSION SESSION_USER SET SIZE SMALLINT SOME SPACE SQL SQLCODE ' +
    'SQLERROR SQLSTATE SUBSTRING SUM SYSTEM_USER TABLE TEMPORARY THEN TIME TIMESTAMP TIMEZONE_HOUR TIMEZONE_MINUTE TO ' +
    'TRAILING TRANSACTION TRANSLATE TRANSLATION TRIM TRUE UNION UNIQUE UNKNOWN UPDATE UPPER USAGE USER USING VALUE ' +
    'VALUES VARCHAR VARYING VIEW WHEN WHENEVER WHERE WITH WORK WRITE YEAR ZONE ' +
    'ABS ACOS AREA ASIN ATAN ATAN2 BIGINT BOX CEILING CENTROID CIRCLE CONTAINS COORD1 COORD2 COORDSYS COS COT DEGREES ' +
    'DISTANCE EXP FLOOR INTERSECTS LOG LOG10 MOD PI POINT POLYGON POWER RADIANS REGION RAND ROUND SIN SQRT TOP TAN TRUNCATE'
  ).split(' '),
);

/** A column name as ADQL must write it: delimited when it is a reserved word. */
export function adqlName(name: string): string {
  return ADQL_RESERVED.has(name.toUpperCase()) ? `"${name}"` : name;
}

/** Foreign keys of TAP_SCHEMA itself: [key_id, from_table, target_table, from_column, target_column]. */
export const TAP_SCHEMA_KEYS: Array<[string, string, string, string, string]> = [
  ['tables_schema', 'TAP_SCHEMA.tables', 'TAP_SCHEMA.schemas', 'schema_name', 'schema_name'],
  ['columns_table', 'TAP_SCHEMA.columns', 'TAP_SCHEMA.tables', 'table_name', 'table_name'],
  ['keys_from', 'TAP_SCHEMA.keys', 'TAP_SCHEMA.tables', 'from_table', 'table_name'],
  ['keys_target', 'TAP_SCHEMA.keys', 'TAP_SCHEMA.tables', 'target_table', 'table_name'],
  ['key_columns_key', 'TAP_SCHEMA.key_columns', 'TAP_SCHEMA.keys', 'key_id', 'key_id'],
];

/** Schema of the catalogue tables. */
export const CATALOGUE_SCHEMA = 'esasky';

type Def = [name: string, type: ColumnType, description: string];

const TAP_SCHEMA_DEFS: Array<{ table: string; description: string; columns: Def[] }> = [
  {
    table: 'schemas',
    description: 'Schemas published by this service',
    columns: [
      ['schema_name', 'text', 'schema name'],
      ['utype', 'text', 'utype of the schema'],
      ['description', 'text', 'what the schema holds'],
      ['schema_index', 'int', 'recommended sort order'],
    ],
  },
  {
    table: 'tables',
    description: 'Tables published by this service',
    columns: [
      ['schema_name', 'text', 'schema the table belongs to'],
      ['table_name', 'text', 'qualified table name'],
      ['table_type', 'text', 'table or view'],
      ['utype', 'text', 'utype of the table'],
      ['description', 'text', 'what the table holds'],
      ['table_index', 'int', 'recommended sort order'],
    ],
  },
  {
    table: 'columns',
    description: 'Columns of the published tables',
    columns: [
      ['table_name', 'text', 'qualified table name'],
      ['column_name', 'text', 'column name'],
      ['utype', 'text', 'utype of the column'],
      ['ucd', 'text', 'UCD of the column'],
      ['unit', 'text', 'unit (VOUnits)'],
      ['description', 'text', 'what the column holds'],
      ['datatype', 'text', 'VOTable datatype'],
      ['arraysize', 'text', 'VOTable arraysize'],
      ['xtype', 'text', 'VOTable xtype'],
      ['size', 'int', 'length of fixed-size arrays (deprecated)'],
      ['principal', 'int', '1 for the most useful columns'],
      ['indexed', 'int', '1 for columns with an index'],
      ['std', 'int', '1 for columns defined by a standard'],
      ['column_index', 'int', 'recommended sort order'],
    ],
  },
  {
    table: 'keys',
    description: 'Foreign keys between published tables',
    columns: [
      ['key_id', 'text', 'key identifier'],
      ['from_table', 'text', 'table with the foreign key'],
      ['target_table', 'text', 'table with the primary key'],
      ['utype', 'text', 'utype of the key'],
      ['description', 'text', 'what the key is'],
    ],
  },
  {
    table: 'key_columns',
    description: 'Columns of the foreign keys',
    columns: [
      ['key_id', 'text', 'key identifier'],
      ['from_column', 'text', 'column of from_table'],
      ['target_column', 'text', 'column of target_table'],
    ],
  },
];

/** VOTable datatype and arraysize of a column type. */
export function voTypeOf(type: ColumnType): { datatype: string; arraysize: string | null } {
  switch (type) {
    case 'int':
      return { datatype: 'int', arraysize: null };
    case 'long':
      return { datatype: 'long', arraysize: null };
    case 'double':
      return { datatype: 'double', arraysize: null };
    case 'text':
      return { datatype: 'char', arraysize: '*' };
  }
}

function col(name: string, type: ColumnType, extra: Partial<TapColumn> = {}): TapColumn {
  ident(name);
  return { name, type, principal: false, indexed: false, std: false, sqlName: name, ...extra };
}

export interface TapMetaOptions {
  /**
   * Also one table per collection with the ObsCore columns, the footprint as `fov` and the
   * download link as `product_url` (the layout ESASky's TAP has; see esaskyTap.ts):
   * `spectra.<name>` for collections of spectra, `observations.<name>` for the others.
   */
  collectionTables?: boolean;
}

/** A collection name as a regular ADQL identifier (lower case, [a-z0-9_]). */
export function collectionTableName(name: string): string {
  const n = name.toLowerCase().replace(/[^a-z0-9_]+/g, '_');
  return /^[a-z]/.test(n) ? n : `c_${n}`;
}

/** The tables TAP publishes, read from the catalogue and collection registries. */
export async function loadTapMeta(db: SqlRunner, opts: TapMetaOptions = {}): Promise<TapMeta> {
  const tables: TapTable[] = [];
  for (const cat of await listCatalogues(db)) {
    const columns = cat.columns.map((c) => {
      const extra: Partial<TapColumn> = { principal: true, indexed: c.name === 'ra' || c.name === 'dec' };
      if (c.unit) extra.unit = c.unit;
      if (c.ucd) extra.ucd = c.ucd;
      if (c.description) extra.description = c.description;
      return col(c.name, c.type, extra);
    });
    const names = new Set(cat.columns.map((c) => c.name));
    tables.push({
      schema: CATALOGUE_SCHEMA,
      name: `${CATALOGUE_SCHEMA}.${cat.name}`,
      type: 'table',
      description: `${cat.title}. ${cat.description} (${cat.credit})`,
      columns,
      source: { kind: 'table', sqlTable: cat.tableName },
      rowId: 'id',
      ...(names.has('ra') && names.has('dec') ? { position: { ra: 'ra', dec: 'dec', hpx: 'hpx29' } } : {}),
    });
  }
  const collections = await listCollections(db);
  const maxExtent = collections.reduce((m, c) => Math.max(m, c.maxExtent), 0);
  tables.push({
    schema: 'ivoa',
    name: 'ivoa.ObsCore',
    type: 'view',
    utype: 'ivo://ivoa.net/std/obscore#table-1.1',
    description: `ObsCore 1.1 view of the observations of ${collections.length} collection(s): ${collections.map((c) => c.name).join(', ')}`,
    columns: OBSCORE_COLUMNS.map((c) => {
      const extra: Partial<TapColumn> = {
        ucd: c.ucd,
        std: true,
        principal: true,
        indexed: c.name === 's_ra' || c.name === 's_dec' || c.name === 's_region',
        description: OBSCORE_DESCRIPTIONS[c.name] ?? c.name,
      };
      if (c.unit) extra.unit = c.unit;
      const utype = OBSCORE_UTYPES[c.name];
      if (utype) extra.utype = utype;
      if (c.name === 's_region') extra.xtype = 'adql:REGION';
      return col(c.name, c.type, extra);
    }),
    source: { kind: 'table', sqlTable: 'observations' },
    rowId: 'id',
    position: { ra: 's_ra', dec: 's_dec', hpx: 'hpx29' },
    region: { column: 's_region', maxExtentDeg: maxExtent },
  });

  const obscore = tables[tables.length - 1]!;
  if (opts.collectionTables === true) {
    const spectra = await spectraCollections(db);
    for (const c of collections) {
      const columns = obscore.columns.map((col) => ({ ...col, std: false }));
      const { utype: _utype, ...region } = columns.find((col) => col.name === 's_region')!;
      columns.push({ ...region, name: 'fov', description: 'Footprint (STC-S), as ESASky names it' });
      const { utype: _u, ...access } = columns.find((col) => col.name === 'access_url')!;
      columns.push({ ...access, name: 'product_url', description: 'Download link of the product (access_url), as ESASky names it' });
      columns.push(col('observation_oid', 'long', { sqlName: 'id', description: 'Row id of the observation (joins sso.xmatch)' }));
      const schema = spectra.has(c.name) ? 'spectra' : 'observations';
      tables.push({
        schema,
        name: `${schema}.${collectionTableName(c.name)}`,
        type: 'view',
        description: `${c.title}: ${c.description} (${c.credit})`,
        columns,
        source: { kind: 'table', sqlTable: 'observations' },
        filter: { sqlColumn: 'collection', value: c.name },
        rowId: 'id',
        position: { ra: 's_ra', dec: 's_dec', hpx: 'hpx29' },
        region: { column: 'fov', maxExtentDeg: c.maxExtent },
      });
    }
  }

  if (opts.collectionTables === true) {
    // ESASky's SSO cross-match (ingest/ssoXmatch.ts): which body crossed which observation
    tables.push({
      schema: 'sso',
      name: 'sso.xmatch',
      type: 'table',
      description: 'Observations crossed by asteroids and comets (npm run ingest -- sso-xmatch): join observation_oid with a collection table, sso_oid with sso.ssoid',
      columns: [
        col('observation_oid', 'long', { principal: true, description: 'observation_oid of the collection tables' }),
        col('sso_oid', 'long', { principal: true, description: 'sso_oid of sso.ssoid' }),
        col('sso_mjd', 'double', { principal: true, unit: 'd', ucd: 'time.epoch', description: 'When the body was in the footprint (MJD, UTC)' }),
        col('sso_ra', 'double', { principal: true, unit: 'deg', ucd: 'pos.eq.ra', description: 'Where: geocentric astrometric RA (ICRS)' }),
        col('sso_dec', 'double', { principal: true, unit: 'deg', ucd: 'pos.eq.dec', description: 'Where: geocentric astrometric Dec (ICRS)' }),
      ],
      source: { kind: 'table', sqlTable: 'sso_xmatch' },
    });
    tables.push({
      schema: 'sso',
      name: 'sso.ssoid',
      type: 'table',
      description: 'The asteroids and comets of the archive as ESASky names them',
      columns: [
        col('sso_oid', 'long', { principal: true, description: 'Row id of the body' }),
        col('sso_name', 'text', { principal: true, ucd: 'meta.id;meta.main', description: 'Name (numbered asteroids), else designation' }),
        col('sso_id', 'text', { principal: true, ucd: 'meta.id', description: 'Number (asteroids), else designation' }),
        col('sso_type', 'text', { principal: true, ucd: 'src.class', description: "'aster' or 'comet'" }),
      ],
      source: { kind: 'table', sqlTable: 'sso_ids' },
    });
  }

  const schemas: TapMeta['schemas'] = [
    { name: 'TAP_SCHEMA', description: 'Metadata of the tables published by this TAP service' },
    { name: 'ivoa', description: 'IVOA standard data models (ObsCore 1.1)' },
    { name: CATALOGUE_SCHEMA, description: 'Source catalogues of the archive' },
  ];
  if (opts.collectionTables === true) {
    schemas.push({ name: 'observations', description: 'One table per collection of observations (maps)' });
    if (tables.some((t) => t.schema === 'spectra')) schemas.push({ name: 'spectra', description: 'One table per collection of spectra' });
    schemas.push({ name: 'sso', description: "ESASky's Solar System object cross-match" });
  }
  // TAP_SCHEMA tables: their columns first (they describe themselves too)
  const tapTables: TapTable[] = TAP_SCHEMA_DEFS.map((d) => ({
    schema: 'TAP_SCHEMA',
    name: `TAP_SCHEMA.${d.table}`,
    type: 'table',
    description: d.description,
    columns: d.columns.map(([name, type, description]) => col(name, type, { description, std: true, principal: true })),
    source: { kind: 'rows', rows: [] },
  }));
  const all = [...tapTables, ...tables];
  const rows = (t: string): SqlValue[][] => (tapTables.find((x) => x.name === `TAP_SCHEMA.${t}`)!.source as RowsSource).rows;
  schemas.forEach((s, i) => rows('schemas').push([s.name, s.utype ?? null, s.description, i]));
  all.forEach((t, i) => rows('tables').push([t.schema, t.name, t.type, t.utype ?? null, t.description, i]));
  for (const t of all) {
    t.columns.forEach((c, i) => {
      const vo = voTypeOf(c.type);
      rows('columns').push([
        t.name,
        adqlName(c.name),
        c.utype ?? null,
        c.ucd ?? null,
        c.unit ?? null,
        c.description ?? null,
        vo.datatype,
        vo.arraysize,
        c.xtype ?? null,
        null,
        c.principal ? 1 : 0,
        c.indexed ? 1 : 0,
        c.std ? 1 : 0,
        i,
      ]);
    });
  }
  for (const [id, from, target, fromCol, targetCol] of TAP_SCHEMA_KEYS) {
    rows('keys').push([id, from, target, null, `${from}.${fromCol} refers to ${target}.${targetCol}`]);
    rows('key_columns').push([id, fromCol, targetCol]);
  }
  return { schemas, tables: all };
}

/**
 * SQL of a table's source: the real table, or a derived table whose every value is a bound
 * parameter (`bind` returns the placeholder of a value).
 */
export function sourceSql(t: TapTable, bind: (v: SqlValue) => string): string {
  if (t.source.kind === 'table') {
    if (t.filter === undefined) return ident(t.source.sqlTable);
    return `(SELECT * FROM ${ident(t.source.sqlTable)} WHERE ${ident(t.filter.sqlColumn)} = CAST(${bind(t.filter.value)} AS TEXT))`;
  }
  const cast = (c: TapColumn): string => (c.type === 'text' ? 'TEXT' : c.type === 'int' ? 'INTEGER' : c.type === 'long' ? 'BIGINT' : 'DOUBLE PRECISION');
  const rows = t.source.rows;
  if (rows.length === 0) {
    return `(SELECT ${t.columns.map((c) => `CAST(NULL AS ${cast(c)}) AS ${ident(c.sqlName)}`).join(', ')} WHERE 1 = 0)`;
  }
  const selects = rows.map(
    (r) => `SELECT ${t.columns.map((c, i) => `CAST(${bind(r[i] ?? null)} AS ${cast(c)}) AS ${ident(c.sqlName)}`).join(', ')}`,
  );
  return `(${selects.join(' UNION ALL ')})`;
}

/**
 * ADQL syntax tree -> one parameterised SELECT for SQLite or PostgreSQL, plus the geometry
 * pre-selections the executor must run first. Identifiers are resolved against the TAP
 * metadata (metadata.ts) and written as validated, double-quoted SQL names; every literal is a
 * bound parameter (markers in the text while building, `?` in text order at the end). Pure (no
 * database access).
 *
 * Geometry: CONTAINS / INTERSECTS whose shape is constant become `rowid IN (<ids>)` where the
 * ids are a parameter filled by the executor (coarse HEALPix ranges, then the exact test in
 * geometry.ts); CONTAINS(POINT, CIRCLE) with column arguments and DISTANCE become haversine SQL.
 */
import type { Dialect, SqlValue } from '../storage/db.js';
import { DEADLINE_FUNCTION, ident } from '../storage/db.js';
import { ROUND_FUNCTION, TRUNC_FUNCTION } from '../storage/sqlFunctions.js';
import type { ColumnType } from '../storage/schema.js';
import type { Cond, Expr, Pos, Select, TableRef } from './ast.js';
import { AdqlError } from './lexer.js';
import { makeBox, makeCircle, makePoint, makePolygon, type ConstShape } from './geometry.js';
import { sourceSql, type TapColumn, type TapMeta, type TapTable } from './metadata.js';

export type ValueType = ColumnType | 'null';

/** A geometry pre-selection: the ids of `table`'s rows for which the predicate is 1. */
export interface GeomJob {
  table: TapTable;
  /** 'point': CONTAINS(POINT(ra, dec), shape); 'region': INTERSECTS(region column, shape). */
  subject: { kind: 'point'; ra: TapColumn; dec: TapColumn } | { kind: 'region'; column: TapColumn };
  shape: ConstShape;
}

/** A parameter the executor fills: the id list of GeomJob `job`, in the dialect's form. */
export interface IdsParam {
  job: number;
}

/** A parameter the executor fills: the statement's deadline (epoch ms, SQLite). */
export interface DeadlineParam {
  deadline: true;
}

export type Param = SqlValue | IdsParam | DeadlineParam;

export interface OutputField {
  name: string;
  type: ValueType;
  unit?: string;
  ucd?: string;
  utype?: string;
  xtype?: string;
  description?: string;
}

export interface Translation {
  /** The SELECT without LIMIT / OFFSET. */
  sql: string;
  params: Param[];
  jobs: GeomJob[];
  fields: OutputField[];
  top: number | null;
  offset: number | null;
}

interface ScopeEntry {
  table: TapTable;
  /** The name the query uses for it: its alias, else its unqualified name. */
  alias: string | null;
  sqlAlias: string;
}

interface Typed {
  sql: string;
  type: ValueType;
  /** Metadata of a plain column reference (copied to the output field). */
  column?: TapColumn;
  /** Unit / UCD of a computed value (DISTANCE). */
  info?: { unit: string; ucd: string };
}

const lower = (s: string): string => s.toLowerCase();

function at(pos: Pos | undefined): [number | undefined, number | undefined] {
  return pos === undefined ? [undefined, undefined] : [pos.line, pos.column];
}

function err(message: string, pos?: Pos): AdqlError {
  return new AdqlError(message, ...at(pos));
}

const GEOMETRY_VALUES = new Set(['POINT', 'CIRCLE', 'POLYGON', 'BOX']);

/** Numeric functions: [min args, max args]. */
const MATH_1 = new Set(['SQRT', 'EXP', 'LOG', 'LOG10', 'SIN', 'COS', 'TAN', 'ASIN', 'ACOS', 'ATAN', 'COT', 'DEGREES', 'RADIANS', 'CEILING', 'FLOOR']);

class Translator {
  /** Bound values, referenced from the SQL text by markers (a fragment may be used twice). */
  private readonly values: Param[] = [];
  readonly jobs: GeomJob[] = [];
  private scope: ScopeEntry[] = [];
  private outputAliases = new Map<string, string>();
  /** Select items by the shape of their expression (positions left out): GROUP BY / ORDER BY reuse them. */
  private outputShapes = new Map<string, string>();

  constructor(
    private readonly dialect: Dialect,
    private readonly meta: TapMeta,
  ) {}

  // names ----------------------------------------------------------------------------------------

  private findTable(ref: TableRef): TapTable {
    const want = ref.parts.map(lower);
    const matches = this.meta.tables.filter((t) => {
      const [schema, name] = [lower(t.schema), lower(t.name.slice(t.schema.length + 1))];
      return want.length === 2 ? want[0] === schema && want[1] === name : want[0] === name;
    });
    if (matches.length === 1) return matches[0]!;
    const written = ref.parts.join('.');
    if (matches.length > 1) {
      throw err(`table name ${written} is ambiguous: write one of ${matches.map((t) => t.name).join(', ')}`, ref.pos);
    }
    throw err(`unknown table ${written} (see /tap/tables for the tables of this service)`, ref.pos);
  }

  private addTable(ref: TableRef): ScopeEntry {
    const table = this.findTable(ref);
    const entry: ScopeEntry = { table, alias: ref.alias, sqlAlias: `t${this.scope.length}` };
    const name = lower(ref.alias ?? table.name.slice(table.schema.length + 1));
    if (this.scope.some((s) => lower(s.alias ?? s.table.name.slice(s.table.schema.length + 1)) === name)) {
      throw err(`table name or alias ${ref.alias ?? ref.parts.join('.')} is used twice in FROM: give one an alias`, ref.pos);
    }
    this.scope.push(entry);
    return entry;
  }

  private entriesNamed(parts: string[], pos: Pos): ScopeEntry[] {
    const want = parts.map(lower);
    const found = this.scope.filter((s) => {
      if (want.length === 2) return lower(s.table.name) === want.join('.');
      if (s.alias !== null) return lower(s.alias) === want[0];
      return lower(s.table.name.slice(s.table.schema.length + 1)) === want[0];
    });
    if (found.length === 0) throw err(`unknown table or alias ${parts.join('.')} (not in FROM)`, pos);
    return found;
  }

  private column(parts: string[], pos: Pos): { entry: ScopeEntry; column: TapColumn } {
    const name = lower(parts[parts.length - 1]!);
    const candidates = parts.length === 1 ? this.scope : this.entriesNamed(parts.slice(0, -1), pos);
    const hits: Array<{ entry: ScopeEntry; column: TapColumn }> = [];
    for (const entry of candidates) {
      const column = entry.table.columns.find((c) => lower(c.name) === name);
      if (column !== undefined) hits.push({ entry, column });
    }
    if (hits.length === 0) {
      const where = parts.length === 1 ? this.scope.map((s) => s.table.name).join(', ') : parts.slice(0, -1).join('.');
      throw err(`unknown column ${parts.join('.')} (not a column of ${where})`, pos);
    }
    if (hits.length > 1 && !this.usingColumns.has(name)) {
      throw err(`column name ${parts.join('.')} is ambiguous: qualify it with one of ${hits.map((h) => h.entry.alias ?? h.entry.table.name).join(', ')}`, pos);
    }
    return hits[0]!;
  }

  private usingColumns = new Set<string>();

  private colSql(entry: ScopeEntry, column: TapColumn): string {
    return `${ident(entry.sqlAlias)}.${ident(column.sqlName)}`;
  }

  // literals ---------------------------------------------------------------------------------------

  /** A marker for a bound value; finish() turns markers into `?` and parameters in text order. */
  private readonly mark = (v: Param): string => {
    this.values.push(v);
    return `\uE000${this.values.length - 1}\uE000`;
  };

  private finish(sql: string): { sql: string; params: Param[] } {
    const params: Param[] = [];
    const out = sql.replace(/\uE000(\d+)\uE000/g, (_m, i: string) => {
      params.push(this.values[Number(i)]!);
      return '?';
    });
    return { sql: out, params };
  }

  private bind(v: SqlValue, type: ColumnType): string {
    const m = this.mark(v);
    const t = type === 'int' || type === 'long' ? 'BIGINT' : type === 'double' ? 'DOUBLE PRECISION' : 'TEXT';
    return `CAST(${m} AS ${t})`;
  }

  // expressions ------------------------------------------------------------------------------------

  expr(e: Expr, aggOk: boolean): Typed {
    switch (e.k) {
      case 'num':
        return { sql: this.bind(e.value, e.isInt ? 'long' : 'double'), type: e.isInt ? 'long' : 'double' };
      case 'str':
        return { sql: this.bind(e.value, 'text'), type: 'text' };
      case 'null':
        return { sql: 'NULL', type: 'null' };
      case 'col': {
        const { entry, column } = this.column(e.parts, e.pos);
        return { sql: this.colSql(entry, column), type: column.type, column };
      }
      case 'neg': {
        const a = this.numeric(e.e, aggOk, 'unary minus');
        return { sql: `(-${a.sql})`, type: a.type };
      }
      case 'bin': {
        if (e.op === '||') {
          const l = this.expr(e.l, aggOk);
          const r = this.expr(e.r, aggOk);
          const cast = (x: Typed): string => (x.type === 'text' ? x.sql : `CAST(${x.sql} AS TEXT)`);
          return { sql: `(${cast(l)} || ${cast(r)})`, type: 'text' };
        }
        const l = this.numeric(e.l, aggOk, `operator ${e.op}`);
        const r = this.numeric(e.r, aggOk, `operator ${e.op}`);
        const type: ValueType = l.type === 'double' || r.type === 'double' ? 'double' : l.type === 'null' || r.type === 'null' ? 'null' : 'long';
        return { sql: `(${l.sql} ${e.op} ${r.sql})`, type };
      }
      case 'agg':
        return this.aggregate(e, aggOk);
      case 'case': {
        const parts: string[] = ['CASE'];
        let type: ValueType = 'null';
        const merge = (t: ValueType): void => {
          if (t === 'null') return;
          if (type === 'null') type = t;
          else if (type !== t) type = type === 'text' || t === 'text' ? 'text' : type === 'double' || t === 'double' ? 'double' : 'long';
        };
        for (const w of e.whens) {
          const c = this.cond(w.when, aggOk);
          const v = this.expr(w.then, aggOk);
          merge(v.type);
          parts.push(`WHEN ${c} THEN ${v.sql}`);
        }
        if (e.else !== null) {
          const v = this.expr(e.else, aggOk);
          merge(v.type);
          parts.push(`ELSE ${v.sql}`);
        }
        parts.push('END');
        return { sql: `(${parts.join(' ')})`, type };
      }
      case 'func':
        return this.func(e, aggOk);
    }
  }

  private numeric(e: Expr, aggOk: boolean, what: string): Typed {
    const t = this.expr(e, aggOk);
    if (t.type === 'text') throw err(`${what} needs numbers, not text`, 'pos' in e ? e.pos : undefined);
    return t;
  }

  private aggregate(e: Extract<Expr, { k: 'agg' }>, aggOk: boolean): Typed {
    if (!aggOk) throw err(`${e.name} cannot be used here (aggregates belong in SELECT, HAVING or ORDER BY)`, e.pos);
    if (e.arg === null) return { sql: 'COUNT(*)', type: 'long' };
    const a = this.expr(e.arg, false);
    const d = e.distinct ? 'DISTINCT ' : '';
    switch (e.name) {
      case 'COUNT':
        return { sql: `COUNT(${d}${a.sql})`, type: 'long' };
      case 'AVG':
        if (a.type === 'text') throw err('AVG needs a numeric argument', e.pos);
        return { sql: `AVG(${d}${a.type === 'double' ? a.sql : `CAST(${a.sql} AS DOUBLE PRECISION)`})`, type: 'double' };
      case 'SUM':
        if (a.type === 'text') throw err('SUM needs a numeric argument', e.pos);
        return { sql: `SUM(${d}${a.sql})`, type: a.type === 'double' ? 'double' : 'long' };
      default: {
        const r: Typed = { sql: `${e.name}(${d}${a.sql})`, type: a.type };
        if (a.column !== undefined) r.column = a.column;
        return r;
      }
    }
  }

  private args(e: Extract<Expr, { k: 'func' }>, min: number, max = min): void {
    if (e.args.length < min || e.args.length > max) {
      const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
      throw err(`${e.name} takes ${want} argument(s), got ${e.args.length}`, e.pos);
    }
  }

  private dbl(x: Typed): string {
    return this.dialect === 'postgres' && x.type !== 'double' ? `CAST(${x.sql} AS DOUBLE PRECISION)` : x.sql;
  }

  private func(e: Extract<Expr, { k: 'func' }>, aggOk: boolean): Typed {
    const name = e.name;
    const num = (i: number): Typed => this.numeric(e.args[i]!, aggOk, name);
    const pg = this.dialect === 'postgres';
    if (MATH_1.has(name)) {
      this.args(e, 1);
      const a = this.dbl(num(0));
      const sql =
        name === 'LOG' ? `LN(${a})` : name === 'COT' ? `(1.0 / TAN(${a}))` : `${name}(${a})`;
      return { sql, type: 'double' };
    }
    switch (name) {
      case 'ABS': {
        this.args(e, 1);
        const a = num(0);
        return { sql: `ABS(${a.sql})`, type: a.type };
      }
      case 'ATAN2':
      case 'POWER': {
        this.args(e, 2);
        return { sql: `${name}(${this.dbl(num(0))}, ${this.dbl(num(1))})`, type: 'double' };
      }
      case 'PI':
        this.args(e, 0);
        return { sql: 'PI()', type: 'double' };
      case 'MOD': {
        this.args(e, 2);
        const a = num(0);
        const b = num(1);
        if ((a.type === 'long' || a.type === 'int') && (b.type === 'long' || b.type === 'int')) return { sql: `(${a.sql} % ${b.sql})`, type: 'long' };
        return pg
          ? { sql: `CAST(MOD(CAST(${a.sql} AS NUMERIC), CAST(${b.sql} AS NUMERIC)) AS DOUBLE PRECISION)`, type: 'double' }
          : { sql: `MOD(${a.sql}, ${b.sql})`, type: 'double' };
      }
      case 'ROUND':
      case 'TRUNCATE': {
        this.args(e, 1, 2);
        const a = num(0);
        const n = e.args.length === 2 ? num(1) : null;
        if (n !== null && n.type !== 'long' && n.type !== 'int') throw err(`${name}: the number of decimals must be an integer`, e.pos);
        const fn = name === 'ROUND' ? 'ROUND' : 'TRUNC';
        if (pg) {
          const digits = n === null ? '' : `, CAST(${n.sql} AS INTEGER)`;
          return { sql: `CAST(${fn}(CAST(${a.sql} AS NUMERIC)${digits}) AS DOUBLE PRECISION)`, type: 'double' };
        }
        // SQLite: decimal rounding registered by storage/db.ts (the same answers as NUMERIC above)
        const f = name === 'ROUND' ? ROUND_FUNCTION : TRUNC_FUNCTION;
        return { sql: `${f}(${a.sql}, ${n === null ? '0' : n.sql})`, type: 'double' };
      }
      case 'LOWER':
      case 'UPPER': {
        this.args(e, 1);
        const a = this.expr(e.args[0]!, aggOk);
        if (a.type !== 'text' && a.type !== 'null') throw err(`${name} needs a text argument`, e.pos);
        return { sql: `${name}(${a.sql})`, type: 'text' };
      }
      case 'DISTANCE':
        return { sql: this.distance(e, aggOk), type: 'double', info: { unit: 'deg', ucd: 'pos.angDistance' } };
      case 'COORD1':
      case 'COORD2': {
        this.args(e, 1);
        const p = e.args[0]!;
        if (p.k !== 'func' || p.name !== 'POINT') throw err(`${name} needs a POINT argument`, e.pos);
        const [ra, dec] = this.pointArgs(p);
        return this.numeric(name === 'COORD1' ? ra : dec, aggOk, name);
      }
      case 'CONTAINS':
      case 'INTERSECTS':
        return { sql: `(CASE WHEN ${this.geometryCond(e, aggOk, false)} THEN 1 ELSE 0 END)`, type: 'int' };
      case 'POINT':
      case 'CIRCLE':
      case 'POLYGON':
      case 'BOX':
        throw err(`${name} can only be used inside CONTAINS, INTERSECTS, DISTANCE, COORD1 or COORD2`, e.pos);
      case 'AREA':
      case 'CENTROID':
      case 'REGION':
      case 'COORDSYS':
        throw err(`${name} is not supported by this service`, e.pos);
      default:
        throw err(`unknown function ${name}`, e.pos);
    }
  }

  // geometry ---------------------------------------------------------------------------------------

  /** Strips the optional (deprecated) coordinate-system string of POINT/CIRCLE/POLYGON/BOX. */
  private shapeArgs(e: Extract<Expr, { k: 'func' }>): Expr[] {
    const a = e.args;
    if (a.length > 0 && a[0]!.k === 'str') {
      const frame = a[0].value.trim().split(/\s+/)[0]!.toUpperCase();
      if (!['', 'ICRS', 'J2000', 'FK5', 'UNKNOWNFRAME'].includes(frame)) {
        throw err(`${e.name}: coordinate system '${a[0].value}' is not supported (only ICRS)`, e.pos);
      }
      return a.slice(1);
    }
    return a;
  }

  private pointArgs(e: Extract<Expr, { k: 'func' }>): [Expr, Expr] {
    const a = this.shapeArgs(e);
    if (a.length !== 2) throw err(`POINT takes a longitude and a latitude, got ${a.length} argument(s)`, e.pos);
    return [a[0]!, a[1]!];
  }

  /** Value of a constant numeric expression, or undefined when it reads columns. */
  private constant(e: Expr): number | undefined {
    switch (e.k) {
      case 'num':
        return e.value;
      case 'neg': {
        const v = this.constant(e.e);
        return v === undefined ? undefined : -v;
      }
      case 'bin': {
        if (e.op === '||') return undefined;
        const l = this.constant(e.l);
        const r = this.constant(e.r);
        if (l === undefined || r === undefined) return undefined;
        const v = e.op === '+' ? l + r : e.op === '-' ? l - r : e.op === '*' ? l * r : l / r;
        return Number.isFinite(v) ? v : undefined;
      }
      case 'func':
        return e.name === 'PI' && e.args.length === 0 ? Math.PI : undefined;
      default:
        return undefined;
    }
  }

  /** A constant shape, or undefined when some argument reads columns. */
  private constShape(e: Expr): ConstShape | undefined {
    if (e.k !== 'func' || !GEOMETRY_VALUES.has(e.name)) return undefined;
    if (e.name === 'POLYGON') {
      const a = this.shapeArgs(e);
      let coords: Array<number | undefined>;
      if (a.length > 0 && a.every((x) => x.k === 'func' && x.name === 'POINT')) {
        coords = a.flatMap((p) => this.pointArgs(p as Extract<Expr, { k: 'func' }>).map((x) => this.constant(x)));
      } else coords = a.map((x) => this.constant(x));
      if (coords.some((c) => c === undefined)) return undefined;
      if (coords.length < 6 || coords.length % 2 !== 0) {
        throw err(`POLYGON needs at least 3 vertices as longitude, latitude pairs, got ${coords.length} number(s)`, e.pos);
      }
      const verts: Array<[number, number]> = [];
      for (let i = 0; i < coords.length; i += 2) verts.push([coords[i]!, coords[i + 1]!]);
      return this.at(e.pos, () => makePolygon(verts));
    }
    if (e.name === 'CIRCLE') {
      const a = this.shapeArgs(e);
      let nums: Array<number | undefined>;
      if (a.length === 2 && a[0]!.k === 'func' && a[0].name === 'POINT') {
        nums = [...this.pointArgs(a[0]).map((x) => this.constant(x)), this.constant(a[1]!)];
      } else if (a.length === 3) nums = a.map((x) => this.constant(x));
      else throw err(`CIRCLE takes a centre and a radius, got ${a.length} argument(s)`, e.pos);
      if (nums.some((c) => c === undefined)) return undefined;
      return this.at(e.pos, () => makeCircle(nums[0]!, nums[1]!, nums[2]!));
    }
    if (e.name === 'BOX') {
      const a = this.shapeArgs(e);
      if (a.length !== 4) throw err(`BOX takes a centre, a width and a height, got ${a.length} argument(s)`, e.pos);
      const nums = a.map((x) => this.constant(x));
      if (nums.some((c) => c === undefined)) return undefined;
      return this.at(e.pos, () => makeBox(nums[0]!, nums[1]!, nums[2]!, nums[3]!));
    }
    const [ra, dec] = this.pointArgs(e).map((x) => this.constant(x));
    if (ra === undefined || dec === undefined) return undefined;
    return this.at(e.pos, () => makePoint(ra, dec));
  }

  /** Adds the position to AdqlErrors thrown by `fn`. */
  private at<T>(pos: Pos, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof AdqlError && e.line === undefined) throw err(e.message, pos);
      throw e;
    }
  }

  /** A column pair POINT(ra, dec) of one table with row ids, or undefined. */
  private columnPoint(e: Expr): { entry: ScopeEntry; ra: TapColumn; dec: TapColumn } | undefined {
    if (e.k !== 'func' || e.name !== 'POINT') return undefined;
    const [a, b] = this.pointArgs(e);
    if (a.k !== 'col' || b.k !== 'col') return undefined;
    const ra = this.column(a.parts, a.pos);
    const dec = this.column(b.parts, b.pos);
    if (ra.entry !== dec.entry || ra.entry.table.rowId === undefined) return undefined;
    return { entry: ra.entry, ra: ra.column, dec: dec.column };
  }

  private regionColumn(e: Expr): { entry: ScopeEntry; column: TapColumn } | undefined {
    if (e.k !== 'col') return undefined;
    const r = this.column(e.parts, e.pos);
    // the footprint column, or another name of it (ESASky's fov is s_region)
    const region = r.entry.table.region;
    const declared = region === undefined ? undefined : r.entry.table.columns.find((c) => c.name === region.column);
    if (declared === undefined || r.column.sqlName !== declared.sqlName) return undefined;
    return r;
  }

  /** SQL condition that is true where CONTAINS / INTERSECTS is 1. */
  private geometryCond(e: Extract<Expr, { k: 'func' }>, aggOk: boolean, negate: boolean): string {
    this.args(e, 2);
    const [a, b] = e.args as [Expr, Expr];
    const job = (entry: ScopeEntry, subject: GeomJob['subject'], shape: ConstShape): string => {
      this.jobs.push({ table: entry.table, subject, shape });
      const m = this.mark({ job: this.jobs.length - 1 });
      const id = `${ident(entry.sqlAlias)}.${ident(entry.table.rowId!)}`;
      const set = this.dialect === 'postgres' ? `${id} = ANY(CAST(${m} AS BIGINT[]))` : `${id} IN (SELECT value FROM json_each(${m}))`;
      return negate ? `NOT (${set})` : set;
    };
    const intersects = e.name === 'INTERSECTS';
    // the region column against a constant shape (either order for INTERSECTS)
    for (const [x, y] of intersects ? [[a, b], [b, a]] : [[a, b]]) {
      const region = this.regionColumn(x!);
      if (region !== undefined) {
        const shape = this.constShape(y!);
        if (shape === undefined) throw err(`${e.name} with ${region.column.name} needs a constant shape as its other argument`, e.pos);
        return job(region.entry, { kind: 'region', column: region.column }, shape);
      }
    }
    if (!intersects && this.regionColumn(b) !== undefined) {
      // CONTAINS(POINT(constants), s_region): the footprints holding that point
      const region = this.regionColumn(b)!;
      const shape = this.constShape(a);
      if (shape !== undefined && shape.kind === 'point') return job(region.entry, { kind: 'region', column: region.column }, shape);
      throw err(`CONTAINS(shape, ${this.regionColumn(b)!.column.name}) (a shape inside the footprint) with a shape other than a constant POINT is not supported: use INTERSECTS`, e.pos);
    }
    // a position of a table against a constant shape
    for (const [x, y] of intersects ? [[a, b], [b, a]] : [[a, b]]) {
      const point = this.columnPoint(x!);
      if (point !== undefined) {
        const shape = this.constShape(y!);
        if (shape !== undefined) {
          if (shape.kind === 'point') throw err(`${e.name} needs a CIRCLE, POLYGON or BOX, not two POINTs`, e.pos);
          return job(point.entry, { kind: 'point', ra: point.ra, dec: point.dec }, shape);
        }
      }
    }
    // the general case this service evaluates in SQL: a point in a circle, any arguments
    const p = intersects && b.k === 'func' && b.name === 'POINT' ? b : a;
    const c = p === a ? b : a;
    if (p.k === 'func' && p.name === 'POINT' && c.k === 'func' && c.name === 'CIRCLE') {
      const ca = this.shapeArgs(c);
      let centre: [Expr, Expr];
      let radius: Expr;
      if (ca.length === 2 && ca[0]!.k === 'func' && ca[0].name === 'POINT') {
        centre = this.pointArgs(ca[0]);
        radius = ca[1]!;
      } else if (ca.length === 3) {
        centre = [ca[0]!, ca[1]!];
        radius = ca[2]!;
      } else throw err(`CIRCLE takes a centre and a radius, got ${ca.length} argument(s)`, c.pos);
      const [pr, pd] = this.pointArgs(p);
      const d = this.haversine(
        this.numeric(pr, aggOk, 'POINT'),
        this.numeric(pd, aggOk, 'POINT'),
        this.numeric(centre[0], aggOk, 'CIRCLE'),
        this.numeric(centre[1], aggOk, 'CIRCLE'),
      );
      const r = this.numeric(radius, aggOk, 'CIRCLE');
      return negate ? `NOT (${d} <= ${r.sql})` : `(${d} <= ${r.sql})`;
    }
    throw err(
      `${e.name}: this service evaluates POINT(columns) or ${'s_region'} against a constant CIRCLE / POLYGON / BOX, ` +
        'and POINT in CIRCLE with any arguments',
      e.pos,
    );
  }

  /** Angular distance in degrees (haversine, accurate at small separations). */
  private haversine(ra1: Typed, dec1: Typed, ra2: Typed, dec2: Typed): string {
    const [a1, d1, a2, d2] = [ra1, dec1, ra2, dec2].map((x) => this.dbl(x));
    const min = this.dialect === 'postgres' ? 'LEAST' : 'MIN';
    const h =
      `POWER(SIN(RADIANS(${d2} - ${d1}) / 2), 2) + ` +
      `COS(RADIANS(${d1})) * COS(RADIANS(${d2})) * POWER(SIN(RADIANS(${a2} - ${a1}) / 2), 2)`;
    return `DEGREES(2 * ASIN(${min}(1.0, SQRT(${h}))))`;
  }

  private distance(e: Extract<Expr, { k: 'func' }>, aggOk: boolean): string {
    let args: Expr[];
    if (e.args.length === 2) {
      const [p, q] = e.args as [Expr, Expr];
      if (p.k !== 'func' || p.name !== 'POINT' || q.k !== 'func' || q.name !== 'POINT') {
        throw err('DISTANCE takes two POINTs (or four numbers)', e.pos);
      }
      args = [...this.pointArgs(p), ...this.pointArgs(q)];
    } else if (e.args.length === 4) args = e.args;
    else throw err(`DISTANCE takes two POINTs or four numbers, got ${e.args.length} argument(s)`, e.pos);
    const [a, b, c, d] = args.map((x) => this.numeric(x, aggOk, 'DISTANCE')) as [Typed, Typed, Typed, Typed];
    return this.haversine(a, b, c, d);
  }

  // conditions -------------------------------------------------------------------------------------

  cond(c: Cond, aggOk: boolean): string {
    switch (c.k) {
      case 'and':
        return `(${this.cond(c.l, aggOk)} AND ${this.cond(c.r, aggOk)})`;
      case 'or':
        return `(${this.cond(c.l, aggOk)} OR ${this.cond(c.r, aggOk)})`;
      case 'not':
        return `(NOT ${this.cond(c.c, aggOk)})`;
      case 'cmp': {
        const geo = this.geometryComparison(c, aggOk);
        if (geo !== undefined) return geo;
        const l = this.expr(c.l, aggOk);
        const r = this.expr(c.r, aggOk);
        this.comparable(l, r, c.op);
        return `(${l.sql} ${c.op} ${r.sql})`;
      }
      case 'between': {
        const e = this.expr(c.e, aggOk);
        const lo = this.expr(c.lo, aggOk);
        const hi = this.expr(c.hi, aggOk);
        this.comparable(e, lo, 'BETWEEN');
        this.comparable(e, hi, 'BETWEEN');
        return `(${e.sql} ${c.not ? 'NOT ' : ''}BETWEEN ${lo.sql} AND ${hi.sql})`;
      }
      case 'in': {
        const e = this.expr(c.e, aggOk);
        const list = c.list.map((x) => {
          const v = this.expr(x, aggOk);
          this.comparable(e, v, 'IN');
          return v.sql;
        });
        return `(${e.sql} ${c.not ? 'NOT ' : ''}IN (${list.join(', ')}))`;
      }
      case 'like': {
        const e = this.expr(c.e, aggOk);
        if (e.type !== 'text' && e.type !== 'null') throw err(`${c.ilike ? 'ILIKE' : 'LIKE'} needs text on its left, not a ${e.type}`);
        const not = c.not ? 'NOT ' : '';
        if (this.dialect === 'postgres') {
          const p = this.expr(c.pattern, aggOk);
          return `(${e.sql} ${not}${c.ilike ? 'ILIKE' : 'LIKE'} ${p.sql})`;
        }
        if (c.pattern.k !== 'str') throw err('the pattern of LIKE must be a string literal on this service');
        if (c.ilike) return `(${e.sql} ${not}LIKE ${this.bind(c.pattern.value, 'text')})`;
        // SQLite's LIKE ignores case; ADQL's does not: GLOB with the pattern translated
        return `(${e.sql} ${not}GLOB ${this.bind(likeToGlob(c.pattern.value), 'text')})`;
      }
      case 'isnull': {
        const e = this.expr(c.e, aggOk);
        return `(${e.sql} IS ${c.not ? 'NOT ' : ''}NULL)`;
      }
    }
  }

  private comparable(l: Typed, r: Typed, op: string): void {
    if (l.type === 'null' || r.type === 'null') return;
    if ((l.type === 'text') !== (r.type === 'text')) {
      throw err(`${op} compares text with a number (${l.type === 'text' ? 'left' : 'right'} side is text)`);
    }
  }

  /** CONTAINS(...) = 1 / 0 (either side) as a direct set condition, so the index is used. */
  private geometryComparison(c: Extract<Cond, { k: 'cmp' }>, aggOk: boolean): string | undefined {
    const isGeo = (e: Expr): e is Extract<Expr, { k: 'func' }> => e.k === 'func' && (e.name === 'CONTAINS' || e.name === 'INTERSECTS');
    const [g, v] = isGeo(c.l) ? [c.l, c.r] : isGeo(c.r) ? [c.r, c.l] : [undefined, undefined];
    if (g === undefined || v === undefined) return undefined;
    if (v.k !== 'num' || (v.value !== 0 && v.value !== 1) || (c.op !== '=' && c.op !== '<>')) return undefined;
    const wantTrue = (v.value === 1) === (c.op === '=');
    return this.geometryCond(g, aggOk, !wantTrue);
  }

  // the statement ------------------------------------------------------------------------------------

  select(s: Select): Translation {
    // scope first (the SELECT list refers to it), SQL in text order (parameters are positional)
    this.addTable(s.from);
    for (const j of s.joins) this.addTable(j.table);
    for (const j of s.joins) for (const u of j.using ?? []) this.usingColumns.add(lower(u));

    const fields: OutputField[] = [];
    const items: string[] = [];
    const addField = (sql: string, f: OutputField): void => {
      items.push(`${sql} AS ${ident(`c${items.length}`)}`);
      fields.push(f);
    };
    const fromColumn = (name: string, c: TapColumn | undefined, type: ValueType, info?: Typed['info']): OutputField => {
      const f: OutputField = { name, type, ...info };
      if (c?.unit) f.unit = c.unit;
      if (c?.ucd) f.ucd = c.ucd;
      if (c?.utype) f.utype = c.utype;
      if (c?.xtype) f.xtype = c.xtype;
      if (c?.description) f.description = c.description;
      return f;
    };
    for (const item of s.items) {
      if (item.k === 'star') {
        const entries = item.table === null ? this.scope : this.entriesNamed(item.table, item.pos);
        for (const entry of entries) for (const c of entry.table.columns) addField(this.colSql(entry, c), fromColumn(c.name, c, c.type));
        continue;
      }
      const t = this.expr(item.e, true);
      const name = item.alias ?? defaultName(item.e);
      // referred to by ordinal (1-based): never confused with an input column of the same name
      if (item.alias !== null) this.outputAliases.set(lower(item.alias), String(items.length + 1));
      if (!this.outputShapes.has(shapeOf(item.e))) this.outputShapes.set(shapeOf(item.e), String(items.length + 1));
      addField(t.sql, fromColumn(name, t.column, t.type, t.info));
    }
    // unique FIELD names (VOTable readers key columns by name)
    const seen = new Map<string, number>();
    for (const f of fields) {
      const n = (seen.get(lower(f.name)) ?? 0) + 1;
      seen.set(lower(f.name), n);
      if (n > 1) f.name = `${f.name}_${n}`;
    }

    let sql = `SELECT ${s.distinct ? 'DISTINCT ' : ''}${items.join(', ')} FROM `;
    const [first, ...rest] = this.scope;
    sql += `${sourceSql(first!.table, this.mark)} AS ${ident(first!.sqlAlias)}`;
    s.joins.forEach((j, k) => {
      const entry = rest[k]!;
      const kind = j.type === 'left' ? 'LEFT JOIN' : j.type === 'cross' ? 'CROSS JOIN' : 'INNER JOIN';
      sql += ` ${kind} ${sourceSql(entry.table, this.mark)} AS ${ident(entry.sqlAlias)}`;
      if (j.on !== null) sql += ` ON ${this.cond(j.on, false)}`;
      if (j.using !== null) {
        const conds = j.using.map((u) => {
          const left = this.scope.slice(0, k + 1).find((x) => x.table.columns.some((c) => lower(c.name) === lower(u)));
          const rc = entry.table.columns.find((c) => lower(c.name) === lower(u));
          if (left === undefined || rc === undefined) throw err(`USING column ${u} is not in both joined tables`, j.table.pos);
          const lc = left.table.columns.find((c) => lower(c.name) === lower(u))!;
          return `${this.colSql(left, lc)} = ${this.colSql(entry, rc)}`;
        });
        sql += ` ON ${conds.join(' AND ')}`;
      }
    });
    const where: string[] = s.where === null ? [] : [this.cond(s.where, false)];
    if (this.dialect === 'sqlite') {
      // the time limit, checked for every row combination (a column of each table makes SQLite
      // evaluate it in the innermost loop); it always returns 1, so no row is filtered out
      const cols = this.scope.map((e) => `${ident(e.sqlAlias)}.${ident(e.table.rowId ?? e.table.columns[0]!.sqlName)}`);
      where.push(`${DEADLINE_FUNCTION}(${this.mark({ deadline: true })}, ${cols.join(', ')}) = 1`);
    }
    if (where.length > 0) sql += ` WHERE ${where.join(' AND ')}`;
    if (s.groupBy.length > 0) sql += ` GROUP BY ${s.groupBy.map((g) => this.orderOrGroup(g, fields.length, 'GROUP BY')).join(', ')}`;
    if (s.having !== null) sql += ` HAVING ${this.cond(s.having, true)}`;
    if (s.orderBy.length > 0) {
      sql +=
        ' ORDER BY ' +
        s.orderBy
          .map((o) => `${this.orderOrGroup(o.e, fields.length, 'ORDER BY')} ${o.desc ? 'DESC NULLS FIRST' : 'ASC NULLS LAST'}`)
          .join(', ');
    }
    return { ...this.finish(sql), jobs: this.jobs, fields, top: s.top, offset: s.offset };
  }

  /**
   * An ORDER BY / GROUP BY item: a column number, an output alias or the expression of a select
   * item (all written as the item's ordinal), or another expression.
   */
  private orderOrGroup(e: Expr, nFields: number, what: string): string {
    if (e.k === 'num') {
      if (!e.isInt || e.value < 1 || e.value > nFields) {
        throw err(`${what} ${e.text}: a column number must be between 1 and ${nFields}`);
      }
      return String(e.value);
    }
    if (e.k === 'col' && e.parts.length === 1) {
      const alias = this.outputAliases.get(lower(e.parts[0]!));
      if (alias !== undefined) return alias;
    }
    // the same expression as a select item (with literals): refer to the item, so that PostgreSQL
    // sees one expression, not two with different parameters ("must appear in the GROUP BY clause")
    const same = e.k === 'col' ? undefined : this.outputShapes.get(shapeOf(e));
    if (same !== undefined) {
      this.expr(e, what === 'ORDER BY'); // still validated
      return same;
    }
    return this.expr(e, what === 'ORDER BY').sql;
  }
}

/** The expression's tree without source positions, as a string (equal shapes, equal string). */
function shapeOf(e: Expr): string {
  return JSON.stringify(e, (k, v: unknown) => (k === 'pos' ? undefined : typeof v === 'string' && k === 'name' ? v.toUpperCase() : v));
}

/** Output name of an unaliased select item. */
function defaultName(e: Expr): string {
  if (e.k === 'col') return e.parts[e.parts.length - 1]!;
  if (e.k === 'func' || e.k === 'agg') return e.name.toLowerCase();
  return 'expr';
}

/** ADQL LIKE pattern -> SQLite GLOB pattern (case-sensitive). */
export function likeToGlob(p: string): string {
  let out = '';
  for (const ch of p) {
    if (ch === '%') out += '*';
    else if (ch === '_') out += '?';
    else if (ch === '*' || ch === '?' || ch === '[') out += `[${ch}]`;
    else out += ch;
  }
  return out;
}

export function translate(s: Select, meta: TapMeta, dialect: Dialect): Translation {
  return new Translator(dialect, meta).select(s);
}

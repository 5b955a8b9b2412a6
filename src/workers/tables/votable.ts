/**
 * VOTable 1.1–1.4 reader (also reads 1.0-style files without a namespace): metadata (RESOURCE,
 * TABLE, FIELD, PARAM, GROUP, INFO, DESCRIPTION, COOSYS, TIMESYS, LINK, VALUES null) and data in
 * TABLEDATA (incl. `<TD encoding="base64">`), BINARY and BINARY2 (base64 STREAM, or a STREAM href
 * resolved by `options.resolveHref`; encoding="gzip" inflated), and FITS (a base64 or href'd FITS
 * file whose extension `extnum` is read with the BINTABLE/TABLE reader of src/workers/fits, by
 * column position).
 *
 * BINARY variable-length arrays: the 4-byte prefix counts primitives (the standard's wording and
 * STIL/TOPCAT; for char '10x*' the characters), bit arrays are packed ((n+7)/8 bytes, first bit
 * in the MSB). astropy 5.x writes multi-dimensional variable arrays with a prefix counting
 * sub-arrays and variable bit arrays one byte per bit: when the standard reading of a stream with
 * such FIELDs fails, it is decoded again that way (with a warning).
 *
 * Metadata is kept as a small element tree; DATA is streamed straight into column builders
 * (cells.ts), never kept as elements. Pure TypeScript: runs in Node, browsers and Web Workers.
 *
 * Lenient where real services are sloppy (warnings in `doc.warnings`, capped): an empty or
 * unreadable numeric cell is a null, unknown datatypes read as char, missing TDs are nulls, extra
 * TDs are ignored, DEFINITIONS (VOTable 1.0) is read, 'string'/'unicodeString' datatypes are
 * accepted. Strict where data would be wrong: malformed XML, truncated or misaligned BINARY
 * streams and bad base64 throw TableError with line/column, element and stream byte offset.
 */
import {
  TableError,
  emptyMeta,
  indexColumns,
  lineColumn,
} from './table.js';
import type {
  Column,
  CooSys,
  ParamValue,
  Serialization,
  Table,
  TableGroup,
  TableInfo,
  TableLink,
  TableErrorLocation,
  TableParam,
  TimeSys,
} from './table.js';
import { ELEM_OF, normaliseDatatype, parseArraySize } from './fieldspec.js';
import type { FieldSpec } from './fieldspec.js';
import { Truncated, binReader, decodeBase64, kindOf, makeBuilder } from './cells.js';
import type { BuildContext, Builder, CellValue, LongMode } from './cells.js';
import { TOK_END, TOK_EOF, TOK_START, TOK_TEXT, XmlTokenizer } from './xml.js';
import { DEFAULT_MAX_BYTES, gunzipFile, isFitsError, isGzip, readFits } from '../fits/index.js';
import type { FitsFile, FitsTable } from '../fits/index.js';

export interface VoTableOptions {
  /** long columns: 'auto' (default) Float64Array when every value is exact, else BigInt64Array; or always one of them. */
  longs?: LongMode;
  /** Bytes of a `<STREAM href="...">` (synchronous; e.g. prefetched). Without it an href throws UNSUPPORTED. */
  resolveHref?: (href: string) => Uint8Array | string | undefined;
  /** Throw TableError('QUERY_ERROR') when an INFO QUERY_STATUS says ERROR. Default false. */
  throwOnQueryError?: boolean;
  /** Most warnings kept (default 100); the rest are counted in the last one. */
  maxWarnings?: number;
  /** Memory limit for inflating gzip STREAMs and decoding FITS serialisations (default: the FITS reader's). */
  maxBytes?: number;
}

export interface VoResource {
  name?: string;
  id?: string;
  type?: string;
  utype?: string;
  description?: string;
  infos: TableInfo[];
  params: TableParam[];
  groups: TableGroup[];
  links: TableLink[];
  tables: Table[];
  resources: VoResource[];
}

export interface VoTableDocument {
  version?: string;
  description?: string;
  /** Every TABLE, in document order (nested resources included). */
  tables: Table[];
  resources: VoResource[];
  /** Document-level INFO / PARAM / GROUP (PARAMs of 1.0 DEFINITIONS included). */
  infos: TableInfo[];
  params: TableParam[];
  groups: TableGroup[];
  coosys: CooSys[];
  timesys: TimeSys[];
  /**
   * The most severe INFO name="QUERY_STATUS" anywhere in the document (ERROR > OVERFLOW > OK),
   * upper-cased, with its text (or value) as the message.
   */
  queryStatus?: string;
  queryStatusMessage?: string;
  /** QUERY_STATUS=OVERFLOW: the service truncated the result (MAXREC). */
  overflow: boolean;
  /** QUERY_STATUS=ERROR: the service's error message. */
  error?: string;
  warnings: string[];
}

interface DataResult {
  serialization: Serialization;
  nrows: number;
  specs: FieldSpec[];
  builders: Builder[];
}

interface XNode {
  name: string;
  attrs: Record<string, string>;
  children: XNode[];
  text: string;
  offset: number;
  data?: DataResult;
}

const KEEP_TEXT = new Set(['DESCRIPTION', 'INFO']);
const NO_ATTRS: Record<string, string> = Object.freeze(Object.create(null) as Record<string, string>);
const MAX_NESTING = 200;

/** Parse a VOTable document (text, or bytes in the encoding of its XML declaration / BOM). */
export function parseVoTable(input: string | Uint8Array, options: VoTableOptions = {}): VoTableDocument {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    throw new TableError('BAD_ARGUMENT', 'parseVoTable expects a string or a Uint8Array');
  }
  const warnings: string[] = [];
  const maxWarnings = options.maxWarnings ?? 100;
  let dropped = 0;
  const warn = (m: string): void => {
    if (warnings.length < maxWarnings) warnings.push(m);
    else dropped++;
  };
  const text = typeof input === 'string' ? input : decodeXmlBytes(input, warn);
  const reader = new Reader(text, options, warn);
  const root = reader.readTree();
  const doc = buildDocument(root, reader, options, warn);
  if (dropped) warnings.push(`… and ${dropped} more warnings`);
  doc.warnings = warnings;
  if (options.throwOnQueryError && doc.queryStatus === 'ERROR') {
    throw new TableError('QUERY_ERROR', `the service reported QUERY_STATUS=ERROR: ${doc.error ?? ''}`.trim());
  }
  return doc;
}

/** Decode XML bytes: BOM, else the encoding of the XML declaration, else UTF-8. */
export function decodeXmlBytes(bytes: Uint8Array, warn: (m: string) => void = () => undefined): string {
  let label = 'utf-8';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) label = 'utf-16be';
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) label = 'utf-16le';
  else if (!(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)) {
    const head = String.fromCharCode(...bytes.subarray(0, 256));
    const m = /^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head);
    if (m) label = m[1].toLowerCase();
  }
  try {
    return new TextDecoder(label).decode(bytes);
  } catch {
    warn(`unknown encoding '${label}', read as UTF-8`);
    return new TextDecoder('utf-8').decode(bytes);
  }
}

class Reader {
  readonly tok: XmlTokenizer;
  readonly ids = new Map<string, XNode>();
  readonly coosys: XNode[] = [];
  readonly timesys: XNode[] = [];
  private voNs = '';
  readonly ctx: BuildContext;

  constructor(
    readonly text: string,
    readonly options: VoTableOptions,
    readonly warn: (m: string) => void,
  ) {
    this.tok = new XmlTokenizer(text);
    this.ctx = { warn, longs: options.longs ?? 'auto' };
  }

  private isVo(ns: string): boolean {
    return ns === this.voNs || ns === '' || ns.indexOf('VOTable') !== -1;
  }

  private node(): XNode {
    const tok = this.tok;
    const n: XNode = { name: tok.local, attrs: tok.attrs ?? NO_ATTRS, children: [], text: '', offset: tok.tokenStart };
    const id = n.attrs.ID ?? n.attrs.id;
    if (id !== undefined && !this.ids.has(id)) this.ids.set(id, n);
    if (n.name === 'COOSYS') this.coosys.push(n);
    else if (n.name === 'TIMESYS') this.timesys.push(n);
    return n;
  }

  locate(offset: number, element?: string): { offset: number; line: number; column: number; element?: string } {
    return { offset, ...lineColumn(this.text, offset), element };
  }

  readTree(): XNode {
    const tok = this.tok;
    tok.wantText = false;
    for (;;) {
      const t = tok.next();
      if (t === TOK_EOF) throw new TableError('NOT_VOTABLE', 'no VOTABLE element: the input is empty or not XML', this.locate(tok.tokenStart));
      if (t === TOK_START) break;
    }
    if (tok.local !== 'VOTABLE') {
      throw new TableError('NOT_VOTABLE', `root element is <${tok.name}>, not <VOTABLE>`, this.locate(tok.tokenStart));
    }
    this.voNs = tok.ns;
    const root = this.node();
    const stack: XNode[] = [root];
    while (stack.length) {
      const t = tok.next();
      if (t === TOK_START) {
        const parent = stack[stack.length - 1];
        if (!this.isVo(tok.ns) || stack.length > MAX_NESTING) {
          tok.skipElement();
          continue;
        }
        const local: string = tok.local;
        if (local === 'DATA' && parent.name === 'TABLE') {
          this.readData(parent);
          continue;
        }
        const n = this.node();
        parent.children.push(n);
        stack.push(n);
        tok.wantText = KEEP_TEXT.has(n.name);
      } else if (t === TOK_TEXT) {
        stack[stack.length - 1].text += tok.text;
      } else if (t === TOK_END) {
        stack.pop();
        tok.wantText = stack.length > 0 && KEEP_TEXT.has(stack[stack.length - 1].name);
      } else break;
    }
    return root;
  }

  /** FIELD specs of a TABLE node (or of the table its `ref` names). */
  fieldSpecs(table: XNode): FieldSpec[] {
    let fields = table.children.filter((c) => c.name === 'FIELD');
    if (fields.length === 0 && table.attrs.ref !== undefined) {
      const target = this.ids.get(table.attrs.ref);
      if (target && target.name === 'TABLE') fields = target.children.filter((c) => c.name === 'FIELD');
    }
    return fields.map((f, i) => this.spec(f, i, 'FIELD'));
  }

  spec(node: XNode, index: number, what: string): FieldSpec {
    const a = node.attrs;
    const name = a.name ?? a.ID ?? a.id ?? `col${index + 1}`;
    const { datatype, known } = normaliseDatatype(a.datatype);
    if (!known) this.warn(`${what} '${name}': ${a.datatype === undefined ? 'no datatype' : `unknown datatype '${a.datatype}'`} (read as char)`);
    const elem = ELEM_OF[datatype];
    let array: FieldSpec['array'] = null;
    let arraysizeOk = true;
    if (a.arraysize !== undefined) {
      const p = parseArraySize(a.arraysize);
      if (p === undefined) {
        this.warn(`${what} '${name}': malformed arraysize '${a.arraysize}' (read as '*')`);
        arraysizeOk = false;
        array = { dims: [], variable: true, block: 1 };
      } else array = p;
      if (array.block > 0x7fffffff) {
        this.warn(`${what} '${name}': arraysize '${a.arraysize}' too large (read as '*')`);
        arraysizeOk = false;
        array = { dims: [], variable: true, block: 1 };
      }
      // a one-element numeric array is read as a scalar
      if (elem !== 'char' && elem !== 'uchar' && !array.variable && array.dims.length === 1 && array.dims[0] === 1) array = null;
    }
    let values = node.children.find((c) => c.name === 'VALUES');
    if (values && values.attrs.null === undefined && values.attrs.ref !== undefined) {
      const target = this.ids.get(values.attrs.ref);
      if (target && target.name === 'VALUES') values = target;
    }
    const spec: FieldSpec = { name, datatype, knownType: known && arraysizeOk, elem, array };
    const desc = node.children.find((c) => c.name === 'DESCRIPTION');
    if (a.ID ?? a.id) spec.id = a.ID ?? a.id;
    if (a.arraysize !== undefined) spec.arraysize = a.arraysize;
    if (a.unit !== undefined) spec.unit = a.unit;
    if (a.ucd !== undefined) spec.ucd = a.ucd;
    if (a.utype !== undefined) spec.utype = a.utype;
    if (a.xtype !== undefined) spec.xtype = a.xtype;
    if (a.ref !== undefined) spec.ref = a.ref;
    if (a.precision !== undefined) spec.precision = a.precision;
    if (a.width !== undefined && /^\s*\d+\s*$/.test(a.width)) spec.width = Number(a.width);
    if (desc) spec.description = desc.text.trim();
    if (values && values.attrs.null !== undefined) spec.nullValue = values.attrs.null;
    return spec;
  }

  private readData(table: XNode): void {
    const tok = this.tok;
    const depth = tok.depth; // DATA is open
    tok.wantText = false;
    const specs = this.fieldSpecs(table);
    for (;;) {
      const t = tok.next();
      if (t === TOK_END && tok.depth < depth) break;
      if (t !== TOK_START) continue;
      const name = tok.local;
      if (table.data !== undefined && (name === 'TABLEDATA' || name === 'BINARY' || name === 'BINARY2' || name === 'FITS')) {
        this.warn(`TABLE '${table.attrs.name ?? ''}': a second serialisation <${name}> is ignored`);
        tok.skipElement();
      } else if (name === 'TABLEDATA') {
        table.data = this.readTableData(specs);
      } else if (name === 'BINARY' || name === 'BINARY2') {
        table.data = this.readBinary(specs, name);
      } else if (name === 'FITS') {
        table.data = this.readFitsData(specs);
      } else if (name === 'INFO') {
        // VOTable 1.2+: INFO after the data
        const n = this.node();
        tok.wantText = true;
        for (;;) {
          const u = tok.next();
          if (u === TOK_TEXT) n.text += tok.text;
          else if (u === TOK_START) tok.skipElement();
          else if (u === TOK_END && tok.depth <= depth) break;
          else if (u === TOK_EOF) break;
        }
        tok.wantText = false;
        table.children.push(n);
      } else tok.skipElement();
    }
  }

  private readTableData(specs: FieldSpec[]): DataResult {
    const tok = this.tok;
    const depth = tok.depth; // TABLEDATA open
    const builders = specs.map((s) => makeBuilder(s, this.ctx));
    const nf = builders.length;
    let nrows = 0;
    let col = 0;
    let inRow = false;
    let extraWarned = false;
    tok.wantText = false;
    if (tok.selfClosing) {
      tok.next();
      return { serialization: 'TABLEDATA', nrows: 0, specs, builders };
    }
    for (;;) {
      const t = tok.next();
      if (t === TOK_START) {
        const name = tok.local;
        if (name === 'TD' && inRow) {
          const tdDepth = tok.depth;
          const enc = tok.attrs !== null ? tok.attrs.encoding : undefined;
          const tdStart = tok.tokenStart;
          let text = '';
          tok.wantText = true;
          for (;;) {
            const u = tok.next();
            if (u === TOK_TEXT) text += tok.text;
            else if (u === TOK_END && tok.depth < tdDepth) break;
            else if (u === TOK_START) tok.skipElement();
          }
          tok.wantText = false;
          if (col < nf) {
            if (enc !== undefined && enc.trim().toLowerCase() === 'base64') this.base64Cell(builders[col], specs[col], text, nrows, tdStart);
            else builders[col].text(text, nrows);
          } else if (!extraWarned) {
            extraWarned = true;
            this.warn(`row ${nrows + 1}: more TD than FIELDs (${nf}); extra cells ignored`);
          }
          col++;
        } else if (name === 'TR' && !inRow) {
          inRow = true;
          col = 0;
        } else tok.skipElement();
      } else if (t === TOK_END) {
        if (tok.depth < depth) break;
        if (inRow && tok.depth === depth) {
          for (let c = col; c < nf; c++) builders[c].text('', nrows);
          nrows++;
          inRow = false;
        }
      } else if (t === TOK_EOF) break;
    }
    return { serialization: 'TABLEDATA', nrows, specs, builders };
  }

  private base64Cell(b: Builder, spec: FieldSpec, text: string, row: number, at: number): void {
    const bytes = decodeBase64(text);
    if (!(bytes instanceof Uint8Array) || !spec.knownType) {
      this.warn(`row ${row + 1}, field '${spec.name}': unreadable base64 cell at line ${lineColumn(this.text, at).line} (read as null)`);
      b.text('', row);
      return;
    }
    try {
      b.bin(binReader(bytes), false, row);
    } catch (e) {
      if (!(e instanceof Truncated)) throw e;
      this.warn(`row ${row + 1}, field '${spec.name}': base64 cell too short (read as null)`);
      b.text('', row);
    }
  }

  /** Read the STREAM child of the BINARY/BINARY2/FITS element just opened (through its end tag). */
  private readStreamChild(): { bytes: Uint8Array | undefined; streamAt: number } {
    const tok = this.tok;
    const depth = tok.depth;
    let bytes: Uint8Array | undefined;
    let streamAt = tok.tokenStart;
    for (;;) {
      const t = tok.next();
      if (t === TOK_END && tok.depth < depth) break;
      if (t === TOK_EOF) break;
      if (t !== TOK_START) continue;
      if (tok.local !== 'STREAM' || bytes !== undefined) {
        tok.skipElement();
        continue;
      }
      streamAt = tok.tokenStart;
      const attrs = tok.attrs ?? NO_ATTRS;
      const sdepth = tok.depth;
      let text = '';
      tok.wantText = true;
      for (;;) {
        const u = tok.next();
        if (u === TOK_TEXT) text += tok.text;
        else if (u === TOK_START) tok.skipElement();
        else if ((u === TOK_END && tok.depth < sdepth) || u === TOK_EOF) break;
      }
      tok.wantText = false;
      bytes = this.streamBytes(attrs, text, streamAt);
    }
    return { bytes, streamAt };
  }

  /**
   * The FITS serialisation: a FITS file (base64 STREAM or href) whose extension `extnum`
   * (default 1) is a BINTABLE/TABLE with one column per FIELD, decoded by src/workers/fits.
   */
  private readFitsData(specs: FieldSpec[]): DataResult {
    const tok = this.tok;
    const extAttr = tok.attrs?.extnum;
    const { bytes, streamAt } = this.readStreamChild();
    const where = this.locate(streamAt, 'FITS');
    const builders = specs.map((s) => makeBuilder(s, this.ctx));
    if (bytes === undefined) {
      this.warn('<FITS> without a STREAM: no rows');
      return { serialization: 'FITS', nrows: 0, specs, builders };
    }
    const extnum = extAttr !== undefined && /^\s*\d+\s*$/.test(extAttr) ? Number(extAttr) : 1;
    let file: FitsFile;
    let ft: FitsTable;
    try {
      file = readFits(bytes, this.options.maxBytes !== undefined ? { maxBytes: this.options.maxBytes } : {});
      const hdu = file.hdus[extnum];
      if (!hdu || (hdu.type !== 'bintable' && hdu.type !== 'table')) {
        throw new TableError('BAD_DATA', `the FITS stream has no table in extension ${extnum} (${file.hdus.length} HDUs)`, where);
      }
      ft = hdu.readTable();
      const ncols = Math.min(specs.length, ft.columns.length);
      if (ft.columns.length !== specs.length) {
        this.warn(`FITS extension ${extnum} has ${ft.columns.length} columns for ${specs.length} FIELDs; read by position`);
      }
      for (let c = 0; c < ncols; c++) fitsColumnInto(builders[c], ft, c);
    } catch (e) {
      if (isFitsError(e)) throw new TableError('BAD_DATA', `FITS serialisation: ${e.message}`, where);
      throw e;
    }
    return { serialization: 'FITS', nrows: ft.nrows, specs, builders };
  }

  private readBinary(specs: FieldSpec[], kind: 'BINARY' | 'BINARY2'): DataResult {
    const { bytes, streamAt } = this.readStreamChild();
    const where = this.locate(streamAt, 'STREAM');
    const builders = specs.map((s) => makeBuilder(s, this.ctx));
    if (bytes === undefined) {
      this.warn(`<${kind}> without a STREAM: no rows`);
      return { serialization: kind, nrows: 0, specs, builders };
    }
    for (const s of specs) {
      if (!s.knownType) {
        throw new TableError(
          'BAD_DATA',
          `FIELD '${s.name}' has ${s.arraysize !== undefined && parseArraySize(s.arraysize) === undefined ? `a malformed arraysize '${s.arraysize}'` : 'no usable datatype'}: the ${kind} stream cannot be decoded`,
          where,
        );
      }
    }
    try {
      return this.decodeRows(specs, bytes, kind, where, this.ctx);
    } catch (e) {
      // astropy writes multi-dimensional variable arrays and variable bit arrays its own way
      const ambiguous = specs.some((sp) => sp.array !== null && sp.array.variable && (sp.array.block > 1 || sp.elem === 'bit'));
      if (!ambiguous || !(e instanceof TableError) || e.code !== 'BAD_DATA') throw e;
      let result: DataResult;
      try {
        result = this.decodeRows(specs, bytes, kind, where, { ...this.ctx, astropyVarArrays: true });
      } catch {
        throw e;
      }
      this.warn(`${kind}: variable-length arrays read with astropy's layout (prefix = number of sub-arrays, bits unpacked)`);
      return result;
    }
  }

  private decodeRows(specs: FieldSpec[], bytes: Uint8Array, kind: 'BINARY' | 'BINARY2', where: TableErrorLocation, ctx: BuildContext): DataResult {
    const builders = specs.map((s) => makeBuilder(s, ctx));
    const r = binReader(bytes);
    const nf = specs.length;
    const two = kind === 'BINARY2';
    const maskBytes = two ? (nf + 7) >> 3 : 0;
    let nrows = 0;
    while (r.pos < bytes.length) {
      const rowStart = r.pos;
      if (two && bytes.length - r.pos < maskBytes) {
        throw new TableError('BAD_DATA', `${kind} stream ends inside the null flags of a row`, { ...where, row: nrows, byteOffset: r.pos });
      }
      const mask = r.pos;
      r.pos += maskBytes;
      for (let f = 0; f < nf; f++) {
        const isNull = two && ((bytes[mask + (f >> 3)] >> (7 - (f & 7))) & 1) === 1;
        const at = r.pos;
        try {
          builders[f].bin(r, isNull, nrows);
        } catch (e) {
          if (!(e instanceof Truncated)) throw e;
          throw new TableError('BAD_DATA', `${kind} stream ends inside a cell (${e.message}); the stream is truncated or the FIELDs do not describe it`, {
            ...where,
            row: nrows,
            field: specs[f].name,
            byteOffset: at,
          });
        }
      }
      if (r.pos === rowStart) {
        this.warn(`${kind}: FIELDs describe rows of 0 bytes; ${bytes.length - r.pos} stream bytes ignored`);
        break;
      }
      nrows++;
    }
    return { serialization: kind, nrows, specs, builders };
  }

  /**
   * The bytes of a STREAM: inline base64 text, or `href` through options.resolveHref (raw bytes,
   * or base64 text with encoding="base64"); encoding="gzip" is inflated (with the FITS
   * module's inflate). encoding="dynamic" is not supported.
   */
  private streamBytes(attrs: Record<string, string>, text: string, at: number): Uint8Array {
    const where = this.locate(at, 'STREAM');
    const enc = (attrs.encoding ?? '').trim().toLowerCase();
    const href = attrs.href;
    if (enc === 'dynamic') throw new TableError('UNSUPPORTED', "STREAM encoding 'dynamic' is not supported", where);
    let bytes: Uint8Array;
    if (href !== undefined && text.trim() === '') {
      const got = this.options.resolveHref?.(href);
      if (got === undefined) {
        throw new TableError('UNSUPPORTED', `STREAM href='${href}' is not read: fetch it and pass options.resolveHref`, where);
      }
      if (typeof got === 'string' && enc === 'base64') bytes = this.base64(got, where);
      else bytes = typeof got === 'string' ? new TextEncoder().encode(got) : got;
    } else bytes = this.base64(text, where);
    if (enc === 'gzip') {
      if (!isGzip(bytes)) throw new TableError('BAD_DATA', 'STREAM encoding is gzip but the data is not gzip', where);
      try {
        bytes = gunzipFile(bytes, this.options.maxBytes ?? DEFAULT_MAX_BYTES);
      } catch (e) {
        if (isFitsError(e)) throw new TableError('BAD_DATA', `gzip STREAM: ${e.message}`, where);
        throw e;
      }
    }
    return bytes;
  }

  private base64(text: string, where: TableErrorLocation): Uint8Array {
    const bytes = decodeBase64(text);
    if (!(bytes instanceof Uint8Array)) {
      throw new TableError('BAD_DATA', `STREAM is not base64: character '${text[bytes.bad]}' at ${bytes.bad} of its text`, where);
    }
    return bytes;
  }
}

/** Feed one FITS table column, row by row, into a builder (also used by fitsTable.ts). */
export function fitsColumnInto(b: Builder, ft: FitsTable, c: number): void {
  const fc = ft.columns[c];
  // integers with TNULLn come back as Float64Array (rounded beyond 2^53): read the stored
  // integers when they need no scaling, with the null mask
  const raw = !fc.variableLength && 'BIJK'.includes(fc.elementCode) && fc.tscal === 1 && fc.tzero === 0 && fc.tnull !== undefined;
  const vals = ft.column(c, { raw });
  const mask = fc.variableLength ? undefined : ft.nulls(c);
  const n = ft.nrows;
  const cl = fc.cellLength;
  const scalar = b.kind === 'scalar' || b.kind === 'string';
  for (let r = 0; r < n; r++) {
    let v: CellValue;
    let isNull = false;
    if (fc.variableLength) v = (vals as Array<CellValue>)[r] ?? null;
    else if (Array.isArray(vals)) v = cl === 1 ? (vals as string[])[r] : (vals as string[]).slice(r * cl, r * cl + cl);
    else {
      const t = vals as ArrayLike<number | bigint> & { subarray(a: number, b: number): ArrayLike<number | bigint> };
      v = scalar ? t[r * cl] : t.subarray(r * cl, r * cl + cl);
      if (scalar && mask !== undefined && mask[r * cl] === 1) isNull = true;
    }
    b.value(v ?? null, isNull);
  }
}

// ---------------------------------------------------------------------------------------------
// tree -> document

function opt<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
}

function buildDocument(root: XNode, reader: Reader, options: VoTableOptions, warn: (m: string) => void): VoTableDocument {
  const coosys = reader.coosys.map(cooSys);
  const timesys = reader.timesys.map(timeSys);
  const doc: VoTableDocument = {
    tables: [],
    resources: [],
    infos: [],
    params: [],
    groups: [],
    coosys,
    timesys,
    overflow: false,
    warnings: [],
  };
  if (root.attrs.version !== undefined) doc.version = root.attrs.version;
  const statuses: TableInfo[] = [];
  const docParams: TableParam[] = [];
  const docInfos: TableInfo[] = [];
  const collect = (children: XNode[]): void => {
    for (const c of children) {
      if (c.name === 'INFO') docInfos.push(info(c, 'document'));
      else if (c.name === 'PARAM') docParams.push(param(c, 'document', reader));
      else if (c.name === 'GROUP') doc.groups.push(group(c, reader, 0));
      else if (c.name === 'DESCRIPTION' && doc.description === undefined) doc.description = c.text.trim();
      else if (c.name === 'DEFINITIONS') collect(c.children);
    }
  };
  collect(root.children);
  doc.infos = docInfos;
  doc.params = docParams;
  statuses.push(...docInfos);
  const scope = { params: docParams, infos: docInfos };
  for (const c of root.children) {
    if (c.name === 'RESOURCE') doc.resources.push(resource(c, scope, reader, doc, statuses, 1));
  }
  // QUERY_STATUS: the most severe one
  const rank = (s: string): number => (s === 'ERROR' ? 3 : s === 'OVERFLOW' ? 2 : s === 'OK' ? 1 : 0);
  let best: TableInfo | undefined;
  for (const i of statuses) {
    if (i.name !== 'QUERY_STATUS') continue;
    if (!best || rank(i.value.trim().toUpperCase()) > rank(best.value.trim().toUpperCase())) best = i;
  }
  if (best) {
    doc.queryStatus = best.value.trim().toUpperCase();
    const message = best.content || best.value;
    doc.queryStatusMessage = message;
    if (doc.queryStatus === 'OVERFLOW') doc.overflow = true;
    if (doc.queryStatus === 'ERROR') doc.error = best.content || 'unknown error';
  }
  void options;
  void warn;
  return doc;
}

function resource(
  node: XNode,
  outer: { params: TableParam[]; infos: TableInfo[] },
  reader: Reader,
  doc: VoTableDocument,
  statuses: TableInfo[],
  depth: number,
): VoResource {
  const a = node.attrs;
  const res: VoResource = opt({
    name: a.name,
    id: a.ID ?? a.id,
    type: a.type,
    utype: a.utype,
    description: undefined as string | undefined,
    infos: [] as TableInfo[],
    params: [] as TableParam[],
    groups: [] as TableGroup[],
    links: [] as TableLink[],
    tables: [] as Table[],
    resources: [] as VoResource[],
  });
  for (const c of node.children) {
    if (c.name === 'INFO') res.infos.push(info(c, 'resource'));
    else if (c.name === 'PARAM') res.params.push(param(c, 'resource', reader));
    else if (c.name === 'GROUP') res.groups.push(group(c, reader, 0));
    else if (c.name === 'LINK') res.links.push(link(c));
    else if (c.name === 'DESCRIPTION' && res.description === undefined) res.description = c.text.trim();
  }
  statuses.push(...res.infos);
  const scope = { params: [...outer.params, ...res.params], infos: [...outer.infos, ...res.infos] };
  const resMeta = opt({ name: a.name, id: a.ID ?? a.id, type: a.type, utype: a.utype });
  for (const c of node.children) {
    if (c.name === 'TABLE') {
      const t = table(c, scope, resMeta, reader, doc);
      res.tables.push(t);
      doc.tables.push(t);
      for (const i of t.meta.infos) if (i.level === 'table') statuses.push(i);
    } else if (c.name === 'RESOURCE') {
      if (depth >= MAX_NESTING) {
        reader.warn('RESOURCE nesting too deep; inner resources ignored');
        continue;
      }
      res.resources.push(resource(c, scope, reader, doc, statuses, depth + 1));
    }
  }
  return res;
}

function table(
  node: XNode,
  scope: { params: TableParam[]; infos: TableInfo[] },
  resMeta: { name?: string; id?: string; type?: string; utype?: string },
  reader: Reader,
  doc: VoTableDocument,
): Table {
  const a = node.attrs;
  const data = node.data;
  const specs = data ? data.specs : reader.fieldSpecs(node);
  const builders = data ? data.builders : specs.map((s) => makeBuilder(s, reader.ctx));
  const nrows = data ? data.nrows : 0;
  const columns: Column[] = specs.map((s, i) => {
    const { values, nulls } = builders[i].finish(nrows);
    const col: Column = opt({
      name: s.name,
      datatype: s.datatype,
      kind: kindOf(s),
      arraysize: s.arraysize,
      unit: s.unit,
      ucd: s.ucd,
      utype: s.utype,
      xtype: s.xtype,
      id: s.id,
      ref: s.ref,
      width: s.width,
      precision: s.precision,
      description: s.description,
      nullValue: s.nullValue,
      coosys: undefined as CooSys | undefined,
      timesys: undefined as TimeSys | undefined,
      values,
      nulls,
    });
    if (s.ref !== undefined) {
      const target = reader.ids.get(s.ref);
      if (target?.name === 'COOSYS') col.coosys = cooSys(target);
      else if (target?.name === 'TIMESYS') col.timesys = timeSys(target);
    }
    return col;
  });
  const meta = emptyMeta();
  const ownParams: TableParam[] = [];
  const ownInfos: TableInfo[] = [];
  let description: string | undefined;
  for (const c of node.children) {
    if (c.name === 'PARAM') ownParams.push(param(c, 'table', reader));
    else if (c.name === 'INFO') ownInfos.push(info(c, 'table'));
    else if (c.name === 'GROUP') meta.groups.push(group(c, reader, 0));
    else if (c.name === 'LINK') meta.links.push(link(c));
    else if (c.name === 'DESCRIPTION' && description === undefined) description = c.text.trim();
  }
  meta.params = [...scope.params, ...ownParams];
  meta.infos = [...scope.infos, ...ownInfos];
  meta.coosys = doc.coosys;
  meta.timesys = doc.timesys;
  if (Object.keys(resMeta).length) meta.resource = resMeta;
  return opt({
    name: a.name,
    id: a.ID ?? a.id,
    description,
    nrows,
    columns,
    byName: indexColumns(columns),
    meta,
    format: 'votable' as const,
    serialization: data ? data.serialization : ('none' as const),
  });
}

function info(node: XNode, level: TableInfo['level']): TableInfo {
  const a = node.attrs;
  const content = node.text.trim();
  return opt({ name: a.name ?? '', value: a.value ?? '', id: a.ID ?? a.id, content: content === '' ? undefined : content, level });
}

function cooSys(node: XNode): CooSys {
  const a = node.attrs;
  return opt({ id: a.ID ?? a.id, system: a.system, equinox: a.equinox, epoch: a.epoch, refposition: a.refposition });
}

function timeSys(node: XNode): TimeSys {
  const a = node.attrs;
  return opt({ id: a.ID ?? a.id, timeorigin: a.timeorigin, timescale: a.timescale, refposition: a.refposition });
}

function link(node: XNode): TableLink {
  const a = node.attrs;
  return opt({ href: a.href, title: a.title, contentRole: a['content-role'], contentType: a['content-type'], id: a.ID ?? a.id });
}

function param(node: XNode, level: TableParam['level'], reader: Reader): TableParam {
  const spec = reader.spec(node, 0, 'PARAM');
  const value = node.attrs.value ?? '';
  const p: TableParam = opt({
    name: spec.name,
    datatype: spec.datatype,
    value,
    parsed: parseParamValue(spec, value, reader),
    arraysize: spec.arraysize,
    unit: spec.unit,
    ucd: spec.ucd,
    utype: spec.utype,
    xtype: spec.xtype,
    id: spec.id,
    ref: spec.ref,
    description: spec.description,
    level,
  });
  return p;
}

function parseParamValue(spec: FieldSpec, value: string, reader: Reader): ParamValue {
  const kind = kindOf(spec);
  if (kind === 'string' || kind === 'stringArray') return value;
  const b = makeBuilder(spec, { longs: 'auto', warn: (m) => reader.warn(`PARAM ${m.replace(/^row 1, /, '')}`) });
  b.text(value, 0);
  const { values, nulls } = b.finish(1);
  if (kind === 'array') return (values as ArrayLike<unknown>)[0] as ParamValue;
  if (nulls && nulls[0]) return null;
  const v = (values as ArrayLike<number | bigint>)[0];
  if (spec.datatype === 'boolean') return v === 1;
  if (typeof v === 'bigint') return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
  return v;
}

function group(node: XNode, reader: Reader, depth: number): TableGroup {
  const a = node.attrs;
  const g: TableGroup = opt({
    name: a.name,
    id: a.ID ?? a.id,
    ucd: a.ucd,
    utype: a.utype,
    description: undefined as string | undefined,
    fieldRefs: [] as string[],
    paramRefs: [] as string[],
    params: [] as TableParam[],
    groups: [] as TableGroup[],
  });
  for (const c of node.children) {
    if (c.name === 'FIELDref' && c.attrs.ref !== undefined) g.fieldRefs.push(c.attrs.ref);
    else if (c.name === 'PARAMref' && c.attrs.ref !== undefined) g.paramRefs.push(c.attrs.ref);
    else if (c.name === 'PARAM') g.params.push(param(c, 'group', reader));
    else if (c.name === 'GROUP' && depth < MAX_NESTING) g.groups.push(group(c, reader, depth + 1));
    else if (c.name === 'DESCRIPTION' && g.description === undefined) g.description = c.text.trim();
  }
  return g;
}

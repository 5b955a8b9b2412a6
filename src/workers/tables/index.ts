/**
 * Tables to columns, in pure TypeScript (no DOM; Node, browsers, Web Workers):
 *
 * ```ts
 * import { parseVoTable, parseDelimited, findPositionColumns } from './workers/tables/index.js';
 * const doc = parseVoTable(bytesOrText);          // VOTable 1.1–1.4: TABLEDATA, BINARY, BINARY2
 * if (doc.queryStatus === 'ERROR') throw new Error(doc.error);
 * const table = doc.tables[0];                     // { columns, byName, nrows, meta }
 * const pos = findPositionColumns(table);          // { ra, dec, rule, raDeg, decDeg, ... }
 * const csv = parseDelimited(text);                // CSV / TSV / ; | whitespace, sniffed
 * postMessage(table, tableTransferables(table));   // from a worker, buffers transferred
 * ```
 */
export { parseVoTable, decodeXmlBytes } from './votable.js';
export type { VoResource, VoTableDocument, VoTableOptions } from './votable.js';
export { parseDelimited } from './delimited.js';
export type { DelimitedOptions } from './delimited.js';
export { findPositionColumns, parseAngle } from './positions.js';
export type { PositionColumns, PositionFormat, PositionRule } from './positions.js';
export { TableError, isTableError, getColumn, indexColumns, tableTransferables, isNumericColumn, lineColumn } from './table.js';
export type {
  Column,
  ColumnKind,
  ColumnValues,
  CooSys,
  NumericArray,
  ParamValue,
  Serialization,
  Table,
  TableErrorCode,
  TableErrorLocation,
  TableFormat,
  TableGroup,
  TableInfo,
  TableLink,
  TableMeta,
  TableParam,
  TimeSys,
  VoDatatype,
} from './table.js';
export { XmlTokenizer, decodeEntities, TOK_EOF, TOK_START, TOK_END, TOK_TEXT } from './xml.js';
export type { LongMode } from './cells.js';

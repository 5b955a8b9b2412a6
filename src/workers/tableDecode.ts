// Parses a table (VOTable TABLEDATA/BINARY/BINARY2/FITS, CSV/TSV, FITS BINTABLE/TABLE) from bytes,
// a Blob or a URL into columns and finds its RA/Dec columns; runs in a decode worker (and in Node).
// Never throws: every problem comes back as a DecodeFailure naming it.
import { gunzipFile, isGzip, isFitsError, DEFAULT_MAX_BYTES } from './fits/index.js';
import { parseFitsTable } from './tables/fitsTable.js';
import { parseDelimited } from './tables/delimited.js';
import { findPositionColumns } from './tables/positions.js';
import { isTableError, tableTransferables, type Table } from './tables/table.js';
import { parseVoTable } from './tables/votable.js';
import type { DecodeFailure, TableParseRequest, TableParseResult, TableSourceFormat } from './protocol.js';

const controllers = new Map<number, AbortController>();

export function cancelTableRequest(requestId: number): void {
  controllers.get(requestId)?.abort();
  controllers.delete(requestId);
}

/** The format of a table file from its first bytes: FITS, XML (VOTable), else delimited text. */
export function sniffTableFormat(bytes: Uint8Array): Exclude<TableSourceFormat, 'auto' | 'tsv'> {
  if (bytes.length >= 9 && String.fromCharCode(...bytes.subarray(0, 9)) === 'SIMPLE  =') return 'fits';
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3; // UTF-8 BOM
  if ((bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0xff && bytes[1] === 0xfe)) return 'votable'; // UTF-16 BOM: XML
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  return bytes[i] === 0x3c ? 'votable' : 'csv';
}

function fail(message: string, retryable = false, httpStatus?: number): DecodeFailure {
  return httpStatus === undefined ? { status: 'error', message, retryable } : { status: 'error', message, retryable, httpStatus };
}

/** Parse table bytes (gzip-compressed or not). */
export function parseTableBytes(input: Uint8Array, request: TableParseRequest = {}): TableParseResult | DecodeFailure {
  const what = request.name ?? 'the table';
  try {
    const maxBytes = request.maxBytes ?? DEFAULT_MAX_BYTES;
    const bytes = isGzip(input) ? gunzipFile(input, maxBytes) : input;
    const format = request.format && request.format !== 'auto' ? request.format : sniffTableFormat(bytes);
    let table: Table;
    let warnings: string[] = [];
    if (format === 'fits') {
      table = parseFitsTable(bytes, { maxBytes, ...(request.hdu !== undefined ? { hdu: request.hdu } : {}) });
    } else if (format === 'votable') {
      const doc = parseVoTable(bytes, { maxBytes });
      if (doc.queryStatus === 'ERROR') return fail(`${what}: the service answered QUERY_STATUS=ERROR: ${doc.error ?? doc.queryStatusMessage ?? ''}`.trimEnd());
      const k = request.tableIndex ?? 0;
      const t = doc.tables[k];
      if (!t) return fail(`${what}: the VOTable has no TABLE ${k} (it has ${doc.tables.length})`);
      table = t;
      warnings = doc.warnings;
    } else {
      table = parseDelimited(bytes, format === 'tsv' ? { delimiter: '\t' } : {});
    }
    const pos = findPositionColumns(table);
    const result: TableParseResult = { status: 'ok', format: format === 'tsv' ? 'csv' : format, table, warnings };
    if (pos) {
      result.positions = {
        ra: pos.ra,
        dec: pos.dec,
        rule: pos.rule,
        raFormat: pos.raFormat,
        decFormat: pos.decFormat,
        raDeg: pos.raDeg,
        decDeg: pos.decDeg,
        ...(pos.raUnit !== undefined ? { raUnit: pos.raUnit } : {}),
        ...(pos.decUnit !== undefined ? { decUnit: pos.decUnit } : {}),
        ...(pos.system !== undefined ? { system: pos.system } : {}),
      };
    }
    return result;
  } catch (err) {
    if (isTableError(err) || isFitsError(err)) return fail(`${what} cannot be read: ${err.message}`);
    if (err instanceof RangeError) return fail(`${what} cannot be read: out of memory or too large (${err.message})`);
    return fail(`${what} cannot be read: ${(err as Error)?.message ?? String(err)}`);
  }
}

/** The ArrayBuffers of a parse result to transfer (columns, null masks, positions). */
export function tableResultTransferables(r: TableParseResult): ArrayBuffer[] {
  const set = new Set(tableTransferables(r.table));
  if (r.positions) {
    set.add(r.positions.raDeg.buffer as ArrayBuffer);
    set.add(r.positions.decDeg.buffer as ArrayBuffer);
  }
  return [...set];
}

/** Read a Blob or fetch a URL (cancellable by `requestId`), then parse it. */
export async function parseTableSource(source: Blob | string, request: TableParseRequest, requestId: number): Promise<TableParseResult | DecodeFailure> {
  const controller = new AbortController();
  controllers.set(requestId, controller);
  try {
    let bytes: Uint8Array;
    if (typeof source === 'string') {
      let response: Response;
      try {
        response = await fetch(source, { signal: controller.signal });
      } catch (err) {
        if (controller.signal.aborted) return fail(`request for ${source} was cancelled`);
        return fail(`network error fetching ${source}: ${(err as Error).message ?? err}`, true);
      }
      if (!response.ok) return fail(`HTTP ${response.status} ${response.statusText} for ${source}`, response.status >= 500 || response.status === 429, response.status);
      bytes = new Uint8Array(await response.arrayBuffer());
    } else {
      bytes = new Uint8Array(await source.arrayBuffer());
    }
    if (controller.signal.aborted) return fail(`parsing ${request.name ?? 'the table'} was cancelled`);
    return parseTableBytes(bytes, request);
  } catch (err) {
    return fail(`${request.name ?? 'the table'} cannot be read: ${(err as Error)?.message ?? String(err)}`);
  } finally {
    controllers.delete(requestId);
  }
}

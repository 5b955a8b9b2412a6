// Entry of a decode worker: exposes DecodeWorkerApi over comlink, transferring pixel and geometry buffers.
import { expose, transfer } from 'comlink';
import { cancelRequest, decodeImageUrl } from './imageDecode.js';
import { cancelFitsRequest, decodeFitsBytes, decodeFitsPlane, decodeFitsUrl } from './fitsTileDecode.js';
import { cancelTableRequest, parseTableBytes, parseTableSource, tableResultTransferables } from './tableDecode.js';
import type { DecodeWorkerApi } from './protocol.js';
import { gunzipFile } from './fits/inflate.js';
import { cancelSeriesRequest, readSeriesSource } from '../plot/seriesDecode.js';
import { geometryTransferables, tessellateFootprints } from '../footprints/tessellate.js';
import { mocGeometry } from '../moc/mocGeometry.js';
import { parseHipsCatalogTile } from '../hips/catalog.js';
import { SpaceMoc } from '../hips/moc/spaceMoc.js';

const api: DecodeWorkerApi = {
  async decodeImage(url, requestId) {
    const result = await decodeImageUrl(url, requestId);
    return result.status === 'ok' ? transfer(result, [result.rgba]) : result;
  },
  async decodeFits(url, requestId) {
    const result = await decodeFitsUrl(url, requestId);
    return result.status === 'ok' ? transfer(result, [result.values]) : result;
  },
  async decodeFitsBytes(bytes, hduIndex, plane) {
    const result = decodeFitsBytes(bytes, hduIndex, plane);
    return result.status === 'ok' ? transfer(result, [result.values]) : result;
  },
  async decodeFitsPlane(blob, hduIndex, plane) {
    const result = await decodeFitsPlane(blob, hduIndex, plane);
    return result.status === 'ok' ? transfer(result, [result.values]) : result;
  },
  async gunzip(blob, maxBytes) {
    try {
      const out = gunzipFile(new Uint8Array(await blob.arrayBuffer()), maxBytes);
      const bytes = out.byteOffset === 0 && out.byteLength === out.buffer.byteLength ? (out.buffer as ArrayBuffer) : out.slice().buffer;
      return transfer({ status: 'ok' as const, bytes }, [bytes]);
    } catch (err) {
      return { status: 'error' as const, message: `cannot inflate the gzip file: ${(err as Error)?.message ?? err}`, retryable: false };
    }
  },
  async readSeries(source, request, requestId) {
    const r = await readSeriesSource(source, request, requestId);
    return r.status === 'ok' ? transfer(r, [r.series.x.buffer, r.series.y.buffer, r.series.rows.buffer] as ArrayBuffer[]) : r;
  },
  async parseTable(source, request, requestId) {
    const result = source instanceof ArrayBuffer ? parseTableBytes(new Uint8Array(source), request) : await parseTableSource(source, request, requestId);
    return result.status === 'ok' ? transfer(result, tableResultTransferables(result)) : result;
  },
  async parseCatalogTile(text, where, metadata) {
    try {
      const tile = parseHipsCatalogTile(text, where, metadata);
      return transfer({ status: 'ok' as const, tile }, [...new Set([tile.raDeg.buffer, tile.decDeg.buffer])] as ArrayBuffer[]);
    } catch (e) {
      return { status: 'error' as const, message: e instanceof Error ? e.message : String(e), retryable: false };
    }
  },
  async tessellateFootprints(inputs, options) {
    const g = tessellateFootprints(inputs, options);
    return transfer(g, geometryTransferables(g));
  },
  async mocGeometry(ranges, maxOrder, options) {
    const g = mocGeometry(SpaceMoc.fromCanonical(ranges, maxOrder), options);
    return transfer(g, geometryTransferables(g));
  },
  cancel(requestId) {
    cancelTableRequest(requestId);
    cancelSeriesRequest(requestId);
    cancelRequest(requestId);
    cancelFitsRequest(requestId);
  },
};

expose(api);

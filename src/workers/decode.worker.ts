// Entry of a decode worker: exposes DecodeWorkerApi over comlink, transferring pixel and geometry buffers.
import { expose, transfer } from 'comlink';
import { cancelRequest, decodeImageUrl } from './imageDecode.js';
import { cancelFitsRequest, decodeFitsBytes, decodeFitsUrl } from './fitsTileDecode.js';
import type { DecodeWorkerApi } from './protocol.js';
import { geometryTransferables, tessellateFootprints } from '../footprints/tessellate.js';
import { mocGeometry } from '../moc/mocGeometry.js';
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
  async tessellateFootprints(inputs, options) {
    const g = tessellateFootprints(inputs, options);
    return transfer(g, geometryTransferables(g));
  },
  async mocGeometry(ranges, maxOrder, options) {
    const g = mocGeometry(SpaceMoc.fromCanonical(ranges, maxOrder), options);
    return transfer(g, geometryTransferables(g));
  },
  cancel(requestId) {
    cancelRequest(requestId);
    cancelFitsRequest(requestId);
  },
};

expose(api);

// Entry of a decode worker: exposes DecodeWorkerApi over comlink, transferring pixel buffers.
import { expose, transfer } from 'comlink';
import { cancelRequest, decodeImageUrl } from './imageDecode.js';
import type { DecodeWorkerApi } from './protocol.js';

const api: DecodeWorkerApi = {
  async decodeImage(url, requestId) {
    const result = await decodeImageUrl(url, requestId);
    return result.status === 'ok' ? transfer(result, [result.rgba]) : result;
  },
  cancel(requestId) {
    cancelRequest(requestId);
  },
};

expose(api);

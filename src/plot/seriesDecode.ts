// Worker side of readSeries: fetch a URL (cancellable) or read a Blob / bytes, then seriesFromFits.
// Never throws: problems come back as a DecodeFailure naming the file.
import type { DecodeFailure } from '../workers/protocol.js';
import { seriesFromFits, type Series, type SeriesRequest } from './series.js';

const controllers = new Map<number, AbortController>();

export function cancelSeriesRequest(requestId: number): void {
  controllers.get(requestId)?.abort();
  controllers.delete(requestId);
}

export async function readSeriesSource(source: ArrayBuffer | Blob | string, request: SeriesRequest, requestId: number): Promise<{ status: 'ok'; series: Series } | DecodeFailure> {
  const name = typeof source === 'string' ? source : source instanceof Blob ? ((source as File).name ?? 'blob') : 'FITS bytes';
  const controller = new AbortController();
  controllers.set(requestId, controller);
  try {
    let bytes: ArrayBuffer;
    if (typeof source === 'string') {
      const r = await fetch(source, { signal: controller.signal });
      if (!r.ok) return { status: 'error', message: `HTTP ${r.status} ${r.statusText} for ${source}`, httpStatus: r.status, retryable: r.status >= 500 };
      bytes = await r.arrayBuffer();
    } else bytes = source instanceof Blob ? await source.arrayBuffer() : source;
    return { status: 'ok', series: seriesFromFits(new Uint8Array(bytes), request) };
  } catch (err) {
    const msg = controller.signal.aborted ? 'the request was cancelled' : ((err as Error)?.message ?? String(err));
    return { status: 'error', message: `${name}: ${msg}`, retryable: false };
  } finally {
    controllers.delete(requestId);
  }
}

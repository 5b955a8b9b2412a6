// A catalogue larger than the device can bind is refused up front with a message (issue 6, "bad
// input"), instead of invalid bind groups that draw nothing; the element's shared device asks for
// the adapter's storage-buffer limits, so 1e7 rows fit wherever the GPU allows it.
import { expect } from '@esm-bundle/chai';
import { CatalogLayer } from '../../src/render/layers/catalogLayer.js';
import { getSharedDevice } from '../../src/elements/sharedDevice.js';
import { GPU_BYTES_PER_ROW } from '../../src/catalog/columns.js';
import { gpuErrors, requestTestDevice } from './renderTarget.js';

describe('catalogue size against GPU limits', () => {
  it('a device with default limits refuses one row more than it can bind, naming the limit', async function () {
    this.timeout(120_000);
    const device = await requestTestDevice(); // default limits
    const maxRows = Math.floor(Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize) / GPU_BYTES_PER_ROW);
    const n = maxRows + 1;
    const raDeg = new Float64Array(n);
    const decDeg = new Float64Array(n);
    let error: Error | undefined;
    try {
      new CatalogLayer(device, 'rgba8unorm', { id: 'too-big', data: { raDeg, decDeg } });
    } catch (e) {
      error = e as Error;
    }
    expect(error?.name).to.equal('CatalogError');
    expect(error?.message).to.contain(`a catalogue of ${n} rows`).and.contain(`at most ${maxRows} rows`).and.contain('maxStorageBufferBindingSize');
    await device.queue.onSubmittedWorkDone();
    expect(gpuErrors).to.deep.equal([]);
    device.destroy();
  });

  it("the element's shared device has the adapter's storage-buffer limits", async () => {
    const adapter = await navigator.gpu.requestAdapter();
    const device = await getSharedDevice();
    expect(device.limits.maxStorageBufferBindingSize).to.equal(adapter!.limits.maxStorageBufferBindingSize);
    expect(device.limits.maxBufferSize).to.equal(adapter!.limits.maxBufferSize);
    expect(device.limits.maxStorageBufferBindingSize).to.be.at.least(2 ** 27);
  });
});

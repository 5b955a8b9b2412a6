// Tables parsed in the decode pool (real workers in Chromium): VOTable BINARY2 and FITS-in-VOTable
// and a FITS BINTABLE light curve from ../shared, given as a URL, a Blob or transferred bytes;
// backpressure (one big job per worker, the rest queued), AbortSignal cancellation of queued and
// running jobs, bad files that never break the pool, and <esasky-sky>.loadCatalogue drawing a
// VOTable with the RA/Dec its UCDs name.
import { expect } from '@esm-bundle/chai';
import '../../src/define.js';
import type { EsaskySky } from '../../src/elements/esaskySky.js';
import { DecodePool } from '../../src/workers/pool.js';
import { sleep } from './renderTarget.js';

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('tables in the decode pool', () => {
  it('parses URL, Blob and transferred bytes to transferred columns', async () => {
    const pool = new DecodePool(2);
    try {
      const url = '/test/fixtures/tables/binary/irsa-nph-m31.binary2.xml';
      const a = await pool.parseTable(url);
      expect(a.format).to.equal('votable');
      expect(a.table.serialization).to.equal('BINARY2');
      expect(a.table.nrows).to.equal(18);
      expect(a.positions?.ra).to.equal('ra');
      expect(a.positions?.raDeg).to.be.instanceOf(Float64Array);
      expect(a.table.byName.j_m.unit).to.equal('mag');

      const bytes = await (await fetch('/test/fixtures/tables/binary/irsa-nph-m31.stilts-fits.xml')).arrayBuffer();
      const b = await pool.parseTable(bytes, { name: 'fits-in-votable' });
      expect(bytes.byteLength, 'the bytes were transferred to the worker').to.equal(0);
      expect(b.table.serialization).to.equal('FITS');
      expect(Array.from(b.positions!.decDeg)).to.deep.equal(Array.from(a.positions!.decDeg));

      const lc = await (await fetch('/shared/data/lightcurves/kplr010666592-2009131110544_slc.fits')).blob();
      const c = await pool.parseTable(lc, { name: 'kepler.fits' });
      expect(c.format).to.equal('fits');
      expect(c.table.byName.TIME.unit).to.equal('BJD - 2454833');
      expect(c.table.byName.SAP_FLUX.values).to.be.instanceOf(Float32Array);
      expect(c.table.nrows).to.equal(14280);
    } finally {
      pool.destroy();
    }
  });

  it('queues big jobs (backpressure), cancels by AbortSignal, survives bad files', async () => {
    const pool = new DecodePool(1);
    try {
      const lc = await (await fetch('/shared/data/lightcurves/tess_00025155310-s01_lc.fits')).blob();
      const first = pool.parseTable(lc, { name: 'first' });
      const abortQueued = new AbortController();
      const second = pool.parseTable(lc, { name: 'second' }, abortQueued.signal);
      const third = pool.parseTable(lc, { name: 'third' });
      expect(pool.running).to.equal(1);
      expect(pool.queued).to.equal(2);
      abortQueued.abort();
      const e2 = await rejection(second);
      expect(e2.name).to.equal('AbortError');
      expect(pool.queued).to.equal(1);
      expect((await first).table.nrows).to.equal(20076);
      expect((await third).table.nrows).to.equal(20076);
      expect(pool.running).to.equal(0);

      // a URL fetch running in the worker is cancelled
      const abortRunning = new AbortController();
      const running = pool.parseTable('/shared/data/lightcurves/tess_00025155310-s01_lc.fits', {}, abortRunning.signal);
      abortRunning.abort(new Error('user closed the panel'));
      expect((await rejection(running)).message).to.equal('user closed the panel');

      // bad input: clear errors, and the pool still works afterwards
      expect((await rejection(pool.parseTable(new Blob(['SIMPLE  =                    T garbage']), { name: 'bad.fits' }))).message).to.match(/bad\.fits/);
      expect((await rejection(pool.parseTable(new TextEncoder().encode('<VOTABLE><RESOURCE><TABLE><FIELD name="a" datatype="int"/><DATA><BINARY2><STREAM encoding="base64">@@@</STREAM></BINARY2></DATA></TABLE></RESOURCE></VOTABLE>').buffer))).message).to.match(/base64/);
      expect((await rejection(pool.decodeFitsImage(new Uint8Array(100).buffer, 0))).message).to.match(/FITS/);
      expect((await rejection(pool.parseTable('/no/such/table.xml'))).message).to.match(/404/);
      expect((await pool.parseTable(lc)).table.nrows).to.equal(20076);
      expect(pool.running).to.equal(0);
    } finally {
      pool.destroy();
    }
  });

  it('<esasky-sky>.loadCatalogue draws a VOTable file at its UCD positions', async () => {
    const sky = document.createElement('esasky-sky') as EsaskySky;
    sky.style.cssText = 'display:block;width:120px;height:90px';
    sky.setAttribute('target', '10.684 41.269');
    sky.setAttribute('fov', '0.05');
    document.body.appendChild(sky);
    try {
      const text = await (await fetch('/shared/data/votable_samples/irsa-nph-m31.xml')).text();
      const id = await sky.loadCatalogue(new File([text], 'irsa-nph-m31.xml'), { color: '#00ff00' });
      expect(sky.getCatalogueIds()).to.include(id);
      for (let i = 0; i < 400 && !sky.getCatalogueStats(id); i++) await sleep(25);
      expect(sky.getCatalogueStats(id)).to.deep.include({ rows: 18 });
      // dropping a table file on the sky loads it as a catalogue too
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'dropped.vot'));
      sky.shadowRoot!.querySelector('canvas')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      for (let i = 0; i < 400 && sky.getCatalogueIds().length < 2; i++) await sleep(25);
      expect(sky.getCatalogueIds()).to.have.length(2);
      const errors: string[] = [];
      sky.addEventListener('layer-error', (e) => errors.push((e as CustomEvent<{ reason: string }>).detail.reason));
      const e = await rejection(sky.loadCatalogue(new File(['x,y\n1,2\n'], 'nopos.csv')));
      expect(e.message).to.match(/nopos\.csv has no RA\/Dec columns/);
      expect(errors.join(' ')).to.contain('nopos.csv');
    } finally {
      sky.remove();
    }
  });
});

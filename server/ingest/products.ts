/**
 * The products ingest (`npm run ingest -- products`): registers the UVES 1-D spectra and the
 * Kepler/TESS light curves of the data kit as two collections of ObsCore rows whose access_url
 * points at this server (/api/products/<collection>/<obs_id>), and copies the files under
 * DATA_DIR/products/<collection>/<obs_id>.fits. Metadata come from the FITS headers (read with the
 * project's reader, src/workers/fits).
 *
 * Idempotent: files are copied atomically (temp name + rename, same bytes every run) before the
 * rows are replaced in one transaction (replaceCollections), so an interrupted run leaves the
 * database as before and at worst an unreferenced file.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readFits, type FitsHeader } from '../../src/workers/fits/index.js';
import type { Database } from '../storage/db.js';
import { replaceCollections, type CollectionsLoad, type LoadOptions, type LoadReport, type ObservationRow } from './load.js';

export const PRODUCTS_SOURCE = 'products';
export const SPECTRA_COLLECTION = 'UVES-spectra';
export const LIGHTCURVES_COLLECTION = 'light-curves';
/** A collection name (as load.ts and openapi.ts's COLLECTION_NAME_PATTERN accept). */
export const PRODUCT_COLLECTION_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';
/** obs_id of a local product: also its file name (without .fits); never a path. */
export const PRODUCT_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$';
const PRODUCT_ID = new RegExp(PRODUCT_ID_PATTERN);

/** True when `id` can name a local product file (no separators, no `..`). */
export function isProductId(id: string): boolean {
  return PRODUCT_ID.test(id) && !id.includes('..');
}

/** Directory of the local products of a collection. */
export function productDir(dataDir: string, collection: string): string {
  return join(dataDir, 'products', collection);
}

/** The access_url path of a local product. */
export function productUrl(collection: string, obsId: string): string {
  return `/api/products/${encodeURIComponent(collection)}/${encodeURIComponent(obsId)}`;
}

interface ProductFile {
  collection: string;
  obsId: string;
  path: string;
  row: ObservationRow;
}

function num(h: FitsHeader, key: string): number | null {
  const v = h.getNumber(key);
  return v === undefined || !Number.isFinite(v) ? null : v;
}

function str(h: FitsHeader, key: string): string | null {
  const v = h.getString(key);
  return v === undefined ? null : v.trim();
}

function fitsFiles(dir: string): string[] {
  if (!existsSync(dir)) throw new Error(`products: ${dir} does not exist`);
  return readdirSync(dir)
    .filter((f) => f.toLowerCase().endsWith('.fits'))
    .sort();
}

function base(collection: string, obsId: string, path: string): ObservationRow {
  if (!isProductId(obsId)) throw new Error(`products: ${path}: file name is not a usable obs_id (${PRODUCT_ID_PATTERN})`);
  return {
    obs_collection: collection,
    obs_id: obsId,
    obs_publisher_did: `ivo://esasky-sky/products?${collection}/${obsId}`,
    access_url: productUrl(collection, obsId),
    access_format: 'application/fits',
    access_estsize: Math.ceil(statSync(path).size / 1024),
  };
}

/** A UVES reduced 1-D spectrum: wavelength axis CRVAL1/CDELT1 in Å on the primary HDU. */
function spectrumRow(path: string): ProductFile {
  const obsId = basename(path).replace(/\.fits$/i, '');
  const h = readFits(readFileSync(path)).hdus[0]!.header;
  const ra = num(h, 'RA');
  const dec = num(h, 'DEC');
  if (ra === null || dec === null) throw new Error(`products: ${path}: no RA/DEC in the primary header`);
  const crval = num(h, 'CRVAL1');
  const cdelt = num(h, 'CDELT1');
  const crpix = num(h, 'CRPIX1') ?? 1;
  const n = num(h, 'NAXIS1');
  const mjd = num(h, 'MJD-OBS');
  const exptime = num(h, 'EXPTIME');
  const ANGSTROM = 1e-10;
  const w = (pix: number): number | null => (crval === null || cdelt === null ? null : (crval + (pix - crpix) * cdelt) * ANGSTROM);
  return {
    collection: SPECTRA_COLLECTION,
    obsId,
    path,
    row: {
      ...base(SPECTRA_COLLECTION, obsId, path),
      dataproduct_type: 'spectrum',
      calib_level: 2,
      target_name: str(h, 'OBJECT'),
      s_ra: ra,
      s_dec: dec,
      t_min: mjd,
      t_max: mjd !== null && exptime !== null ? mjd + exptime / 86400 : mjd,
      t_exptime: exptime,
      em_min: n === null ? null : w(1),
      em_max: n === null ? null : w(n),
      em_xel: n,
      o_ucd: 'phot.flux.density;em.wl',
      facility_name: str(h, 'TELESCOP'),
      instrument_name: str(h, 'INSTRUME'),
    },
  };
}

/** A Kepler/TESS light curve: target in the primary header, times (BJD − BJDREF) on LIGHTCURVE. */
function lightCurveRow(path: string): ProductFile {
  const obsId = basename(path).replace(/\.fits$/i, '');
  const file = readFits(readFileSync(path));
  const h0 = file.hdus[0]!.header;
  const lc = (file.getHdu('LIGHTCURVE') ?? file.hdus[1])?.header;
  if (lc === undefined) throw new Error(`products: ${path}: no LIGHTCURVE extension`);
  const ra = num(h0, 'RA_OBJ') ?? num(lc, 'RA_OBJ');
  const dec = num(h0, 'DEC_OBJ') ?? num(lc, 'DEC_OBJ');
  if (ra === null || dec === null) throw new Error(`products: ${path}: no RA_OBJ/DEC_OBJ`);
  const ref = (num(lc, 'BJDREFI') ?? 0) + (num(lc, 'BJDREFF') ?? 0);
  const mjd = (t: number | null): number | null => (t === null || ref === 0 ? null : ref + t - 2400000.5);
  const exposureD = num(lc, 'EXPOSURE');
  const cadenceD = num(lc, 'TIMEDEL');
  return {
    collection: LIGHTCURVES_COLLECTION,
    obsId,
    path,
    row: {
      ...base(LIGHTCURVES_COLLECTION, obsId, path),
      dataproduct_type: 'timeseries',
      calib_level: 2,
      target_name: str(h0, 'OBJECT'),
      s_ra: ra,
      s_dec: dec,
      t_min: mjd(num(lc, 'TSTART')),
      t_max: mjd(num(lc, 'TSTOP')),
      t_exptime: exposureD === null ? null : exposureD * 86400,
      t_resolution: cadenceD === null ? null : cadenceD * 86400,
      t_xel: num(lc, 'NAXIS2'),
      o_ucd: 'phot.flux',
      facility_name: str(h0, 'TELESCOP'),
      instrument_name: str(h0, 'INSTRUME'),
    },
  };
}

/** The products of the data kit (`kit` = the shared data directory). */
export function productFiles(kit: string): ProductFile[] {
  const spectra = join(kit, 'spectra', 'UVES');
  const curves = join(kit, 'lightcurves');
  return [
    ...fitsFiles(spectra).map((f) => spectrumRow(join(spectra, f))),
    ...fitsFiles(curves).map((f) => lightCurveRow(join(curves, f))),
  ];
}

/** Copies the files under DATA_DIR/products, then replaces the two collections in one transaction. */
export async function ingestProducts(db: Database, kit: string, dataDir: string, opts: LoadOptions = {}): Promise<LoadReport> {
  const files = productFiles(kit);
  for (const f of files) {
    const dir = productDir(dataDir, f.collection);
    mkdirSync(dir, { recursive: true });
    const target = join(dir, `${f.obsId}.fits`);
    const tmp = `${target}.${process.pid}.tmp`;
    copyFileSync(f.path, tmp);
    renameSync(tmp, target);
  }
  const load: CollectionsLoad = {
    source: PRODUCTS_SOURCE,
    credit: 'ESO archive (UVES spectra, astropy-data tutorials); NASA MAST (Kepler and TESS light curves)',
    collections: [
      { name: SPECTRA_COLLECTION, title: 'VLT/UVES 1-D spectra', description: 'Reduced ESO VLT UVES spectra (FITS), downloadable here' },
      { name: LIGHTCURVES_COLLECTION, title: 'Kepler and TESS light curves', description: 'Kepler short-cadence and TESS light curves (FITS), downloadable here' },
    ],
    rows: files.map((f) => f.row),
  };
  return replaceCollections(db, load, opts);
}

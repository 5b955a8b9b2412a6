// The header cards of the FITS files exportFITS writes: the view's WCS (viewWcs.ts) plus what the
// file holds — 'rgb': a cube of colour planes (NAXIS3 = 3, so WCSAXES = 3 with CTYPE3 = 'RGB' and
// CRPIX3/CRVAL3/CDELT3 = 1: plane number);
// 'data': the float values of a FITS survey — and its origin (survey URL, date). Pure.
import type { ViewState } from '../math/camera.js';
import { viewWcsCards, type Card } from './viewWcs.js';

export function exportCards(view: ViewState, kind: 'rgb' | 'data', hipsUrl: string, date = new Date()): Card[] {
  const wcs = viewWcsCards(view);
  const common: Card[] = [
    { key: 'ORIGIN', value: 'esasky-sky' },
    { key: 'HIPSURL', value: hipsUrl.slice(0, 60), comment: 'survey drawn' },
    { key: 'DATE', value: date.toISOString().slice(0, 19) },
  ];
  if (kind === 'data') return [...wcs, ...common];
  return [
    ...wcs.map((c) => (c.key === 'WCSAXES' ? { ...c, value: 3 } : c)),
    { key: 'BUNIT', value: 'RGB', comment: 'colour planes of the rendered view' },
    { key: 'CTYPE3', value: 'RGB' },
    { key: 'CRPIX3', value: 1 },
    { key: 'CRVAL3', value: 1, comment: 'plane 1 red, 2 green, 3 blue' },
    { key: 'CDELT3', value: 1 },
    ...common,
  ];
}

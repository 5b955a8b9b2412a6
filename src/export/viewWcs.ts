// The FITS WCS that describes a rendered view exactly: pixel (1-based, FITS) <-> sky as drawn by
// the camera. Zenithal projections carry the roll in a PC matrix; the others turn their native
// frame about the centre, which FITS expresses with LONPOLE/LATPOLE. Checked against
// astropy.wcs in src/math/projections.test.ts (fixture test/fixtures/projections/make_projections.py).
import { makeCamera, type ViewState } from '../math/camera.js';
import { applyMat3, frameRotation, type FrameName } from '../math/frames.js';
import { ZENITHAL, type ProjectionName } from '../math/projections.js';
import { cross, dot, lonLatDegToVec, rotateAbout, vecToLonLatDeg } from '../math/vec3.js';

export type CardValue = string | number | boolean;
export interface Card {
  readonly key: string;
  readonly value: CardValue;
  readonly comment?: string;
}

const AXES: Record<FrameName, [string, string]> = { icrs: ['RA--', 'DEC-'], galactic: ['GLON', 'GLAT'], ecliptic: ['ELON', 'ELAT'] };
const DEG = Math.PI / 180;

/** WCS cards (CTYPE, CRVAL, CRPIX, CDELT, PC, LONPOLE, LATPOLE, RADESYS, PV) for a view. */
export function viewWcsCards(view: ViewState): Card[] {
  const cam = makeCamera(view);
  const frame = view.frame ?? 'icrs';
  const proj: ProjectionName = view.projection;
  const toFrame = frameRotation('icrs', frame);
  const centreF = applyMat3(toFrame, cam.centre) as number[];
  const [lon0, lat0] = frame === 'icrs' ? [view.raDeg, view.decDeg] : vecToLonLatDeg(centreF);
  const cdelt = (2 * cam.halfWidthPlane) / view.widthPx / DEG;
  const [a1, a2] = AXES[frame];
  const cards: Card[] = [
    { key: 'WCSAXES', value: 2 },
    { key: 'CTYPE1', value: `${a1}-${proj}`, comment: 'projection of the rendered view' },
    { key: 'CTYPE2', value: `${a2}-${proj}` },
    { key: 'CRVAL1', value: lon0, comment: '[deg] view centre' },
    { key: 'CRVAL2', value: lat0, comment: '[deg] view centre' },
    { key: 'CRPIX1', value: (view.widthPx + 1) / 2 },
    { key: 'CRPIX2', value: (view.heightPx + 1) / 2 },
    { key: 'CDELT1', value: -cdelt, comment: '[deg/pixel] east to the left' },
    { key: 'CDELT2', value: cdelt, comment: '[deg/pixel]' },
    { key: 'CUNIT1', value: 'deg' },
    { key: 'CUNIT2', value: 'deg' },
  ];
  const roll = view.rollDeg * DEG;
  if (ZENITHAL.has(proj)) {
    if (view.rollDeg !== 0) {
      cards.push({ key: 'PC1_1', value: Math.cos(roll) }, { key: 'PC1_2', value: -Math.sin(roll) },
        { key: 'PC2_1', value: Math.sin(roll) }, { key: 'PC2_2', value: Math.cos(roll) });
    }
    cards.push({ key: 'LONPOLE', value: 180 });
  } else if (view.rollDeg === 0) {
    cards.push({ key: 'LONPOLE', value: lat0 >= 0 ? 0 : 180 });
  } else {
    // native pole = screen up; give the celestial pole's native longitude and the native pole's latitude
    const c = lonLatDegToVec(lon0, lat0);
    const east = [-Math.sin(lon0 * DEG), Math.cos(lon0 * DEG), 0];
    const north = cross(c, east);
    const up = rotateAbout(north, c, -roll);
    const right = cross(c, up);
    const z = [0, 0, 1];
    const lonpole = ((Math.atan2(-dot(z, right), dot(z, c)) / DEG) % 360 + 360) % 360;
    cards.push({ key: 'LONPOLE', value: lonpole }, { key: 'LATPOLE', value: Math.asin(Math.max(-1, Math.min(1, up[2]))) / DEG });
  }
  if (frame === 'icrs') cards.push({ key: 'RADESYS', value: 'ICRS' });
  if (frame === 'ecliptic') cards.push({ key: 'RADESYS', value: 'ICRS', comment: 'mean ecliptic and equinox of J2000' }, { key: 'EQUINOX', value: 2000 });
  if (proj === 'HPX') cards.push({ key: 'PV2_1', value: 4, comment: 'HPX H' }, { key: 'PV2_2', value: 3, comment: 'HPX K' });
  return cards;
}

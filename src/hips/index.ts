// Public API of the HiPS/HEALPix module (package export `esasky-sky/hips`): re-exports only.
export {
  HEALPIX_MAX_ORDER,
  angularDistanceDeg,
  ang2pix,
  cellPointToVec,
  cellRadiusDeg,
  children,
  corners,
  faceLocalToVec,
  nest2xyf,
  npix,
  nside,
  parent,
  pix2ang,
  pix2vec,
  vec2pix,
  xyf2nest,
} from './healpix.js';
export type { Vec3Out } from './healpix.js';
export {
  HIPS_MAX_ORDER,
  IMAGE_TILE_FORMATS,
  parseHipsProperties,
  validateForImageRendering,
} from './properties.js';
export type { HipsFrame, HipsProperties } from './properties.js';
export { allskyPath, extensionForFormat, joinUrl, tilePath } from './tilePath.js';

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
  HEALPIX_MAX_ORDER_BIG,
  ang2pixBig,
  nest2xyfBig,
  npixBig,
  parentBig,
  pix2angBig,
  pix2vecBig,
  vec2pixBig,
  xyf2nestBig,
} from './healpixBig.js';
export {
  ang2pixRing,
  ang2pixRingBig,
  nest2ring,
  nest2ringBig,
  pix2angRing,
  pix2angRingBig,
  ring2nest,
  ring2nestBig,
} from './healpixRing.js';
export { neighbours, neighboursBig } from './neighbours.js';
export {
  REFINE_LEVELS,
  SphericalPolygon,
  polygonContains,
  queryDisc,
  queryDiscBig,
  queryPolygon,
  queryPolygonBig,
} from './healpixQuery.js';
export type { QueryOptions } from './healpixQuery.js';
export { MocParseError, SpaceMoc, SpaceTimeMoc, TimeMoc, parseMoc, readMoc } from './moc/index.js';
export type { AnyMoc, SpaceTimeEntry } from './moc/index.js';
export {
  HIPS_MAX_ORDER,
  IMAGE_TILE_FORMATS,
  parseHipsProperties,
  validateForImageRendering,
} from './properties.js';
export type { HipsFrame, HipsProperties } from './properties.js';
export { allskyPath, extensionForFormat, joinUrl, tilePath } from './tilePath.js';
export { HIPSLIST_MANDATORY_KEYS, HipsListParseError, parseHipsList } from './hipslist.js';
export type { HipsList, HipsListOptions, HipsListRecord } from './hipslist.js';
export { HipsCatalogError, catalogTilesFor, parseHipsCatalogMetadata, parseHipsCatalogTile } from './catalog.js';
export type { Completeness, HipsCatalogField, HipsCatalogMetadata, HipsCatalogTile } from './catalog.js';
export { COVERAGE_ORDER, CellCoverage } from './mocCoverage.js';
export type { CellFilter } from './mocCoverage.js';
export { HipsLoadError, loadHipsMoc, loadHipsProperties } from './hipsSource.js';
export type { FetchLike, MocLoad } from './hipsSource.js';
export { ang2pixBatch, pix2angBatch } from './healpixBatch.js';
export type { PixArray } from './healpixBatch.js';
export { MAX_DRAW_ORDER, meshOrder, resolutionOrder, selectTiles } from './tileSelection.js';
export type { DrawCell, SelectionInput, TileId, TileSelection } from './tileSelection.js';
// the view that tile selection takes (also exported by the main entry)
export { makeCamera } from '../math/camera.js';
export type { Camera, ViewState } from '../math/camera.js';
export { allskyLayout, allskyTileOrigin, sliceAllskyTile } from './allsky.js';
export type { AllskyLayout, RowOrder } from './allsky.js';

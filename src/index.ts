// Public API of esasky-sky, without side effects (import 'esasky-sky/define' to register the element).
export { EsaskySky } from './elements/esaskySky.js';
export type { ViewChangeDetail, ViewSettledDetail, LayerErrorDetail, WebGpuUnavailableDetail, EsaskySkyEventMap } from './elements/esaskySky.js';
export { getSharedDevice, getSharedDecodePool, WebGpuUnavailableError } from './elements/sharedDevice.js';
export { SkyRenderer, type FrameStats, type SkyRendererOptions } from './render/skyRenderer.js';
export { HipsLayer, type HipsLayerOptions, type HipsLayerStats } from './render/layers/hipsLayer.js';
export { DecodePool } from './workers/pool.js';
export { loadHipsProperties, HipsLoadError } from './hips/hipsSource.js';
export { resolveTargetOffline } from './names/resolve.js';
export * from './math/index.js';
// catalogues: columnar rows drawn as markers or density maps, filtered on the GPU, pickable
export { CatalogLayer, DEFAULT_DENSITY_THRESHOLD, type CatalogLayerOptions, type CatalogLayerStats, type CatalogStyle, type CatalogDrawMode } from './render/layers/catalogLayer.js';
export { Picker, isPickable, type PickableLayer, type PickResult } from './render/picking.js';
export { MAX_FILTERS, CatalogError, type CatalogData, type ColumnData, type RangeFilter } from './catalog/columns.js';
export { MARKER_SHAPES, parseColor, type MarkerShape } from './catalog/style.js';
export type { CatalogueOptions, CatalogueStyle, ShapeEventDetail, CatalogueEventMap } from './catalog/api.js';
export { propagate, propagateColumns, type Astrometry, type ProperMotionOptions } from './catalog/properMotion.js';
export { loadMarkerImage, type MarkerImageSource } from './catalog/markerImage.js';
export { placeLabels, MAX_LABELS, type CatalogLabelOptions, type PlacedLabel } from './catalog/labelLayout.js';
// footprints: STC-S / DALI regions tessellated in workers, drawn as outlines and fills, pickable
export { parseStcs, daliPolygon, daliCircle, daliPoint, StcsError, type SkyRegion } from './footprints/stcs.js';
export { tessellateFootprints, toleranceForView, type FootprintGeometry, type FootprintInput } from './footprints/tessellate.js';
export { FootprintLayer, type FootprintLayerOptions, type FootprintLayerStats, type FootprintStyle } from './render/layers/footprintLayer.js';
export { FootprintError, type FootprintProblem } from './footprints/footprintSets.js';
export type { FootprintOptions, FootprintsInput, FootprintEventDetail, FootprintRow } from './footprints/api.js';
// MOCs drawn by the element (addMoc) and GW credible regions of multi-order sky maps
export { resolveMoc, type MocInput, type MocOptions, type MocInfo } from './moc/mocSets.js';
export { mocGeometry, MAX_DRAW_ORDER } from './moc/mocGeometry.js';
export { credibleRegions, readMultiOrderMap, type CredibleRegion, type MultiOrderMap } from './moc/credible.js';
// progressive HiPS catalogues (addCatalogueHips): only the tiles the view needs, brightest first
export { ProgressiveCatalogLayer, type ProgressiveCatalogOptions, type ProgressiveCatalogStats } from './render/layers/progressiveCatalogLayer.js';
export { planCatalogTiles, catalogViewOrder, CELLS_ACROSS, type CatalogView, type CatalogPlan } from './catalog/progressivePlan.js';
export { CatalogTileLoader, WORKER_PARSE_BYTES, type CatalogTileLoaderOptions, type CatalogTileState } from './catalog/progressiveTiles.js';
export { loadHipsCatalogSource, HipsCatalogSourceError, type HipsCatalogSource } from './catalog/hipsCatalogSource.js';
export type { CatalogueHipsOptions, CatalogueHipsState, CatalogueHipsEventDetail } from './catalog/catalogueHipsSets.js';
// instrument FoV templates (addFovTemplate): placed at a pointing and PA, dragged and turned
export { parseFovShapes, placeFovTemplate, offsetToSky, skyToOffset, positionAngleDeg, insideFovTemplate, NIRCAM_TEMPLATE, FovTemplateError, type FovShape, type FovPlacement } from './footprints/fovTemplate.js';
export { FOV_TEMPLATES, type FovTemplateOptions, type FovChangeDetail } from './footprints/fovTemplates.js';

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

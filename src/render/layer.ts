// The contract between the render core and its layers: every layer is prepared on the CPU for a
// camera (uploads under the shared frame budget), then encodes its draws into the frame's render
// pass. Layers own their GPU objects and free them in destroy().
import type { Camera } from '../math/camera.js';
import type { UploadBudget } from './uploadBudget.js';

/** A blend from another projection toward the camera's, for animated projection changes. */
export interface ProjectionTransition {
  readonly camera: Camera;
  /** Weight of the target projection, 0..1. */
  readonly mix: number;
}

export interface RenderLayer {
  readonly id: string;
  /** CPU work for this frame: selection, uploads within `budget`, uniform and buffer writes. */
  prepare(camera: Camera, budget: UploadBudget, transition?: ProjectionTransition): void;
  /** Draw calls into the frame's single render pass. */
  encode(pass: GPURenderPassEncoder): void;
  /** True when the layer has drawn everything the current view wants. */
  readonly settled: boolean;
  /** Decoded data waits for upload: ask for another frame. */
  readonly hasPendingUploads: boolean;
  destroy(): void;
}

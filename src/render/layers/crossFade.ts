// The parent -> child cross-fade rule of a HiPS layer (pure): whether a cell whose tile has just
// reached the GPU blends over what was on screen there before, and with what weight.
//
// A tile fades in only when it replaces something the user has seen: the cell (or a coarser cell
// containing it) was drawn in the previous frame from a tile of a lower order — a visibly coarser
// parent. A tile over empty sky, on the first frame of a layer, or in a cell that has just come
// into view is drawn fully at once: there is nothing to blend from, so a fade would only delay it.
//
// FADE_MS = 120: long enough to read as a transition rather than a pop (about 7 frames at 60 Hz;
// below ~100 ms a change reads as instantaneous), about half of Aladin Lite 3.8's 200 ms
// (BLENDING_ANIM_DURATION in its app.rs; it fades every tile from its start time, whether or not
// anything was under it). The weight is measured from arrival, so on a slow GPU where frames are
// longer than the fade the tile is drawn fully on its first frame.
//
// And no fade at all where the GPU takes more than half the fade per frame (FADE_SKIP_FRAME_MS;
// SwiftShader: 30-120 ms at 1280x720): there a fade shows at most one step between the parent and
// the child — no transition, only one more slow frame before the view is complete.
import { tileKey } from '../../hips/tileManager.js';

/** Duration of the parent -> child cross-fade, ms. */
export const FADE_MS = 120;

/** GPU time per frame above which tiles are drawn without a fade (it could show one step at most), ms. */
export const FADE_SKIP_FRAME_MS = FADE_MS / 2;

/**
 * The order of the tile that was drawn over cell (order, ipix) in the previous frame, looking at
 * the cell itself and then at the coarser cells that contain it; undefined when nothing was drawn
 * there. `shown` maps tileKey(cellOrder, cellIpix) -> order of the tile fully drawn in that cell.
 */
export function shownOrderAt(shown: ReadonlyMap<number, number>, order: number, ipix: number): number | undefined {
  for (let o = order; o >= 0; o--) {
    const s = shown.get(tileKey(o, Math.floor(ipix / 4 ** (order - o))));
    if (s !== undefined) return s;
  }
  return undefined;
}

/**
 * Weight of a tile of order `tileOrder` that reached the GPU at `arrivedMs` (undefined: long ago),
 * drawn at `nowMs` over a cell where a tile of order `shownOrderBefore` was drawn in the previous
 * frame (undefined: nothing), when the GPU takes `gpuFrameMs` per frame. Returns 1 (draw fully, no
 * fade) or a weight in [0, 1) to blend the tile over its ancestor.
 */
export function fadeWeight(nowMs: number, arrivedMs: number | undefined, tileOrder: number, shownOrderBefore: number | undefined, fadeMs = FADE_MS,
  gpuFrameMs = 0, skipFrameMs = FADE_SKIP_FRAME_MS): number {
  if (arrivedMs === undefined || shownOrderBefore === undefined || shownOrderBefore >= tileOrder) return 1;
  if (gpuFrameMs > skipFrameMs) return 1;
  const t = (nowMs - arrivedMs) / fadeMs;
  return t >= 1 || !(t === t) ? 1 : Math.max(0, t);
}

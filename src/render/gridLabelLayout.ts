// Placement of grid labels, pure: each label anchor (where a grid line meets the view's edge, or a
// HEALPix cell's centre) gets a text box beside it; the boxes are kept greedily in order when they
// lie wholly inside the view, wholly inside the projection's image (all-sky boundaries) and overlap
// no box already kept. No DOM, no GPU: the GridLayer draws what this returns.
import type { GridLabel } from './gridLines.js';
import { pixelToNdc, type Camera } from '../math/camera.js';
import { boundaryFunction } from '../math/projections.js';

/** A label with its text box (device pixels, y down; the text starts at x0 + padPx, centred on yMid). */
export interface PlacedGridLabel {
  readonly text: string;
  readonly kind: GridLabel['kind'];
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

export type DropReason = 'outside-view' | 'outside-projection' | 'overlap';

export interface GridLabelLayout {
  readonly placed: PlacedGridLabel[];
  /** Labels left out, with their would-be boxes and why (for tests and diagnostics). */
  readonly dropped: Array<PlacedGridLabel & { readonly reason: DropReason }>;
}

export interface GridLabelMetrics {
  /** Text width, device pixels. */
  readonly measure: (text: string) => number;
  /** Font size, device pixels. */
  readonly fontPx: number;
}

/** Gap between a line's end and its label, and the clear margin kept around every box, device px. */
export function labelGapPx(fontPx: number): number {
  return Math.max(2, Math.round(fontPx / 5));
}

/**
 * The box of one label: a meridian's label sits above its anchor, centred on it (the anchor is
 * near the bottom edge); a parallel's starts right of its anchor, centred vertically (left edge);
 * a cell label is centred on its anchor. Height: 1.25 × font size; width: the text's plus padding.
 */
export function gridLabelBox(label: GridLabel, m: GridLabelMetrics): PlacedGridLabel {
  const pad = 1;
  const w = m.measure(label.text) + 2 * pad;
  const h = Math.ceil(m.fontPx * 1.25);
  const gap = labelGapPx(m.fontPx);
  let x0: number;
  let y0: number;
  if (label.kind === 'lon') {
    x0 = label.xPx - w / 2;
    y0 = label.yPx - gap - h;
  } else if (label.kind === 'lat') {
    x0 = label.xPx + gap;
    y0 = label.yPx - h / 2;
  } else {
    x0 = label.xPx - w / 2;
    y0 = label.yPx - h / 2;
  }
  return { text: label.text, kind: label.kind, x0, y0, x1: x0 + w, y1: y0 + h };
}

/** Do two boxes come closer than `marginPx`? */
export function boxesOverlap(a: PlacedGridLabel, b: PlacedGridLabel, marginPx: number): boolean {
  return a.x0 < b.x1 + marginPx && b.x0 < a.x1 + marginPx && a.y0 < b.y1 + marginPx && b.y0 < a.y1 + marginPx;
}

/**
 * Greedy placement in the labels' order. `insideImage(xPx, yPx)` says whether a device pixel lies
 * inside the projection's image (always true for TAN/STG); a box is kept only if its corners and
 * edge midpoints all do.
 */
export function placeGridLabels(
  labels: readonly GridLabel[],
  m: GridLabelMetrics,
  viewWidthPx: number,
  viewHeightPx: number,
  insideImage: (xPx: number, yPx: number) => boolean,
): GridLabelLayout {
  const placed: PlacedGridLabel[] = [];
  const dropped: Array<PlacedGridLabel & { reason: DropReason }> = [];
  const margin = labelGapPx(m.fontPx);
  for (const label of labels) {
    if (label.text === '' || !Number.isFinite(label.xPx) || !Number.isFinite(label.yPx)) continue;
    const b = gridLabelBox(label, m);
    if (b.x0 < 0 || b.y0 < 0 || b.x1 > viewWidthPx || b.y1 > viewHeightPx) {
      dropped.push({ ...b, reason: 'outside-view' });
      continue;
    }
    const xm = (b.x0 + b.x1) / 2;
    const ym = (b.y0 + b.y1) / 2;
    const probes: Array<[number, number]> = [[b.x0, b.y0], [xm, b.y0], [b.x1, b.y0], [b.x1, ym], [b.x1, b.y1], [xm, b.y1], [b.x0, b.y1], [b.x0, ym]];
    if (!probes.every(([x, y]) => insideImage(x, y))) {
      dropped.push({ ...b, reason: 'outside-projection' });
      continue;
    }
    if (placed.some((p) => boxesOverlap(p, b, margin))) {
      dropped.push({ ...b, reason: 'overlap' });
      continue;
    }
    placed.push(b);
  }
  return { placed, dropped };
}

/** `insideImage` for a camera: inside the projection's outer boundary (everywhere for TAN/STG). */
export function insideProjectionImage(cam: Camera): (xPx: number, yPx: number) => boolean {
  const v = cam.view;
  return (xPx, yPx) => {
    const [nx, ny] = pixelToNdc(v, xPx, yPx);
    const f = boundaryFunction(v.projection, nx * cam.halfWidthPlane, ny * cam.halfHeightPlane);
    return f === undefined || f <= 0;
  };
}

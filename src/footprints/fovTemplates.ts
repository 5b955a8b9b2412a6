// The element's FoV templates (addFovTemplate): each keeps its shapes (arcmin offsets), its
// placement (pointing, PA) and style, and while a renderer exists a FootprintLayer with the placed
// outline (tessellated on the main thread: a template is a handful of polygons, ~0.1 ms). Pointer
// input: a press inside a draggable template moves it (the template centre keeps its pixel offset
// from the pointer, so a template grabbed at its centre ends with its centre under the pointer);
// with Shift (or a template that is only rotatable) it turns it about its centre by the change of
// the pointer's position angle seen from the centre. Each change raises `fov-change`. Drag state:
// idle -> moving | rotating -> idle (pointerup / pointercancel). No DOM beyond the canvas's
// pointer events: the element hands in callbacks.
import type { SkyRenderer } from '../render/skyRenderer.js';
import { FootprintLayer, type FootprintStyle } from '../render/layers/footprintLayer.js';
import { makeCamera, pixelToNdc, project, unproject, type ViewState } from '../math/camera.js';
import { ZENITHAL } from '../math/projections.js';
import { lonLatDegToVec, vecToLonLatDeg } from '../math/vec3.js';
import { parseColor } from '../catalog/style.js';
import { tessellateFootprints, toleranceForView, type FootprintGeometry } from './tessellate.js';
import { RendererBoundSets } from '../render/rendererBoundSets.js';
import {
  checkPlacement, FovTemplateError, insideFovTemplate, NIRCAM_TEMPLATE, parseFovShapes, placeFovTemplate, positionAngleDeg, skyToOffset,
  type FovPlacement, type FovShape,
} from './fovTemplate.js';

/** Built-in templates by name. */
export const FOV_TEMPLATES: Readonly<Record<string, readonly string[]>> = { 'jwst-nircam': NIRCAM_TEMPLATE };

export interface FovTemplateOptions extends Omit<FootprintStyle, 'colors'> {
  readonly id?: string;
  /** STC-S POLYGON / CIRCLE strings or shapes in arcmin offsets, or a built-in template's name ('jwst-nircam'). */
  readonly shapes: ReadonlyArray<string | FovShape> | string;
  readonly raDeg: number;
  readonly decDeg: number;
  /** Position angle of the template's +y axis, degrees east of north (default 0). */
  readonly paDeg?: number;
  /** Moved by dragging it with the pointer (default true). */
  readonly draggable?: boolean;
  /** Turned by Shift+drag (default true). */
  readonly rotatable?: boolean;
}

/** detail of `fov-change`. */
export interface FovChangeDetail extends FovPlacement {
  readonly id: string;
  /** What changed it: a drag, a Shift+drag, or setFovTemplate. */
  readonly action: 'move' | 'rotate' | 'set';
  /** True on the pointerup that ends a drag (and for setFovTemplate). */
  readonly final: boolean;
}

interface Entry {
  readonly shapes: FovShape[];
  placement: FovPlacement;
  style: FootprintStyle;
  readonly draggable: boolean;
  readonly rotatable: boolean;
  layer: FootprintLayer | undefined;
}

type Drag =
  | { readonly id: string; readonly pointerId: number; readonly mode: 'move'; readonly grabOffsetPx: [number, number] }
  | { readonly id: string; readonly pointerId: number; readonly mode: 'rotate'; readonly startPointerPaDeg: number; readonly startPaDeg: number };

export interface FovTemplateHost {
  renderer(): SkyRenderer | undefined;
  /** The element's current view (device pixels). */
  view(): ViewState;
  /** Device pixels of a pointer event, from the canvas's top-left corner. */
  devicePx(e: PointerEvent): [number, number];
  pixelRatio(): number;
  requestFrame(): void;
  emit(detail: FovChangeDetail): void;
}

export class FovTemplates extends RendererBoundSets<Entry> {
  private readonly host: FovTemplateHost;
  private drag: Drag | undefined;
  private canvasSeen: HTMLCanvasElement | undefined;

  constructor(host: FovTemplateHost) {
    super('FoV template', () => host.renderer());
    this.host = host;
  }

  add(options: FovTemplateOptions): string {
    if (!options || typeof options !== 'object') throw new FovTemplateError('addFovTemplate needs { shapes, raDeg, decDeg, paDeg? }');
    const { id: givenId, shapes: given, raDeg, decDeg, paDeg, draggable, rotatable, ...style } = options;
    const id = givenId ?? `fov-${++this.seq}`;
    if (this.entries.has(id)) throw new RangeError(`a FoV template with id '${id}' is already shown`);
    let list: ReadonlyArray<string | FovShape>;
    if (typeof given === 'string') {
      const named = FOV_TEMPLATES[given.toLowerCase()];
      if (!named) throw new FovTemplateError(`unknown FoV template '${given}': give shapes, or one of ${Object.keys(FOV_TEMPLATES).join(', ')}`);
      list = named;
    } else {
      list = given;
    }
    const shapes = parseFovShapes(list);
    const placement = checkPlacement({ raDeg, decDeg, paDeg: paDeg ?? 0 });
    parseColor(style.color, [1, 1, 1, 1]);
    parseColor(style.highlightColor, [1, 1, 1, 1]);
    this.entries.set(id, { shapes, placement, style, draggable: draggable ?? true, rotatable: rotatable ?? true, layer: undefined });
    this.sync();
    return id;
  }

  remove(id: string): void {
    const e = this.entry(id);
    this.entries.delete(id);
    if (this.drag?.id === id) this.drag = undefined;
    if (e.layer && this.host.renderer()?.getLayers().includes(e.layer)) this.host.renderer()!.removeLayer(e.layer);
    else e.layer?.destroy();
    this.host.requestFrame();
  }

  get(id: string): FovPlacement {
    return { ...this.entry(id).placement };
  }

  /** Move / turn a template (only the given fields); raises fov-change with action 'set'. */
  set(id: string, to: Partial<FovPlacement>): void {
    const e = this.entry(id);
    this.place(id, e, checkPlacement({ ...e.placement, ...to }));
    this.host.emit({ id, ...e.placement, action: 'set', final: true });
  }

  /** Sky polygons (ICRS degrees) of a template as placed now. */
  regions(id: string): ReturnType<typeof placeFovTemplate> {
    const e = this.entry(id);
    return placeFovTemplate(e.shapes, e.placement);
  }

  /** Build missing layers on the current renderer; listen to the canvas once. */
  sync(canvas?: HTMLCanvasElement): void {
    if (canvas && canvas !== this.canvasSeen) this.listen(canvas);
    const renderer = this.currentRenderer();
    if (!renderer) return;
    for (const [id, e] of this.entries) {
      if (e.layer) continue;
      const geometry = this.tessellate(e, this.tolerance());
      e.layer = renderer.addLayer(new FootprintLayer(renderer.device, renderer.format, {
        ...e.style, id, geometry, pixelRatio: this.host.pixelRatio(), picking: false,
        retessellate: async (toleranceRad) => this.tessellate(e, toleranceRad),
        onChange: () => this.host.requestFrame(),
      }));
      renderer.moveLayer(e.layer, renderer.getLayers().length - 1);
    }
    this.host.requestFrame();
  }

  private place(_id: string, e: Entry, placement: FovPlacement): void {
    e.placement = placement;
    if (e.layer) e.layer.setGeometry(this.tessellate(e, e.layer.stats.toleranceRad));
    this.host.requestFrame();
  }

  private tessellate(e: Entry, toleranceRad: number): FootprintGeometry {
    return tessellateFootprints(placeFovTemplate(e.shapes, e.placement), { toleranceRad, fill: e.style.fill ?? false });
  }

  private tolerance(): number {
    const cam = makeCamera(this.host.view());
    return toleranceForView({ widthPx: cam.view.widthPx, halfWidthPlane: cam.halfWidthPlane, radiusRad: cam.radiusRad, zenithal: ZENITHAL.has(cam.view.projection) });
  }

  // ---- pointer ----

  private skyAt(xPx: number, yPx: number): [number, number] | undefined {
    const view = this.host.view();
    const cam = makeCamera(view);
    const v = unproject(cam, ...pixelToNdc(view, xPx, yPx));
    return v ? vecToLonLatDeg(v) : undefined;
  }

  private pixelOf(raDeg: number, decDeg: number): [number, number] | undefined {
    const view = this.host.view();
    const p = project(makeCamera(view), lonLatDegToVec(raDeg, decDeg));
    return p ? [((p[0] + 1) / 2) * view.widthPx, ((1 - p[1]) / 2) * view.heightPx] : undefined;
  }

  private listen(canvas: HTMLCanvasElement): void {
    this.canvasSeen = canvas;
    // capture listeners on the canvas run before the element's pan and the catalogue clicks
    canvas.addEventListener('pointerdown', (ev) => this.down(ev, canvas), { capture: true });
    canvas.addEventListener('pointermove', (ev) => this.move(ev), { capture: true });
    canvas.addEventListener('pointerup', (ev) => this.up(ev, canvas), { capture: true });
    canvas.addEventListener('pointercancel', (ev) => this.up(ev, canvas), { capture: true });
  }

  private down(ev: PointerEvent, canvas: HTMLCanvasElement): void {
    if (ev.button !== 0 || this.drag || this.entries.size === 0) return;
    const px = this.host.devicePx(ev);
    const sky = this.skyAt(...px);
    if (!sky) return;
    const hits = [...this.entries].reverse(); // the last added is drawn on top
    for (const [id, e] of hits) {
      if (!e.draggable && !e.rotatable) continue;
      const off = skyToOffset(e.placement, sky[0], sky[1]);
      if (!off || !insideFovTemplate(e.shapes, off[0], off[1])) continue;
      const rotate = e.rotatable && (ev.shiftKey || !e.draggable);
      if (rotate) {
        this.drag = { id, pointerId: ev.pointerId, mode: 'rotate', startPaDeg: e.placement.paDeg, startPointerPaDeg: positionAngleDeg(e.placement.raDeg, e.placement.decDeg, sky[0], sky[1]) };
      } else {
        const c = this.pixelOf(e.placement.raDeg, e.placement.decDeg);
        if (!c) continue;
        this.drag = { id, pointerId: ev.pointerId, mode: 'move', grabOffsetPx: [px[0] - c[0], px[1] - c[1]] };
      }
      ev.stopImmediatePropagation();
      ev.preventDefault();
      try {
        canvas.setPointerCapture(ev.pointerId);
      } catch {
        // synthetic events have no active pointer to capture
      }
      return;
    }
  }

  private move(ev: PointerEvent): boolean {
    const d = this.drag;
    if (!d || ev.pointerId !== d.pointerId) return false;
    ev.stopImmediatePropagation();
    const e = this.entries.get(d.id);
    if (!e) return true;
    const px = this.host.devicePx(ev);
    let next: FovPlacement | undefined;
    if (d.mode === 'move') {
      const sky = this.skyAt(px[0] - d.grabOffsetPx[0], px[1] - d.grabOffsetPx[1]);
      if (sky) next = { ...e.placement, raDeg: sky[0], decDeg: sky[1] };
    } else {
      const sky = this.skyAt(...px);
      if (sky) {
        const now = positionAngleDeg(e.placement.raDeg, e.placement.decDeg, sky[0], sky[1]);
        next = { ...e.placement, paDeg: d.startPaDeg + now - d.startPointerPaDeg };
      }
    }
    if (next) {
      this.place(d.id, e, checkPlacement(next));
      this.host.emit({ id: d.id, ...e.placement, action: d.mode, final: false });
    }
    return true;
  }

  private up(ev: PointerEvent, canvas: HTMLCanvasElement): void {
    const d = this.drag;
    if (!d || ev.pointerId !== d.pointerId) return;
    this.move(ev);
    this.drag = undefined;
    try {
      canvas.releasePointerCapture(ev.pointerId);
    } catch {
      // not captured
    }
    const e = this.entries.get(d.id);
    if (e) this.host.emit({ id: d.id, ...e.placement, action: d.mode, final: true });
  }


}

declare global {
  interface HTMLElementEventMap {
    'fov-change': CustomEvent<FovChangeDetail>;
  }
}

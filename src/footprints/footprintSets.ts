// The element's footprint sets: each keeps its input, its tessellated geometry and (while a
// renderer exists) its FootprintLayer; layers are rebuilt from the kept geometry when the renderer
// changes (device loss). Tessellation runs in the decode worker pool. No DOM: the element hands in
// callbacks for its renderer, frames and events.
import type { SkyRenderer } from '../render/skyRenderer.js';
import { FootprintLayer, type FootprintLayerStats, type FootprintStyle } from '../render/layers/footprintLayer.js';
import type { PickResult } from '../render/picking.js';
import { ZENITHAL } from '../math/projections.js';
import type { DecodePool } from '../workers/pool.js';
import { footprintInputs, type FootprintEventDetail, type FootprintOptions, type FootprintRow, type FootprintsInput } from './api.js';
import type { SkyRegion } from './stcs.js';
import { parseColor } from '../catalog/style.js';
import { BASE_TOLERANCE_RAD, toleranceForView, type FootprintGeometry, type FootprintInput } from './tessellate.js';
import { RendererBoundSets } from '../render/rendererBoundSets.js';

/** A footprint that could not be read (or only partly drawn). */
export interface FootprintProblem {
  readonly index: number;
  readonly level: 'error' | 'warning';
  readonly message: string;
}

/** overlayFootprints rejects with this when no footprint (or, strict, not every one) could be read. */
export class FootprintError extends Error {
  readonly problems: readonly FootprintProblem[];
  constructor(message: string, problems: readonly FootprintProblem[]) {
    super(message);
    this.name = 'FootprintError';
    this.problems = problems;
  }
}

interface Entry {
  readonly inputs: FootprintInput[];
  readonly given: ReadonlyArray<string | SkyRegion | FootprintRow>;
  style: FootprintStyle;
  geometry: FootprintGeometry | undefined;
  layer: FootprintLayer | undefined;
  problems: readonly FootprintProblem[];
}

export interface FootprintHost {
  renderer(): SkyRenderer | undefined;
  pool(): DecodePool;
  pixelRatio(): number;
  requestFrame(): void;
  reportProblem(id: string, problem: FootprintProblem): void;
}

/** Most problems reported as events per set (all are kept in problems()). */
const MAX_REPORTED = 20;

export class FootprintSets extends RendererBoundSets<Entry> {
  private readonly host: FootprintHost;

  constructor(host: FootprintHost) {
    super('footprint set', () => host.renderer());
    this.host = host;
  }

  async add(input: FootprintsInput, options: FootprintOptions = {}): Promise<string> {
    const { inputs, given } = footprintInputs(input, options.regionColumn);
    const id = options.id ?? `footprints-${++this.seq}`;
    if (this.entries.has(id)) throw new RangeError(`a footprint set with id '${id}' is already shown`);
    const { id: _id, regionColumn: _rc, strict, ...style } = options;
    // style errors now, not after the workers' time
    validateStyle(style, inputs.length);
    const entry: Entry = { inputs, given, style, geometry: undefined, layer: undefined, problems: [] };
    this.entries.set(id, entry);
    try {
      const geometry = await this.tessellate(entry, this.initialTolerance());
      if (this.entries.get(id) !== entry) return id; // removed while tessellating
      const problems = geometry.problems;
      const errors = problems.filter((p) => p.level === 'error');
      if ((strict && errors.length > 0) || (errors.length > 0 && errors.length === inputs.length)) {
        throw new FootprintError(`${errors.length} of ${inputs.length} footprints could not be read; first: footprint ${errors[0]!.index}: ${errors[0]!.message}`, problems);
      }
      entry.geometry = geometry;
      entry.problems = problems;
      problems.slice(0, MAX_REPORTED).forEach((p) => this.host.reportProblem(id, p));
      this.sync();
      return id;
    } catch (e) {
      if (this.entries.get(id) === entry) this.entries.delete(id);
      throw e;
    }
  }

  remove(id: string): void {
    const e = this.entry(id);
    this.entries.delete(id);
    if (e.layer) this.host.renderer()?.removeLayer(e.layer);
    this.host.requestFrame();
  }

  setStyle(id: string, style: FootprintStyle): void {
    const e = this.entry(id);
    validateStyle({ ...e.style, ...style }, e.inputs.length);
    e.style = { ...e.style, ...style };
    e.layer?.setStyle(style);
    this.host.requestFrame();
  }

  select(id: string, index: number | undefined): void {
    const e = this.entry(id);
    for (const o of this.entries.values()) if (o !== e) o.layer?.select(undefined);
    if (index !== undefined && !(Number.isInteger(index) && index >= 0 && index < e.inputs.length)) {
      throw new RangeError(`footprint index ${index} outside 0..${e.inputs.length - 1}`);
    }
    e.layer?.select(index);
    this.host.requestFrame();
  }

  selection(id: string): number | undefined {
    return this.entry(id).layer?.selection;
  }

  problems(id: string): readonly FootprintProblem[] {
    return this.entry(id).problems;
  }

  stats(id: string): FootprintLayerStats | undefined {
    return this.entry(id).layer?.stats;
  }

  /** The footprint a pick hit, if it is one of ours. */
  detail(hit: PickResult | undefined): FootprintEventDetail | undefined {
    if (!hit) return undefined;
    const e = this.entries.get(hit.layerId);
    if (!e?.layer || e.layer !== hit.layer) return undefined;
    const p = e.layer.anchorPosition(hit.row);
    return { kind: 'footprint', layer: hit.layerId, row: hit.row, raDeg: p.raDeg, decDeg: p.decDeg, footprint: e.given[hit.row]! };
  }

  /** After a click: the hit footprint selected, every other set's selection cleared. */
  selectHit(hit: FootprintEventDetail | undefined): void {
    for (const [id, e] of this.entries) e.layer?.select(hit && id === hit.layer ? hit.row : undefined);
  }

  /** Build missing layers on the current renderer (all of them after a renderer change). */
  sync(): void {
    const renderer = this.currentRenderer();
    if (!renderer) return;
    for (const [id, e] of this.entries) {
      if (e.layer || !e.geometry) continue;
      e.layer = renderer.addLayer(new FootprintLayer(renderer.device, renderer.format, {
        ...e.style, id, geometry: e.geometry, pixelRatio: this.host.pixelRatio(),
        retessellate: (toleranceRad) => this.tessellate(e, toleranceRad).then((g) => {
          e.geometry = g;
          return g;
        }),
        onChange: () => this.host.requestFrame(),
      }));
    }
    this.host.requestFrame();
  }


  private tessellate(e: Entry, toleranceRad: number): Promise<FootprintGeometry> {
    return this.host.pool().tessellateFootprints(e.inputs, { toleranceRad, fill: true });
  }

  private initialTolerance(): number {
    const cam = this.host.renderer()?.getCamera();
    if (!cam) return BASE_TOLERANCE_RAD;
    return toleranceForView({ widthPx: cam.view.widthPx, halfWidthPlane: cam.halfWidthPlane, radiusRad: cam.radiusRad, zenithal: ZENITHAL.has(cam.view.projection) });
  }

}

function validateStyle(style: FootprintStyle, count: number): void {
  const n = (v: unknown, name: string, lo: number, hi: number) => {
    if (v !== undefined && !(typeof v === 'number' && v >= lo && v <= hi)) throw new RangeError(`${name} must be a number in ${lo}..${hi}, got ${String(v)}`);
  };
  n(style.lineWidthPx, 'lineWidthPx', 0.25, 64);
  n(style.fillOpacity, 'fillOpacity', 0, 1);
  n(style.pointSizePx, 'pointSizePx', 0, 64);
  if (style.colors !== undefined && style.colors.length !== count) throw new RangeError(`colors has ${style.colors.length} entries for ${count} footprints`);
  const white: [number, number, number, number] = [1, 1, 1, 1];
  parseColor(style.color, white);
  parseColor(style.highlightColor, white);
  style.colors?.forEach((c) => parseColor(c, white));
}

// The element's MOC layers: addMoc input (a SpaceMoc, a URL, MOC JSON/ASCII text, a JSON object,
// FITS bytes) -> SpaceMoc -> geometry in a decode worker (mocGeometry) -> a non-pickable
// FootprintLayer drawing fill, outline and/or perimeter. Layers are rebuilt from the kept geometry
// when the renderer changes. No DOM: the element hands in its renderer, pool and frame callbacks.
import { SpaceMoc } from '../hips/moc/spaceMoc.js';
import { readMoc } from '../hips/moc/read.js';
import { FootprintLayer } from '../render/layers/footprintLayer.js';
import type { SkyRenderer } from '../render/skyRenderer.js';
import type { DecodePool } from '../workers/pool.js';
import { parseColor } from '../catalog/style.js';
import type { FootprintGeometry } from '../footprints/tessellate.js';
import { RendererBoundSets } from '../render/rendererBoundSets.js';

/** What addMoc draws: a MOC, its URL, its JSON/ASCII text, a MOC JSON object, or FITS bytes. */
export type MocInput = SpaceMoc | string | Readonly<Record<string, readonly number[]>> | ArrayBuffer | ArrayBufferView;

export interface MocOptions {
  readonly id?: string;
  /** Fill the cells (default true). */
  readonly fill?: boolean;
  /** Draw every cell's sides (default false). */
  readonly outline?: boolean;
  /** Draw the boundary of the union (default true). */
  readonly perimeter?: boolean;
  /** '#rrggbb', '#rrggbbaa' or [r, g, b, a] (default '#64b5f6'). */
  readonly color?: string | readonly number[];
  /** Fill opacity (default 0.3). */
  readonly opacity?: number;
  /** Outline / perimeter width, CSS pixels (default 1.5). */
  readonly lineWidthPx?: number;
  /** Deepest HEALPix order drawn (default 24; deeper cells are degraded, i.e. slightly enlarged; MOCs of more than 200 000 cells are degraded until they have no more). */
  readonly maxDrawOrder?: number;
}

export interface MocInfo {
  readonly maxOrder: number;
  readonly drawOrder: number;
  readonly cells: number;
  readonly areaSqDeg: number;
}

/** Reads addMoc's input into a space MOC; a URL is fetched (by `fetchBytes`). */
export async function resolveMoc(input: MocInput, fetchBytes: (url: string) => Promise<ArrayBuffer>): Promise<SpaceMoc> {
  if (input instanceof SpaceMoc) return input;
  let moc: unknown;
  if (typeof input === 'string') {
    const t = input.trim();
    const looksLikeText = t.startsWith('{') || t.startsWith('[') || /^(s\/)?\d+\/(\d|\s|$)/.test(t);
    moc = looksLikeText ? readMoc(t) : readMoc(await fetchBytes(t));
  } else if (input instanceof ArrayBuffer || ArrayBuffer.isView(input)) {
    moc = readMoc(input);
  } else if (typeof input === 'object' && input !== null) {
    moc = readMoc(JSON.stringify(input));
  } else {
    throw new TypeError(`a MOC must be a SpaceMoc, a URL, MOC text, a MOC JSON object or FITS bytes, got ${input === null ? 'null' : typeof input}`);
  }
  if (!(moc instanceof SpaceMoc)) throw new TypeError('this is a time or space-time MOC: addMoc draws space MOCs');
  return moc;
}

interface Entry {
  readonly moc: SpaceMoc;
  readonly options: MocOptions;
  readonly geometry: FootprintGeometry & { drawOrder: number };
  layer: FootprintLayer | undefined;
}

export interface MocHost {
  renderer(): SkyRenderer | undefined;
  pool(): DecodePool;
  pixelRatio(): number;
  requestFrame(): void;
}

export class MocSets extends RendererBoundSets<Entry> {
  private readonly host: MocHost;
  private readonly reserved = new Set<string>();

  constructor(host: MocHost) {
    super('MOC', () => host.renderer());
    this.host = host;
  }

  async add(input: MocInput, options: MocOptions = {}): Promise<string> {
    const id = options.id ?? `moc-${++this.seq}`;
    if (this.entries.has(id) || this.reserved.has(id)) throw new RangeError(`a MOC with id '${id}' is already shown`);
    parseColor(options.color, [0, 0, 0, 1]);
    for (const [k, lo, hi] of [['opacity', 0, 1], ['lineWidthPx', 0.25, 64], ['maxDrawOrder', 0, 24]] as const) {
      const v = options[k];
      if (v !== undefined && !(typeof v === 'number' && v >= lo && v <= hi)) throw new RangeError(`${k} must be a number in ${lo}..${hi}, got ${String(v)}`);
    }
    this.reserved.add(id);
    try {
      const moc = await resolveMoc(input, async (url) => {
        const r = await fetch(url);
        if (!r.ok) throw new Error(`MOC ${url}: HTTP ${r.status}`);
        return r.arrayBuffer();
      });
      const fill = options.fill ?? true;
      const geometry = await this.host.pool().mocGeometry(moc, {
        fill, outline: options.outline ?? false, perimeter: options.perimeter ?? true, toleranceRad: (0.5 * Math.PI) / 180, maxDrawOrder: options.maxDrawOrder,
      });
      if (!this.reserved.has(id)) return id; // removed meanwhile
      this.entries.set(id, { moc, options, geometry, layer: undefined });
      this.sync();
      return id;
    } finally {
      this.reserved.delete(id);
    }
  }

  remove(id: string): void {
    const e = this.entries.get(id);
    if (!e && !this.reserved.delete(id)) throw new RangeError(`no MOC with id '${id}' (ids: ${this.ids().join(', ') || 'none'})`);
    this.entries.delete(id);
    if (e?.layer) this.host.renderer()?.removeLayer(e.layer);
    this.host.requestFrame();
  }

  info(id: string): MocInfo {
    const e = this.entries.get(id);
    if (!e) throw new RangeError(`no MOC with id '${id}' (ids: ${this.ids().join(', ') || 'none'})`);
    return { maxOrder: e.moc.maxOrder, drawOrder: e.geometry.drawOrder, cells: e.geometry.count, areaSqDeg: e.moc.areaSqDeg() };
  }

  sync(): void {
    const renderer = this.currentRenderer();
    if (!renderer) return;
    for (const [id, e] of this.entries) {
      if (e.layer) continue;
      const o = e.options;
      e.layer = renderer.addLayer(new FootprintLayer(renderer.device, renderer.format, {
        id, geometry: e.geometry, picking: false, pixelRatio: this.host.pixelRatio(),
        color: o.color ?? '#64b5f6', fill: o.fill ?? true, fillOpacity: o.opacity ?? 0.3, lineWidthPx: o.lineWidthPx,
      }));
    }
    this.host.requestFrame();
  }

}

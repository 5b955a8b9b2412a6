// The element's per-id overlay sets (footprint sets, MOCs, progressive catalogues, FoV templates)
// share one life cycle, kept here once: entries keyed by id hold CPU-side state and the GPU layer
// built from it on the current SkyRenderer; when there is no renderer yet (WebGPU starting) or it
// is replaced (device loss), the layers are forgotten and rebuilt from that state by sync().
import type { SkyRenderer } from './skyRenderer.js';

export abstract class RendererBoundSets<E extends { layer?: unknown }> {
  protected readonly entries = new Map<string, E>();
  /** Counter for generated ids. */
  protected seq = 0;
  private rendererSeen: SkyRenderer | undefined;
  private waiting = false;

  /** `noun` names an entry in errors ("footprint set", "MOC"…). */
  protected constructor(
    private readonly noun: string,
    private readonly rendererOf: () => SkyRenderer | undefined,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }

  /** Build the missing layers on the current renderer (all of them after a renderer change). */
  abstract sync(): void;

  /**
   * The renderer to build on: undefined while there is none (sync() runs again once one exists);
   * a new renderer makes every entry forget its layer, and its device's loss schedules a rebuild.
   */
  protected currentRenderer(): SkyRenderer | undefined {
    const renderer = this.rendererOf();
    if (!renderer) {
      this.waitForRenderer(undefined);
      return undefined;
    }
    if (renderer !== this.rendererSeen) {
      this.rendererSeen = renderer;
      for (const e of this.entries.values()) (e as { layer?: unknown }).layer = undefined;
      void renderer.device.lost.then(() => this.waitForRenderer(renderer));
    }
    return renderer;
  }

  /** WebGPU starting, or a lost device being replaced: sync() once a new renderer exists (60 s at most). */
  private waitForRenderer(old: SkyRenderer | undefined): void {
    if (this.waiting) return;
    this.waiting = true;
    const t0 = performance.now();
    const tick = (): void => {
      const r = this.rendererOf();
      if (this.entries.size === 0 || performance.now() - t0 > 60_000 || (r && r !== old)) {
        this.waiting = false;
        if (r && r !== old && this.entries.size > 0) this.sync();
        return;
      }
      setTimeout(tick, 16);
    };
    setTimeout(tick, 0);
  }

  /** The entry of `id`, or a RangeError listing the ids there are. */
  protected entry(id: string): E {
    const e = this.entries.get(id);
    if (!e) throw new RangeError(`no ${this.noun} with id '${id}' (ids: ${[...this.entries.keys()].join(', ') || 'none'})`);
    return e;
  }
}

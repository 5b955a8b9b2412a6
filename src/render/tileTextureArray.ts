// GPU storage for the tiles of one HiPS layer: a 2D texture array with one layer per tile and an
// LRU map from tile key to layer. It starts small and doubles (copying on the GPU) up to the
// capacity its byte budget allows, so a view that needs a dozen tiles holds a dozen, not the
// budget. Owns its texture; destroy() frees it. Colour (rgba8unorm) arrays have room for a full mip
// chain, rendered for a tile only when it is first drawn squeezed (ensureMipmaps, mipmaps.ts): a
// tile drawn near 1:1 never reads it, and rendering every chain on upload cost a SwiftShader frame
// per ~9 tiles. FITS value arrays (r32float) have one level.
import { generateMipmaps, mipLevelsFor } from './mipmaps.js';

export interface TileSlotOwner {
  /** Called when a slot is reused so the owner can forget the tile that was there. */
  onEvict(key: number): void;
}

const INITIAL_LAYERS = 16;

export class TileTextureArray {
  texture: GPUTexture;
  view: GPUTextureView;
  /** Most layers the budget allows. */
  readonly capacity: number;
  /** Layers allocated now. */
  private allocated: number;
  /** Increments when the texture is replaced (bind groups must be rebuilt). */
  generation = 0;
  private readonly label: string;
  readonly tileWidthPx: number;
  private readonly device: GPUDevice;
  /** key -> layer, in least-recently-used-first order (Map keeps insertion order). */
  private readonly slots = new Map<number, number>();
  private readonly free: number[] = [];
  /** Layers whose mip chain holds their tile's levels (the rest have only level 0 filled). */
  private readonly mipped = new Set<number>();

  /** rgba8unorm for colour tiles, r32float for FITS values (4 bytes per texel either way). */
  readonly format: 'rgba8unorm' | 'r32float';

  constructor(device: GPUDevice, tileWidthPx: number, budgetBytes: number, label = 'hips tiles', format: 'rgba8unorm' | 'r32float' = 'rgba8unorm') {
    this.device = device;
    this.tileWidthPx = tileWidthPx;
    this.format = format;
    const perTile = tileWidthPx * tileWidthPx * 4 * (format === 'rgba8unorm' ? 4 / 3 : 1);
    const maxLayers = Math.min(device.limits.maxTextureArrayLayers, 256);
    this.capacity = Math.max(4, Math.min(maxLayers, Math.floor(budgetBytes / perTile)));
    this.label = label;
    this.allocated = Math.min(this.capacity, INITIAL_LAYERS);
    this.texture = this.createTexture(this.allocated);
    this.view = this.texture.createView({ dimension: '2d-array' });
    for (let i = this.allocated - 1; i >= 0; i--) this.free.push(i);
  }

  private createTexture(layers: number): GPUTexture {
    const mipped = this.format === 'rgba8unorm';
    return this.device.createTexture({
      label: this.label,
      size: { width: this.tileWidthPx, height: this.tileWidthPx, depthOrArrayLayers: layers },
      format: this.format,
      mipLevelCount: mipped ? mipLevelsFor(this.tileWidthPx) : 1,
      usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST | GPUTextureUsage.COPY_SRC | (mipped ? GPUTextureUsage.RENDER_ATTACHMENT : 0),
    });
  }

  /** Double the allocated layers (up to capacity), keeping every resident tile. */
  private grow(): boolean {
    if (this.allocated >= this.capacity) return false;
    const next = Math.min(this.capacity, this.allocated * 2);
    const texture = this.createTexture(next);
    const enc = this.device.createCommandEncoder({ label: 'grow tile array' });
    for (let mip = 0; mip < texture.mipLevelCount; mip++) {
      const w = Math.max(1, this.tileWidthPx >> mip);
      enc.copyTextureToTexture({ texture: this.texture, mipLevel: mip }, { texture, mipLevel: mip }, { width: w, height: w, depthOrArrayLayers: this.allocated });
    }
    this.device.queue.submit([enc.finish()]);
    this.texture.destroy();
    this.texture = texture;
    this.view = texture.createView({ dimension: '2d-array' });
    for (let i = next - 1; i >= this.allocated; i--) this.free.push(i);
    this.allocated = next;
    this.generation++;
    return true;
  }

  /** GPU bytes held (a mip chain adds a third). */
  get bytes(): number {
    const base = this.allocated * this.tileWidthPx * this.tileWidthPx * 4;
    return this.texture.mipLevelCount > 1 ? Math.round((base * 4) / 3) : base;
  }

  get used(): number {
    return this.slots.size;
  }

  /** Layer of a resident tile, marking it recently used; undefined when not resident. */
  touch(key: number): number | undefined {
    const layer = this.slots.get(key);
    if (layer === undefined) return undefined;
    this.slots.delete(key);
    this.slots.set(key, layer);
    return layer;
  }

  has(key: number): boolean {
    return this.slots.has(key);
  }

  /**
   * Upload a tile (RGBA8 pixels or float32 values, rows top to bottom) for `key`. When full, evicts the least recently used
   * tile that is not in `pinned`; returns false when every slot is pinned.
   */
  upload(key: number, width: number, height: number, data: Uint8Array | Float32Array, pinned: ReadonlySet<number>, owner?: TileSlotOwner): boolean {
    let layer = this.slots.get(key);
    if (layer === undefined) {
      layer = this.free.pop();
      if (layer === undefined && this.grow()) layer = this.free.pop();
      if (layer === undefined) {
        for (const [k, l] of this.slots) {
          if (!pinned.has(k)) {
            this.slots.delete(k);
            owner?.onEvict(k);
            layer = l;
            break;
          }
        }
      }
      if (layer === undefined) return false;
    }
    this.slots.delete(key);
    this.slots.set(key, layer);
    this.mipped.delete(layer); // the chain, if any, is the previous tile's
    const w = Math.min(width, this.tileWidthPx);
    const h = Math.min(height, this.tileWidthPx);
    this.device.queue.writeTexture(
      { texture: this.texture, origin: { x: 0, y: 0, z: layer } },
      data as Uint8Array<ArrayBuffer>,
      { bytesPerRow: width * 4, rowsPerImage: height },
      { width: w, height: h, depthOrArrayLayers: 1 },
    );
    return true;
  }

  /** Whether the layer's mip chain is filled (always true for an array with one level). */
  hasMipmaps(layer: number): boolean {
    return this.texture.mipLevelCount <= 1 || this.mipped.has(layer);
  }

  /** Render the mip chains of those `layers` that lack one, in one submit; returns how many were rendered. */
  ensureMipmaps(layers: Iterable<number>): number {
    const todo = [...new Set(layers)].filter((l) => !this.hasMipmaps(l));
    if (todo.length === 0) return 0;
    generateMipmaps(this.device, this.texture, todo);
    for (const l of todo) this.mipped.add(l);
    return todo.length;
  }

  destroy(): void {
    this.texture.destroy();
    this.slots.clear();
    this.mipped.clear();
    this.free.length = 0;
  }
}

// GPU storage for the tiles of one HiPS layer: a 2D texture array with one layer per tile and an
// LRU map from tile key to layer. Owns its texture; destroy() frees it.

export interface TileSlotOwner {
  /** Called when a slot is reused so the owner can forget the tile that was there. */
  onEvict(key: number): void;
}

export class TileTextureArray {
  readonly texture: GPUTexture;
  readonly view: GPUTextureView;
  readonly capacity: number;
  readonly tileWidthPx: number;
  private readonly device: GPUDevice;
  /** key -> layer, in least-recently-used-first order (Map keeps insertion order). */
  private readonly slots = new Map<number, number>();
  private readonly free: number[] = [];

  constructor(device: GPUDevice, tileWidthPx: number, budgetBytes: number, label = 'hips tiles') {
    this.device = device;
    this.tileWidthPx = tileWidthPx;
    const perTile = tileWidthPx * tileWidthPx * 4;
    const maxLayers = Math.min(device.limits.maxTextureArrayLayers, 256);
    this.capacity = Math.max(4, Math.min(maxLayers, Math.floor(budgetBytes / perTile)));
    this.texture = device.createTexture({
      label,
      size: { width: tileWidthPx, height: tileWidthPx, depthOrArrayLayers: this.capacity },
      format: 'rgba8unorm',
      usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST,
    });
    this.view = this.texture.createView({ dimension: '2d-array' });
    for (let i = this.capacity - 1; i >= 0; i--) this.free.push(i);
  }

  get bytes(): number {
    return this.capacity * this.tileWidthPx * this.tileWidthPx * 4;
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
   * Upload RGBA8 pixels (rows top to bottom) for `key`. When full, evicts the least recently used
   * tile that is not in `pinned`; returns false when every slot is pinned.
   */
  upload(key: number, width: number, height: number, rgba: Uint8Array, pinned: ReadonlySet<number>, owner?: TileSlotOwner): boolean {
    let layer = this.slots.get(key);
    if (layer === undefined) {
      layer = this.free.pop();
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
    const w = Math.min(width, this.tileWidthPx);
    const h = Math.min(height, this.tileWidthPx);
    this.device.queue.writeTexture(
      { texture: this.texture, origin: { x: 0, y: 0, z: layer } },
      rgba as Uint8Array<ArrayBuffer>,
      { bytesPerRow: width * 4, rowsPerImage: height },
      { width: w, height: h, depthOrArrayLayers: 1 },
    );
    return true;
  }

  destroy(): void {
    this.texture.destroy();
    this.slots.clear();
    this.free.length = 0;
  }
}

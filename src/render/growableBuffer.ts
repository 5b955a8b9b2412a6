// A GPU buffer that grows (by doubling) to fit what is written into it. Owns its GPUBuffer.

export class GrowableBuffer {
  private readonly device: GPUDevice;
  private readonly label: string;
  private readonly usage: GPUBufferUsageFlags;
  private current: GPUBuffer;
  /** Increments each time the underlying GPUBuffer is replaced (bind groups must be rebuilt). */
  generation = 0;

  constructor(device: GPUDevice, label: string, usage: GPUBufferUsageFlags, initialBytes: number) {
    this.device = device;
    this.label = label;
    this.usage = usage | GPUBufferUsage.COPY_DST;
    this.current = this.create(Math.max(16, initialBytes));
  }

  get buffer(): GPUBuffer {
    return this.current;
  }

  private create(size: number): GPUBuffer {
    return this.device.createBuffer({ label: this.label, size: Math.ceil(size / 16) * 16, usage: this.usage });
  }

  /** Write bytes at offset 0, growing first if needed; returns true when the buffer was replaced. */
  write(bytes: Uint8Array): boolean {
    let replaced = false;
    if (bytes.byteLength > this.current.size) {
      let size = this.current.size;
      while (size < bytes.byteLength) size *= 2;
      this.current.destroy();
      this.current = this.create(size);
      this.generation++;
      replaced = true;
    }
    this.device.queue.writeBuffer(this.current, 0, bytes as Uint8Array<ArrayBuffer>, 0, bytes.byteLength);
    return replaced;
  }

  destroy(): void {
    this.current.destroy();
  }
}

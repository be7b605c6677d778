/** Where a text was put: the slab that holds it and its byte range. */
export interface TextRef {
  slab: Buffer;
  start: number;
  end: number;
}

/** Slabs of this size hold most texts; a larger text gets a buffer of its own. */
const SLAB_BYTES = 1 << 20;
const OWN_BUFFER_FROM = SLAB_BYTES >> 2;

/**
 * Keeps message bodies as UTF-8 bytes in 1 MB slabs outside the JavaScript heap. A retained body then costs its bytes
 * and nothing more: no string header, and no heap growth that the garbage collector keeps as headroom on top of what
 * is live (with 100,000 retained messages the difference is tens of megabytes of RSS). A slab is freed by the garbage
 * collector once no held message points into it, which eviction, oldest first, brings about slab by slab.
 */
export class TextArena {
  private slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
  private used = 0;

  /**
   * @param text the text to keep
   * @returns where it is kept
   */
  put(text: string): TextRef {
    const bytes = Buffer.byteLength(text);
    if (bytes >= OWN_BUFFER_FROM) {
      const own = Buffer.from(text);
      return { slab: own, start: 0, end: own.byteLength };
    }
    const start = this.reserve(bytes);
    this.used += this.slab.write(text, start);
    return { slab: this.slab, start, end: this.used };
  }

  /**
   * @param utf8 the UTF-8 bytes of a text, as received
   * @returns where they are kept
   */
  putBytes(utf8: Uint8Array): TextRef {
    const bytes = utf8.byteLength;
    if (bytes >= OWN_BUFFER_FROM) {
      const own = Buffer.from(utf8);
      return { slab: own, start: 0, end: bytes };
    }
    const start = this.reserve(bytes);
    this.slab.set(utf8, start);
    this.used += bytes;
    return { slab: this.slab, start, end: this.used };
  }

  /** Where the next `bytes` go, starting a new slab when the current one is too full. */
  private reserve(bytes: number): number {
    if (this.used + bytes > SLAB_BYTES) {
      this.slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
      this.used = 0;
    }
    return this.used;
  }

  /**
   * @param ref what {@link TextArena.put} returned
   * @returns the text
   */
  get(ref: TextRef): string {
    return ref.slab.toString("utf8", ref.start, ref.end);
  }
}

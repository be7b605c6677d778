/**
 * Numbers the distinct values held by a column store and counts how many rows use each, so that rows hold small
 * integers (in typed arrays the garbage collector never scans) instead of pointers, and a value is let go as soon as no
 * row uses it. Numbers of released values are reused.
 */
export class RefTable<T> {
  private readonly ids = new Map<T, number>();
  private values: (T | undefined)[] = [];
  private counts: number[] = [];
  private free: number[] = [];
  /** The value acquired last and its number: rows mostly repeat their neighbour's bot, flow, client and slab. */
  private lastValue: T | undefined;
  private lastId = -1;

  /**
   * @param value a value a row now holds
   * @returns its number, counted once more
   */
  acquire(value: T): number {
    if (value === this.lastValue && this.lastId >= 0) {
      this.counts[this.lastId] = (this.counts[this.lastId] as number) + 1;
      return this.lastId;
    }
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.free.pop() ?? this.values.length;
      this.ids.set(value, id);
      this.values[id] = value;
      this.counts[id] = 0;
    }
    this.counts[id] = (this.counts[id] as number) + 1;
    this.lastValue = value;
    this.lastId = id;
    return id;
  }

  /**
   * @param id a number a row no longer holds; the value is let go when no row holds it any more
   */
  release(id: number): void {
    const left = (this.counts[id] as number) - 1;
    this.counts[id] = left;
    if (left > 0) return;
    this.ids.delete(this.values[id] as T);
    this.values[id] = undefined;
    this.free.push(id);
    if (id === this.lastId) {
      this.lastValue = undefined;
      this.lastId = -1;
    }
  }

  /**
   * @param id a number given by {@link RefTable.acquire} and not released since
   * @returns its value
   */
  get(id: number): T {
    return this.values[id] as T;
  }

  /** How many distinct values are held. */
  get size(): number {
    return this.ids.size;
  }

  /** Lets every value go. */
  clear(): void {
    this.ids.clear();
    this.values = [];
    this.counts = [];
    this.free = [];
    this.lastValue = undefined;
    this.lastId = -1;
  }
}

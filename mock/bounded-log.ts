/**
 * A fixed-capacity log in arrival order: appending is O(1), and when full the oldest entry is evicted and counted.
 * Entries carry ids that sort in arrival order (see {@link IdSource}), so finding one by id is a binary search and
 * needs no second index (memory matters with 100,000 retained messages).
 */
export interface LogEntry {
  id: string;
  receivedAt: string;
}

export class BoundedLog<T extends LogEntry> {
  private items: T[] = [];
  /** Index in `items` of the oldest entry once the log has wrapped. */
  private head = 0;
  /** Entries appended since creation. */
  added = 0;
  /** Entries dropped because the log was full. */
  evicted = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.items.length;
  }

  /** Appends; returns the evicted entry when the log was full. */
  push(entry: T): T | undefined {
    this.added++;
    if (this.items.length < this.capacity) {
      this.items.push(entry);
      return undefined;
    }
    const old = this.items[this.head];
    this.items[this.head] = entry;
    this.head = (this.head + 1) % this.capacity;
    this.evicted++;
    return old;
  }

  /** The i-th entry from the oldest. */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.items.length) return undefined;
    return this.items[(this.head + i) % this.items.length];
  }

  newest(): T | undefined {
    return this.at(this.items.length - 1);
  }

  /** Logical index of the first entry whose id sorts after `id` (ids of one source sort in arrival order). */
  indexAfter(id: string): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareIds((this.at(mid) as T).id, id) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Logical index of the first entry received at or after `iso` (receivedAt strings sort like the times). */
  indexAtOrAfter(iso: string): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.at(mid) as T).receivedAt < iso) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  find(id: string): T | undefined {
    const i = this.indexAfter(id) - 1;
    const entry = this.at(i);
    return entry !== undefined && entry.id === id ? entry : undefined;
  }

  clear(): number {
    const n = this.items.length;
    this.items = [];
    this.head = 0;
    return n;
  }
}

/** Ids are `<prefix>_<sequence>`; the sequence part is fixed-width base 36, so comparing it compares arrival order. */
function compareIds(a: string, b: string): number {
  const x = a.slice(a.indexOf("_") + 1);
  const y = b.slice(b.indexOf("_") + 1);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Makes ids that sort in creation order across messages and rejections of one mock: a base-36 start time, then a
 * fixed-width base-36 counter. Cheap (no randomness, no clock read per id) and unique within the process.
 */
export class IdSource {
  private readonly stamp = Date.now().toString(36).padStart(9, "0");
  private n = 0;

  next(prefix: string): string {
    this.n++;
    return `${prefix}_${this.stamp}${this.n.toString(36).padStart(7, "0")}`;
  }
}

/** Whether a `since` value is an id of this inbox rather than a time. */
export const ID_PATTERN = /^(?:msg|rej)_[0-9a-z]{16}$/;

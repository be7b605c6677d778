/**
 * A fixed-capacity log in arrival order: appending is O(1), and when full the oldest entry is evicted and counted.
 * Entries carry a sequence number that grows with arrival (see {@link IdSource}), so finding one is a binary search
 * and needs no second index (memory matters with 100,000 retained messages).
 */
export interface LogEntry {
  /** The number of the entry's id, in arrival order. */
  seq: number;
  /** When it arrived, in epoch milliseconds. */
  at: number;
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

  /** Logical index of the first entry whose sequence number is above `seq`. */
  indexAfter(seq: number): number {
    return this.firstIndex((entry) => entry.seq > seq);
  }

  /** Logical index of the first entry that arrived at or after `ms`. */
  indexAtOrAfter(ms: number): number {
    return this.firstIndex((entry) => entry.at >= ms);
  }

  find(seq: number): T | undefined {
    const entry = this.at(this.indexAfter(seq) - 1);
    return entry !== undefined && entry.seq === seq ? entry : undefined;
  }

  /** Binary search for the first entry meeting `test`, which must hold for every entry after it too. */
  private firstIndex(test: (entry: T) => boolean): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (test(this.at(mid) as T)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  clear(): number {
    const n = this.items.length;
    this.items = [];
    this.head = 0;
    return n;
  }
}

/**
 * Numbers entries and writes their ids: `<prefix>_<start time><sequence>`, both base 36 and fixed-width, so ids sort
 * in creation order across messages and rejections of one mock. Only the number is stored; the id string is written
 * when an entry is read. Cheap (no randomness, no clock read per id) and unique within the process.
 */
export class IdSource {
  private readonly stamp = Date.now().toString(36).padStart(9, "0");
  private n = 0;

  /** The next sequence number. */
  nextSeq(): number {
    return ++this.n;
  }

  /** The id of a sequence number. */
  format(prefix: string, seq: number): string {
    return `${prefix}_${this.stamp}${seq.toString(36).padStart(7, "0")}`;
  }

  /** A new id. */
  next(prefix: string): string {
    return this.format(prefix, this.nextSeq());
  }

  /**
   * The sequence number an id stands for, as a point in this source's order: an id of an earlier run of the mock
   * comes before every entry (0), one of a later run after every entry (Infinity).
   */
  seqOf(id: string): number {
    const rest = id.slice(id.indexOf("_") + 1);
    const stamp = rest.slice(0, this.stamp.length);
    if (stamp < this.stamp) return 0;
    if (stamp > this.stamp) return Number.POSITIVE_INFINITY;
    return Number.parseInt(rest.slice(this.stamp.length), 36);
  }
}

/** Whether a `since` value is an id of this inbox rather than a time. */
export const ID_PATTERN = /^(?:msg|rej)_[0-9a-z]{16}$/;

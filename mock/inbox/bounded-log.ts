/** An entry of a log: `seq` grows with arrival (see {@link IdSource}); `at` is in epoch ms; `bytes` counts to a bound. */
export interface LogEntry {
  seq: number;
  at: number;
  bytes?: number;
}

/** Entries in arrival order: past `capacity` entries or `maxBytes` the oldest are evicted and counted, never the newest. */
export class BoundedLog<T extends LogEntry> {
  private items: (T | undefined)[] = [];
  /** Index in `items` of the oldest entry held; the emptied slots before it are sliced off in bulk. */
  private head = 0;
  added = 0;
  evicted = 0;
  bytes = 0;

  constructor(readonly capacity: number, readonly maxBytes = Number.POSITIVE_INFINITY) {}

  get size(): number {
    return this.items.length - this.head;
  }

  push(entry: T): void {
    this.items.push(entry);
    this.added++;
    this.bytes += entry.bytes ?? 0;
    while (this.size > 1 && (this.size > this.capacity || this.bytes > this.maxBytes)) this.dropOldest();
  }

  private dropOldest(): void {
    this.bytes -= this.items[this.head]?.bytes ?? 0;
    this.items[this.head++] = undefined;
    this.evicted++;
    // Copying the held half only once the emptied half is as long keeps eviction O(1) amortized.
    if (this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** The i-th entry from the oldest. */
  at(i: number): T | undefined {
    return i < 0 ? undefined : this.items[this.head + i];
  }

  /** The entry numbered `seq`, found by binary search. */
  find(seq: number): T | undefined {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.at(mid) as T).seq < seq) lo = mid + 1;
      else hi = mid;
    }
    const entry = this.at(lo);
    return entry?.seq === seq ? entry : undefined;
  }

  clear(): number {
    const n = this.size;
    this.items = [];
    this.head = 0;
    this.bytes = 0;
    return n;
  }
}

/** Ids `<prefix>_<start time><sequence>`, base 36 and fixed-width, so they sort in creation order; entries keep the number. */
export class IdSource {
  private readonly stamp = Date.now().toString(36).padStart(9, "0");
  private n = 0;

  nextSeq(): number {
    return ++this.n;
  }

  format(prefix: string, seq: number): string {
    return `${prefix}_${this.stamp}${seq.toString(36).padStart(7, "0")}`;
  }

  next(prefix: string): string {
    return this.format(prefix, this.nextSeq());
  }

  /** The number an id stands for: 0 for an id of an earlier run of the mock, Infinity for one of a later run. */
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

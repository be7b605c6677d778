/**
 * An entry of a log in arrival order. Entries carry a sequence number that grows with arrival (see {@link IdSource}),
 * so finding one is a binary search and needs no second index (memory matters with 100,000 retained messages).
 */
export interface LogEntry {
  /** The number of the entry's id, in arrival order. */
  seq: number;
  /** When it arrived, in epoch milliseconds. */
  at: number;
}

/**
 * The ring of a fixed-capacity log: appending is O(1), and when full the oldest entry is overwritten and counted as
 * evicted. Subclasses decide how a slot is stored (objects, or columns of numbers that the garbage collector never has
 * to trace); the ring arithmetic and the binary searches over arrival order live here once.
 */
export abstract class RingLog<T extends LogEntry> {
  /** Slot of the oldest entry once the log has wrapped. */
  private head = 0;
  /** Slots in use, the dropped ones included. */
  private length = 0;
  /** The oldest slots in use whose entries were dropped ({@link RingLog.dropOldest}): emptied, overwritten next. */
  private dropped = 0;
  /** Entries appended since creation. */
  added = 0;
  /** Entries dropped because the log was full, or by {@link RingLog.dropOldest}. */
  evicted = 0;

  constructor(readonly capacity: number) {}

  /** Slots allocated so far; {@link RingLog.grow} is asked for more until `capacity` is reached. */
  protected abstract get allocated(): number;
  /** Makes room for at least `slots` slots, keeping slots `0..length-1` (the log has not wrapped while growing). */
  protected abstract grow(slots: number): void;
  protected abstract write(slot: number, entry: T): void;
  protected abstract read(slot: number): T;
  protected abstract seqAt(slot: number): number;
  protected abstract timeAt(slot: number): number;
  /** Drops every slot's content, so that nothing they point to is kept alive. */
  protected abstract reset(): void;
  /** Drops one slot's content (its entry was dropped); the slot is written again later. */
  protected abstract release(slot: number): void;

  get size(): number {
    return this.length - this.dropped;
  }

  /**
   * Drops the oldest entry before the log is full (a bound other than the count, such as bytes, was reached); it is
   * counted as evicted. Its slot is emptied at once and reused when the ring comes round to it.
   */
  dropOldest(): void {
    if (this.size === 0) return;
    this.release(this.slot(this.dropped));
    this.dropped++;
    this.evicted++;
  }

  /** Appends, evicting the oldest entry when the log is full. */
  push(entry: T): void {
    this.added++;
    if (this.length < this.capacity) {
      if (this.length === this.allocated) this.grow(Math.min(this.capacity, Math.max(64, this.length * 2)));
      this.write(this.length++, entry);
      return;
    }
    this.write(this.head, entry);
    this.head = (this.head + 1) % this.capacity;
    // The slot overwritten held the oldest entry, or one already dropped (and counted) by dropOldest.
    if (this.dropped > 0) this.dropped--;
    else this.evicted++;
  }

  /** The i-th entry from the oldest. */
  at(i: number): T | undefined {
    return i < 0 || i >= this.size ? undefined : this.read(this.slot(i + this.dropped));
  }

  newest(): T | undefined {
    return this.at(this.size - 1);
  }

  /** Logical index of the first entry whose sequence number is above `seq`. */
  indexAfter(seq: number): number {
    return this.firstIndex((slot) => this.seqAt(slot) > seq);
  }

  /** Logical index of the first entry that arrived at or after `ms`. */
  indexAtOrAfter(ms: number): number {
    return this.firstIndex((slot) => this.timeAt(slot) >= ms);
  }

  find(seq: number): T | undefined {
    const i = this.indexAfter(seq) - 1;
    const slot = this.slot(i + this.dropped);
    return i >= 0 && this.seqAt(slot) === seq ? this.read(slot) : undefined;
  }

  clear(): number {
    const n = this.size;
    this.length = 0;
    this.dropped = 0;
    this.head = 0;
    this.reset();
    return n;
  }

  private slot(i: number): number {
    return (this.head + i) % this.length;
  }

  /** Binary search for the first entry meeting `test`, which must hold for every entry after it too. */
  private firstIndex(test: (slot: number) => boolean): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (test(this.slot(mid + this.dropped))) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/** A ring of entries kept as objects: for logs whose entries are few or irregular (the rejections). */
export class BoundedLog<T extends LogEntry> extends RingLog<T> {
  private items: T[] = [];

  protected get allocated(): number {
    return this.items.length;
  }

  protected grow(slots: number): void {
    this.items.length = slots;
  }

  protected write(slot: number, entry: T): void {
    this.items[slot] = entry;
  }

  protected read(slot: number): T {
    return this.items[slot] as T;
  }

  protected seqAt(slot: number): number {
    return this.read(slot).seq;
  }

  protected timeAt(slot: number): number {
    return this.read(slot).at;
  }

  protected reset(): void {
    this.items = [];
  }

  protected release(slot: number): void {
    (this.items as (T | undefined)[])[slot] = undefined;
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

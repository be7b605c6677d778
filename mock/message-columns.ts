import { RingLog } from "./bounded-log.js";
import type { StoredMessage } from "./inbox-query.js";
import { RefTable } from "./ref-table.js";

/**
 * The user id as a number when the number gives the same text back (a phone number in the contract's form always
 * does: at most 15 digits, below 2^53); NaN otherwise.
 */
function asNumber(userId: string): number {
  const n = Number(userId);
  return Number.isSafeInteger(n) && String(n) === userId ? n : Number.NaN;
}

/** Marks an absent optional string in an id column. */
const NONE = -1;

/**
 * The accepted messages, kept in columns of numbers: typed arrays whose contents the garbage collector neither copies
 * nor scans. Strings (bot ids, flow names, types, client ids) and text slabs are numbered by reference-counted tables,
 * so a row holds small integers and a value is let go when the last row using it is evicted. Measured under load with
 * 500,000 messages held, one object per message cost about a fifth of the mock's throughput, and columns of pointers
 * still a tenth: the collector copied the first and kept scanning the second.
 *
 * A message is turned back into a {@link StoredMessage} object only when it is read. The bodies' bytes are bounded
 * too: past `maxBytes`, the oldest messages are dropped (never the newest).
 */
export class MessageColumns extends RingLog<StoredMessage> {
  /** Bytes of the bodies held now. */
  retainedBytes = 0;

  /**
   * @param capacity how many messages are held
   * @param maxBytes how many bytes of bodies are held
   */
  constructor(
    capacity: number,
    readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {
    super(capacity);
  }

  /** Appends, then drops the oldest messages while the bodies pass `maxBytes`. */
  override push(entry: StoredMessage): void {
    super.push(entry);
    while (this.retainedBytes > this.maxBytes && this.size > 1) this.dropOldest();
  }

  private seqs = new Float64Array(0);
  private times = new Float64Array(0);
  /** The user id as a number, or NaN when it does not give the same text back (then it is in `userIdTexts`). */
  private userIds = new Float64Array(0);
  private starts = new Float64Array(0);
  private ends = new Float64Array(0);
  private botIds = new Int32Array(0);
  private flowNames = new Int32Array(0);
  private types = new Int32Array(0);
  private clientIds = new Int32Array(0);
  private slabIds = new Int32Array(0);
  private readonly strings = new RefTable<string>();
  private readonly slabs = new RefTable<Buffer>();
  /** Only the user ids that are not phone numbers (an inbox seeded by a test), by slot. */
  private readonly userIdTexts = new Map<number, string>();
  /** Slots below this hold a row, whose values are released when it is overwritten. */
  private filled = 0;

  protected get allocated(): number {
    return this.seqs.length;
  }

  protected grow(slots: number): void {
    const widen = <A extends Float64Array | Int32Array>(old: A, next: A): A => {
      next.set(old);
      return next;
    };
    this.seqs = widen(this.seqs, new Float64Array(slots));
    this.times = widen(this.times, new Float64Array(slots));
    this.userIds = widen(this.userIds, new Float64Array(slots));
    this.starts = widen(this.starts, new Float64Array(slots));
    this.ends = widen(this.ends, new Float64Array(slots));
    this.botIds = widen(this.botIds, new Int32Array(slots));
    this.flowNames = widen(this.flowNames, new Int32Array(slots));
    this.types = widen(this.types, new Int32Array(slots));
    this.clientIds = widen(this.clientIds, new Int32Array(slots));
    this.slabIds = widen(this.slabIds, new Int32Array(slots));
  }

  private optional(value: string | undefined): number {
    return value === undefined ? NONE : this.strings.acquire(value);
  }

  private lookup(id: number): string | undefined {
    return id === NONE ? undefined : this.strings.get(id);
  }

  private releaseOptional(id: number): void {
    if (id !== NONE) this.strings.release(id);
  }

  private releaseRow(slot: number): void {
    // A row emptied by release() holds nothing any more.
    if (this.slabIds[slot] === NONE) return;
    this.retainedBytes -= (this.ends[slot] as number) - (this.starts[slot] as number);
    this.strings.release(this.botIds[slot] as number);
    this.releaseOptional(this.flowNames[slot] as number);
    this.releaseOptional(this.types[slot] as number);
    this.releaseOptional(this.clientIds[slot] as number);
    this.slabs.release(this.slabIds[slot] as number);
    if (Number.isNaN(this.userIds[slot])) this.userIdTexts.delete(slot);
  }

  protected release(slot: number): void {
    this.releaseRow(slot);
    this.slabIds[slot] = NONE;
  }

  protected write(slot: number, entry: StoredMessage): void {
    if (slot < this.filled) this.releaseRow(slot);
    else this.filled = slot + 1;
    this.seqs[slot] = entry.seq;
    this.times[slot] = entry.at;
    const userId = asNumber(entry.userId);
    this.userIds[slot] = userId;
    if (Number.isNaN(userId)) this.userIdTexts.set(slot, entry.userId);
    this.starts[slot] = entry.start;
    this.ends[slot] = entry.end;
    this.retainedBytes += entry.end - entry.start;
    this.botIds[slot] = this.strings.acquire(entry.botId);
    this.flowNames[slot] = this.optional(entry.flowName);
    this.types[slot] = this.optional(entry.type);
    this.clientIds[slot] = this.optional(entry.clientId);
    this.slabIds[slot] = this.slabs.acquire(entry.slab);
  }

  protected read(slot: number): StoredMessage {
    const userId = this.userIdTexts.get(slot) ?? String(this.userIds[slot]);
    return {
      seq: this.seqs[slot] as number,
      at: this.times[slot] as number,
      botId: this.strings.get(this.botIds[slot] as number),
      userId,
      flowName: this.lookup(this.flowNames[slot] as number),
      type: this.lookup(this.types[slot] as number),
      clientId: this.lookup(this.clientIds[slot] as number),
      slab: this.slabs.get(this.slabIds[slot] as number),
      start: this.starts[slot] as number,
      end: this.ends[slot] as number,
    };
  }

  protected seqAt(slot: number): number {
    return this.seqs[slot] as number;
  }

  protected timeAt(slot: number): number {
    return this.times[slot] as number;
  }

  protected reset(): void {
    this.strings.clear();
    this.slabs.clear();
    this.userIdTexts.clear();
    this.filled = 0;
    this.retainedBytes = 0;
  }

  /** How many distinct strings and slabs the rows hold (for tests: evicted values must be let go). */
  get heldValues(): { strings: number; slabs: number } {
    return { strings: this.strings.size, slabs: this.slabs.size };
  }
}

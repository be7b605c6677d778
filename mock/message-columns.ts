import { RingLog } from "./bounded-log.js";
import type { StoredMessage } from "./inbox-query.js";

/** A phone number as the contract writes it fits a double exactly (15 digits < 2^53), so it is kept as a number. */
const NUMERIC_USER_ID = /^[1-9][0-9]{0,14}$/;

/**
 * The accepted messages, kept in columns: numbers in typed arrays, and references only to strings and slabs that are
 * shared by many messages. Recording a message thus leaves no new object on the JavaScript heap. An object per message
 * (the obvious layout) survives the young generation's collections and is copied by each of them before it is
 * promoted: measured under load, that copying cost more than all the rest of recording.
 *
 * A message is turned back into a {@link StoredMessage} object only when it is read.
 */
export class MessageColumns extends RingLog<StoredMessage> {
  private seqs = new Float64Array(0);
  private times = new Float64Array(0);
  /** The user id as a number, or NaN when it is not a contract phone number (then it is in `userIdTexts`). */
  private userIds = new Float64Array(0);
  private starts = new Float64Array(0);
  private ends = new Float64Array(0);
  /** Interned strings and shared slabs: pointers to old objects, which the young generation never copies. */
  private botIds: string[] = [];
  private flowNames: (string | undefined)[] = [];
  private types: (string | undefined)[] = [];
  private clientIds: (string | undefined)[] = [];
  private slabs: Buffer[] = [];
  /** Only the user ids that are not phone numbers (an inbox seeded by a test); undefined for the others. */
  private userIdTexts: (string | undefined)[] = [];

  protected get allocated(): number {
    return this.seqs.length;
  }

  protected grow(slots: number): void {
    const widen = (old: Float64Array) => {
      const next = new Float64Array(slots);
      next.set(old);
      return next;
    };
    this.seqs = widen(this.seqs);
    this.times = widen(this.times);
    this.userIds = widen(this.userIds);
    this.starts = widen(this.starts);
    this.ends = widen(this.ends);
  }

  protected write(slot: number, entry: StoredMessage): void {
    this.seqs[slot] = entry.seq;
    this.times[slot] = entry.at;
    const numeric = NUMERIC_USER_ID.test(entry.userId);
    this.userIds[slot] = numeric ? Number(entry.userId) : Number.NaN;
    this.userIdTexts[slot] = numeric ? undefined : entry.userId;
    this.starts[slot] = entry.start;
    this.ends[slot] = entry.end;
    this.botIds[slot] = entry.botId;
    this.flowNames[slot] = entry.flowName;
    this.types[slot] = entry.type;
    this.clientIds[slot] = entry.clientId;
    this.slabs[slot] = entry.slab;
  }

  protected read(slot: number): StoredMessage {
    const userId = this.userIdTexts[slot] ?? String(this.userIds[slot]);
    return {
      seq: this.seqs[slot] as number,
      at: this.times[slot] as number,
      botId: this.botIds[slot] as string,
      userId,
      flowName: this.flowNames[slot],
      type: this.types[slot],
      clientId: this.clientIds[slot],
      slab: this.slabs[slot] as Buffer,
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
    // Dropping the reference columns releases the slabs and strings; the numbers hold nothing alive.
    this.botIds = [];
    this.flowNames = [];
    this.types = [];
    this.clientIds = [];
    this.slabs = [];
    this.userIdTexts = [];
  }
}

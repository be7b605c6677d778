import { BoundedLog, ID_PATTERN, IdSource } from "./bounded-log.js";
import {
  compileFilter,
  flowNameOf,
  LIST_BYTE_BUDGET,
  select,
  type StoredMessage,
  type StoredRejection,
  toInboxMessage,
  toInboxRejection,
} from "./inbox-query.js";
import { checkTimeout, InboxWatchers } from "./inbox-watchers.js";
import { MessageColumns } from "./message-columns.js";
import { TextArena } from "./text-arena.js";
import type { InboxEvent, InboxFilter, InboxMessage, InboxRejection, InboxStats, RejectionFilter } from "./types.js";

/**
 * The bytes of message bodies an inbox holds by default before evicting its oldest messages: 1000 messages at the send
 * path's 1 MiB limit would hold 1 GB. 128 MiB keeps 100,000 ordinary messages (about 500 bytes each) and any 128 of
 * the largest; a bound on memory, not derived from the contract.
 */
export const MAX_RETAINED_BYTES = 128 * 1024 * 1024;

/** One answer of {@link Inbox.query}: `omitted` and `omittedIds` only when the byte budget left messages out. */
export type MessagePage = { messages: InboxMessage[]; total: number; omitted?: number; omittedIds?: string[] };

/** One answer of {@link Inbox.queryRejections}: `omitted` only when the byte budget left rejections out. */
export type RejectionPage = { rejections: InboxRejection[]; total: number; omitted?: number };

/** A message to record: `conversation` may be left out, it is always `botId:userId`. */
export type NewInboxMessage = Omit<InboxMessage, "id" | "receivedAt" | "conversation"> & { conversation?: string };

/**
 * What the mock received: accepted messages and rejected requests, each in a bounded log whose oldest entries are
 * evicted, and counted, when it is full. Listeners and waiters hear of every new entry.
 *
 * @example
 * ```ts
 * const mock = createMockJelou();
 * await client.sendFlowMessage(message);
 * const [latest] = mock.inbox.list({ userId: "593987654321" });
 * const next = await mock.inbox.waitFor({ since: latest.id, timeoutMs: 2000 });
 * ```
 */
export class Inbox {
  private readonly messages: MessageColumns;
  private readonly rejected: BoundedLog<StoredRejection>;
  private readonly texts = new TextArena();
  private readonly watchers = new InboxWatchers();
  /** Makes the ids of messages and rejections, in one sequence so `since` works across both. */
  readonly ids = new IdSource();

  /**
   * @param maxMessages how many messages are held before the oldest is evicted
   * @param maxRejections how many rejections are held
   * @param maxRetainedBytes how many bytes of message bodies are held before the oldest messages are evicted (the
   *   newest is always held)
   * @throws {RangeError} when a bound is not a whole number of at least 1
   */
  constructor(maxMessages = 1000, maxRejections = 1000, maxRetainedBytes = MAX_RETAINED_BYTES) {
    const bounds = [["maxMessages", maxMessages], ["maxRejections", maxRejections], ["maxRetainedBytes", maxRetainedBytes]] as const;
    for (const [name, n] of bounds) {
      if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name} must be a whole number of at least 1, not ${n}.`);
    }
    this.messages = new MessageColumns(maxMessages, maxRetainedBytes);
    this.rejected = new BoundedLog(maxRejections);
  }

  /**
   * Records an accepted message (the mock calls it; tests may too, to seed an inbox).
   *
   * @param message the message without `id` and `receivedAt`, which are assigned here
   * @param text the body's JSON text as received, kept instead of the object (default: `JSON.stringify(body)`)
   * @returns the recorded message
   * @example
   * ```ts
   * const seeded = inbox.record({ botId: "bot-1", userId: "593987654321", body: message, clientId: "id" });
   * seeded.conversation; // "bot-1:593987654321"
   * ```
   */
  record(message: NewInboxMessage, text?: string): InboxMessage {
    return toInboxMessage(this.store(message, text), this.ids, message.body);
  }

  /**
   * Records an accepted message and returns only its id: the send route's path, which builds no message object
   * unless a waiter or a listener needs one.
   *
   * @param message as for {@link Inbox.record}
   * @param text as for {@link Inbox.record}
   * @param utf8 the UTF-8 bytes of `text` as they were received, copied instead of encoding `text` again
   * @returns the id of the recorded message
   * @example
   * ```ts
   * const id = inbox.recordId({ botId, userId, body: message, clientId }, text, bytes); // "msg_…"
   * ```
   */
  recordId(message: NewInboxMessage, text?: string, utf8?: Uint8Array): string {
    return this.ids.format("msg", this.store(message, text, utf8).seq);
  }

  private store(message: NewInboxMessage, text: string | undefined, utf8?: Uint8Array): StoredMessage {
    const flowName = flowNameOf(message.body);
    const { slab, start, end } = utf8 === undefined ? this.texts.put(text ?? JSON.stringify(message.body)) : this.texts.putBytes(utf8);
    const stored: StoredMessage = {
      seq: this.ids.nextSeq(),
      at: Date.now(),
      botId: message.botId,
      userId: message.userId,
      flowName,
      type: message.type,
      clientId: message.clientId,
      slab,
      start,
      end,
    };
    this.messages.push(stored);
    const { watchers } = this;
    if (watchers.waiting || watchers.listening("message")) {
      const entry = toInboxMessage(stored, this.ids, message.body);
      if (watchers.waiting) watchers.wake(entry, stored);
      watchers.emit({ type: "message", message: entry });
    }
    return stored;
  }

  /**
   * Records a rejected request.
   *
   * @param rejection the rejection without `id` and `receivedAt`
   * @returns the recorded rejection
   * @example
   * ```ts
   * inbox.reject({ method: "POST", path: "/v1/elsewhere", status: 404, code: "not_found", description: "No route." });
   * ```
   */
  reject(rejection: Omit<InboxRejection, "id" | "receivedAt">): InboxRejection {
    const stored: StoredRejection = {
      seq: this.ids.nextSeq(),
      at: Date.now(),
      botId: rejection.botId,
      userId: rejection.userId,
      value: rejection,
    };
    this.rejected.push(stored);
    const entry = toInboxRejection(stored, this.ids);
    this.watchers.emit({ type: "rejection", rejection: entry });
    return entry;
  }

  /**
   * Lists messages, newest first.
   *
   * @param filter bot, user, conversation, flow name, since (time or id), limit (default 100)
   * @returns the matching messages
   * @throws {TypeError} when `since` or `limit` is not valid
   * @example
   * ```ts
   * mock.inbox.list({ botId: "bot-1", flowName: "welcome_flow", limit: 10 });
   * ```
   */
  list(filter: InboxFilter = {}): InboxMessage[] {
    // In-process callers get every message within `limit`: the byte budget bounds an answer built for the wire.
    return this.query(filter, Number.POSITIVE_INFINITY).messages;
  }

  /**
   * Lists messages, newest first, with how many matched before `limit`, within the byte budget of one listing answer
   * (LIST_BYTE_BUDGET of inbox-query.ts; the newest message always): those within `limit` left out for it are counted in
   * `omitted` and named in `omittedIds`, each readable with {@link Inbox.get}.
   *
   * @param filter as for {@link Inbox.list}
   * @param budgetBytes the bytes of bodies the page may carry (default: LIST_BYTE_BUDGET)
   * @returns the page, the total and what the budget left out
   * @throws {TypeError} when `since` or `limit` is not valid
   * @example
   * ```ts
   * const { messages, total } = mock.inbox.query({ userId: "593987654321", limit: 1 });
   * ```
   */
  query(filter: InboxFilter = {}, budgetBytes = LIST_BYTE_BUDGET): MessagePage {
    const bodyBytes = (stored: StoredMessage) => stored.end - stored.start;
    const { items, total, omitted } = select(this.messages, compileFilter(filter, this.ids), bodyBytes, budgetBytes);
    const page: MessagePage = { messages: items.map((stored) => toInboxMessage(stored, this.ids)), total };
    return omitted.length === 0 ? page : { ...page, omitted: omitted.length, omittedIds: omitted.map((stored) => this.ids.format("msg", stored.seq)) };
  }

  /**
   * One message by id, or the newest with `"latest"`.
   *
   * @param id a message id (the `X-Message-Id` header of the 200 answer) or `"latest"`
   * @returns the message, or undefined when the inbox does not hold it
   * @example
   * ```ts
   * const sent = mock.inbox.get("latest");
   * ```
   */
  get(id: string): InboxMessage | undefined {
    if (id === "latest") {
      const newest = this.messages.newest();
      return newest === undefined ? undefined : toInboxMessage(newest, this.ids);
    }
    if (!ID_PATTERN.test(id) || !id.startsWith("msg_")) return undefined;
    const stored = this.messages.find(this.ids.seqOf(id));
    return stored === undefined || this.ids.format("msg", stored.seq) !== id ? undefined : toInboxMessage(stored, this.ids);
  }

  /**
   * Lists rejected requests, newest first.
   *
   * @param filter bot, user, conversation, since, limit (default 100)
   * @returns the matching rejections
   * @throws {TypeError} when `since` or `limit` is not valid
   * @example
   * ```ts
   * const [why] = mock.inbox.rejections({ limit: 1 });
   * console.log(why.status, why.code, why.problems);
   * ```
   */
  rejections(filter: RejectionFilter = {}): InboxRejection[] {
    return this.queryRejections(filter, Number.POSITIVE_INFINITY).rejections;
  }

  /**
   * Lists rejected requests with how many matched before `limit`, within the byte budget of one listing answer
   * (those within `limit` left out for it are counted in `omitted`; narrow the filter or use `since` to see them).
   *
   * @param filter as for {@link Inbox.rejections}
   * @param budgetBytes the bytes of rejections the page may carry (default: LIST_BYTE_BUDGET)
   * @returns the page and the total
   * @throws {TypeError} when `since` or `limit` is not valid
   * @example
   * ```ts
   * const { total } = mock.inbox.queryRejections({ botId: "bot-1" });
   * ```
   */
  queryRejections(filter: RejectionFilter = {}, budgetBytes = LIST_BYTE_BUDGET): RejectionPage {
    const sizeOf = (stored: StoredRejection) => JSON.stringify(stored.value).length;
    const { items, total, omitted } = select(this.rejected, compileFilter(filter, this.ids), sizeOf, budgetBytes);
    const page: RejectionPage = { rejections: items.map((stored) => toInboxRejection(stored, this.ids)), total };
    return omitted.length === 0 ? page : { ...page, omitted: omitted.length };
  }

  /**
   * Resolves with the newest matching message already held, or else with the next one to arrive, or with undefined
   * once `timeoutMs` passes. Pass `since` (a message id or time) to wait only for later messages: a message that
   * arrives while waiting must come after it too.
   *
   * @param filter the filter, plus `timeoutMs` (default 5000; 0 or less: only what is held; `Infinity`: no limit, until
   *   a match or the `signal`) and an optional `signal` that ends the wait early
   * @returns the message, or undefined on timeout or abort
   * @throws {TypeError} when the filter is not valid
   * @throws {RangeError} when `timeoutMs` is NaN or a finite number over 2147483647 (about 24.8 days, the longest
   *   timer Node keeps; a longer one would fire at once): pass `Infinity` to wait without a limit
   * @example
   * ```ts
   * const before = mock.inbox.get("latest");
   * void sendLater();
   * const message = await mock.inbox.waitFor({ userId: "593987654321", since: before?.id, timeoutMs: 2000 });
   * ```
   */
  waitFor(filter: InboxFilter & { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<InboxMessage | undefined> {
    const { timeoutMs = 5000, signal, ...rest } = filter;
    checkTimeout(timeoutMs);
    const [found] = this.list({ ...rest, limit: 1 });
    if (found !== undefined || timeoutMs <= 0 || signal?.aborted) return Promise.resolve(found);
    return this.watchers.wait(compileFilter(rest, this.ids), timeoutMs, signal);
  }

  /**
   * Calls `listener` for every message, rejection and clearing from now on (the inbox page streams these), or only for
   * the event types given. Ask only for what you use: while anyone listens to messages, every send also builds the
   * message object it hands them.
   *
   * @param listener receives each event of `types`; an exception it throws is ignored
   * @param types the event types to receive (`"message"`, `"rejection"`, `"cleared"`); all when left out
   * @returns a function that unsubscribes
   * @example
   * ```ts
   * const stop = mock.inbox.subscribe((e) => console.log(e.message.id), ["message"]);
   * stop();
   * ```
   */
  subscribe<T extends InboxEvent["type"] = InboxEvent["type"]>(
    listener: (event: Extract<InboxEvent, { type: T }>) => void,
    types?: readonly T[],
  ): () => void {
    return this.watchers.subscribe(listener as (event: InboxEvent) => void, types);
  }

  /**
   * Removes every message and rejection. The counters of what was received, rejected and evicted are kept.
   *
   * @returns how many entries were removed
   * @example
   * ```ts
   * beforeEach(() => mock.inbox.clear());
   * ```
   */
  clear(): number {
    const n = this.messages.clear() + this.rejected.clear();
    this.watchers.emit({ type: "cleared" });
    return n;
  }

  /**
   * The counters: held now, received and rejected since start, evicted because full.
   *
   * @returns the counters
   * @example
   * ```ts
   * const { received, evicted } = mock.inbox.stats();
   * ```
   */
  stats(): InboxStats {
    return {
      messages: this.messages.size,
      received: this.messages.added,
      evicted: this.messages.evicted,
      maxMessages: this.messages.capacity,
      retainedBytes: this.messages.retainedBytes,
      maxRetainedBytes: this.messages.maxBytes,
      rejections: this.rejected.size,
      rejected: this.rejected.added,
      rejectionsEvicted: this.rejected.evicted,
      maxRejections: this.rejected.capacity,
    };
  }
}

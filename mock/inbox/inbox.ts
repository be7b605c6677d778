import { BoundedLog, ID_PATTERN, IdSource } from "./bounded-log.js";
import { EventEmitter } from "node:events";
import { compileFilter, LIST_BYTE_BUDGET, select, toInboxMessage } from "./inbox-query.js";
import type { StoredMessage, StoredRejection } from "./inbox-query.js";
import { checkTimeout, nextMessage, subscribe } from "./inbox-watchers.js";
import type { InboxEvent, InboxFilter, InboxMessage, InboxRejection, InboxStats, RejectionFilter } from "../types.js";
import type { MessagePage, NewInboxMessage, RejectionPage } from "../types.js";

/** Default bound on held body bytes: 1000 messages of 1 MiB would hold 1 GB; 128 MiB keeps 100,000 ordinary ones. */
export const MAX_RETAINED_BYTES = 128 * 1024 * 1024;
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
  private readonly messages: BoundedLog<StoredMessage>;
  private readonly rejected: BoundedLog<StoredRejection>;
  /** Emits "message", "rejection" and "cleared"; a message event also carries the stored entry, for waiters. */
  private readonly events = new EventEmitter().setMaxListeners(0);
  /**
   * Makes the ids of messages and rejections, in one sequence so `since` works across both.
   * @internal
   */
  readonly ids = new IdSource();

  /**
   * Made by `createMockJelou` (as `mock.inbox`, bounded by its options); make one yourself to seed an inbox in a test.
   *
   * @param maxMessages how many messages are held before the oldest is evicted
   * @param maxRejections how many rejections are held
   * @param maxRetainedBytes how many bytes of bodies (JSON text in UTF-8, with any upstream answer) are held before the
   *   oldest messages are evicted (the newest is always held)
   * @throws `RangeError` when a bound is not a whole number of at least 1
   */
  constructor(maxMessages = 1000, maxRejections = 1000, maxRetainedBytes = MAX_RETAINED_BYTES) {
    for (const [name, n] of Object.entries({ maxMessages, maxRejections, maxRetainedBytes })) {
      if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name} must be a whole number of at least 1, not ${n}.`);
    }
    this.messages = new BoundedLog(maxMessages, maxRetainedBytes);
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
   * inbox.record({ botId: "bot-1", userId: "593987654321", body: message }).conversation; // "bot-1:593987654321"
   * ```
   */
  record(message: NewInboxMessage, text?: string): InboxMessage {
    return toInboxMessage(this.store(message, text), this.ids, message.body);
  }

  /**
   * Records an accepted message and returns only its id: the send route's path, building no message object for nobody.
   *
   * @param message as for {@link Inbox.record}
   * @param text as for {@link Inbox.record}
   * @param utf8 the UTF-8 bytes of `text` as received, whose length is counted instead of encoding `text` again
   * @returns the id of the recorded message
   * @example
   * ```ts
   * const id = inbox.recordId({ botId, userId, body: message, clientId }, text, bytes); // "msg_…"
   * ```
   */
  recordId(message: NewInboxMessage, text?: string, utf8?: Uint8Array): string {
    return this.ids.format("msg", this.store(message, text, utf8).seq);
  }

  // Names that repeat (bots, test phones, Flows, clients) are held once: 100,000 messages of one bot keep "bot-1" once.
  private readonly names = new Map<string, string>();
  private shared<T extends string | undefined>(value: T): T {
    const known = value === undefined ? undefined : this.names.get(value);
    if (value === undefined || known !== undefined) return known as T;
    if (this.names.size >= 10_000) this.names.clear();
    this.names.set(value, value);
    return value;
  }

  private store(message: NewInboxMessage, text = JSON.stringify(message.body), utf8?: Uint8Array): StoredMessage {
    const { botId, userId, type, clientId, body, upstream } = message;
    // The upstream's answer is held beside the body, so its bytes count towards maxRetainedBytes too.
    const upstreamBytes = upstream === undefined ? 0 : Buffer.byteLength(JSON.stringify(upstream));
    const bytes = (utf8?.byteLength ?? Buffer.byteLength(text)) + upstreamBytes;
    const name = (body?.parameters as { flow_name?: unknown } | undefined)?.flow_name;
    const flowName = this.shared(typeof name === "string" ? name : undefined);
    const entry = {
      seq: this.ids.nextSeq(), at: Date.now(), botId: this.shared(botId), userId: this.shared(userId), flowName,
      type: this.shared(type), clientId: this.shared(clientId), text, upstream, bytes,
    };
    this.messages.push(entry);
    if (this.events.listenerCount("message") > 0) {
      this.events.emit("message", { type: "message", message: toInboxMessage(entry, this.ids, body) }, entry);
    }
    return entry;
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
    const stored = { ...rejection, seq: this.ids.nextSeq(), at: Date.now() };
    this.rejected.push(stored);
    const entry = this.toRejection(stored);
    this.events.emit("rejection", { type: "rejection", rejection: entry });
    return entry;
  }

  private toRejection({ seq, at, ...rejection }: StoredRejection): InboxRejection {
    return { id: this.ids.format("rej", seq), receivedAt: new Date(at).toISOString(), ...rejection };
  }

  /**
   * Lists messages, newest first (all within `limit`: the byte budget bounds answers on the wire only).
   *
   * @param filter bot, user, conversation, flow name, since (time or id), limit (default 100)
   * @returns the matching messages
   * @throws `TypeError` when `since` or `limit` is not valid
   * @example
   * ```ts
   * mock.inbox.list({ botId: "bot-1", flowName: "welcome_flow", limit: 10 });
   * ```
   */
  list(filter: InboxFilter = {}): InboxMessage[] {
    return this.query(filter, Number.POSITIVE_INFINITY).messages;
  }

  /**
   * Lists messages, newest first, with how many matched before `limit`, within the byte budget of one listing answer
   * (the newest message always): those within `limit` left out are counted in `omitted` and named in `omittedIds`.
   *
   * @param filter as for {@link Inbox.list}
   * @param budgetBytes the bytes of bodies the page may carry (default: LIST_BYTE_BUDGET, 4 MiB)
   * @returns the page, the total and what the budget left out
   * @throws `TypeError` when `since` or `limit` is not valid
   * @example
   * ```ts
   * const { messages, total } = mock.inbox.query({ userId: "593987654321", limit: 1 });
   * ```
   */
  query(filter: InboxFilter = {}, budgetBytes = LIST_BYTE_BUDGET): MessagePage {
    const { items, total, omitted } = select(this.messages, compileFilter(filter, this.ids), budgetBytes);
    const page: MessagePage = { messages: items.map((stored) => toInboxMessage(stored, this.ids)), total };
    if (omitted.length === 0) return page;
    return { ...page, omitted: omitted.length, omittedIds: omitted.map((stored) => this.ids.format("msg", stored.seq)) };
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
    const { messages } = this;
    const seq = ID_PATTERN.test(id) ? this.ids.seqOf(id) : Number.NaN;
    const stored = id === "latest" ? messages.at(messages.size - 1) : messages.find(seq);
    return stored === undefined ? undefined : toInboxMessage(stored, this.ids);
  }

  /**
   * Lists rejected requests, newest first.
   *
   * @param filter bot, user, conversation, since, limit (default 100)
   * @returns the matching rejections
   * @throws `TypeError` when `since` or `limit` is not valid
   * @example
   * ```ts
   * const [why] = mock.inbox.rejections({ limit: 1 });
   * ```
   */
  rejections(filter: RejectionFilter = {}): InboxRejection[] {
    return this.queryRejections(filter, Number.POSITIVE_INFINITY).rejections;
  }

  /**
   * Lists rejected requests with how many matched before `limit`, within the byte budget of one listing answer
   * (the oldest of those within `limit` left out for it are counted in `omitted`).
   *
   * @param filter as for {@link Inbox.rejections}
   * @param budgetBytes the bytes of rejections the page may carry (default: LIST_BYTE_BUDGET, 4 MiB)
   * @returns the page and the total
   * @throws `TypeError` when `since` or `limit` is not valid
   * @example
   * ```ts
   * const { total } = mock.inbox.queryRejections({ botId: "bot-1" });
   * ```
   */
  queryRejections(filter: RejectionFilter = {}, budgetBytes = LIST_BYTE_BUDGET): RejectionPage {
    const sizeOf = (stored: StoredRejection) => JSON.stringify(stored).length;
    const { items, total, omitted } = select(this.rejected, compileFilter(filter, this.ids), budgetBytes, sizeOf);
    const page: RejectionPage = { rejections: items.map((stored) => this.toRejection(stored)), total };
    return omitted.length === 0 ? page : { ...page, omitted: omitted.length };
  }

  /**
   * Resolves with the newest matching message already held, or else with the next one to arrive, or with undefined
   * once `timeoutMs` passes. With `since` (a message id or time), only a later message counts, held or arriving.
   *
   * @param filter the filter, plus `timeoutMs` (default 5000; 0 or less: only what is held; `Infinity`: no limit, until
   *   a match or the `signal`) and an optional `signal` that ends the wait early
   * @returns the message, or undefined on timeout or abort
   * @throws `TypeError` when the filter is not valid
   * @throws `RangeError` when `timeoutMs` is NaN or a finite number over 2147483647 (about 24.8 days, the longest
   *   timer Node keeps): pass `Infinity` to wait without a limit
   * @example
   * ```ts
   * const message = await mock.inbox.waitFor({ userId: "593987654321", since: before?.id, timeoutMs: 2000 });
   * ```
   */
  waitFor(filter: InboxFilter & { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<InboxMessage | undefined> {
    const { timeoutMs = 5000, signal, ...rest } = filter;
    checkTimeout(timeoutMs);
    const [found] = this.list({ ...rest, limit: 1 });
    if (found !== undefined || timeoutMs <= 0 || signal?.aborted) return Promise.resolve(found);
    return nextMessage(this.events, compileFilter(rest, this.ids), timeoutMs, signal);
  }

  /**
   * Calls `listener` for every message, rejection and clearing from now on (the inbox page streams these), or only for
   * the event types given. While anyone listens to messages, every send also builds the message object it hands them.
   *
   * @param listener receives each event of `types`; an exception it throws is ignored
   * @param types the event types to receive (`"message"`, `"rejection"`, `"cleared"`); all when left out
   * @returns a function that unsubscribes
   * @example
   * ```ts
   * const stop = mock.inbox.subscribe((e) => console.log(e.message.id), ["message"]);
   * ```
   */
  subscribe<T extends InboxEvent["type"] = InboxEvent["type"]>(
    listener: (event: Extract<InboxEvent, { type: T }>) => void,
    types?: readonly T[],
  ): () => void {
    return subscribe(this.events, listener as (event: InboxEvent) => void, types);
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
    this.events.emit("cleared", { type: "cleared" });
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
    const { messages, rejected } = this;
    return {
      messages: messages.size,
      received: messages.added,
      evicted: messages.evicted,
      maxMessages: messages.capacity,
      retainedBytes: messages.bytes,
      maxRetainedBytes: messages.maxBytes,
      rejections: rejected.size,
      rejected: rejected.added,
      rejectionsEvicted: rejected.evicted,
      maxRejections: rejected.capacity,
    };
  }
}

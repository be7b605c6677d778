import { BoundedLog, ID_PATTERN, IdSource, type LogEntry } from "./bounded-log.js";
import type {
  InboxEvent,
  InboxFilter,
  InboxMessage,
  InboxRejection,
  InboxStats,
  RejectionFilter,
} from "./types.js";

interface Waiter {
  filter: InboxFilter;
  resolve(message: InboxMessage | undefined): void;
}

/** A filter with `since` turned into what the log compares, checked once instead of per entry. */
interface Compiled {
  botId?: string;
  userId?: string;
  conversation?: string;
  flowName?: string;
  sinceId?: string;
  sinceIso?: string;
  limit: number;
}

const DEFAULT_LIMIT = 100;

/**
 * Turns a `since` value into an id or an ISO time.
 *
 * @throws {TypeError} when it is neither an id of this inbox nor a time
 */
function compile(filter: InboxFilter): Compiled {
  const out: Compiled = { limit: filter.limit ?? DEFAULT_LIMIT };
  if (filter.botId !== undefined) out.botId = filter.botId;
  if (filter.userId !== undefined) out.userId = filter.userId;
  if (filter.conversation !== undefined) out.conversation = filter.conversation;
  if (filter.flowName !== undefined) out.flowName = filter.flowName;
  const since = filter.since;
  if (since instanceof Date) {
    if (Number.isNaN(since.getTime())) throw new TypeError("since is an invalid Date.");
    out.sinceIso = since.toISOString();
  } else if (typeof since === "string") {
    if (ID_PATTERN.test(since)) out.sinceId = since;
    else {
      const time = Date.parse(since);
      if (Number.isNaN(time)) {
        throw new TypeError(`since must be an ISO 8601 time or an id from this inbox (msg_… or rej_…), not "${since}".`);
      }
      out.sinceIso = new Date(time).toISOString();
    }
  }
  if (!Number.isInteger(out.limit) || out.limit < 1) throw new TypeError("limit must be a whole number of at least 1.");
  return out;
}

function matches(entry: { botId?: string; userId?: string }, f: Compiled, flowName?: string): boolean {
  if (f.botId !== undefined && entry.botId !== f.botId) return false;
  if (f.userId !== undefined && entry.userId !== f.userId) return false;
  if (f.conversation !== undefined && `${entry.botId}:${entry.userId}` !== f.conversation) return false;
  if (f.flowName !== undefined && flowName !== f.flowName) return false;
  return true;
}

function flowNameOf(message: InboxMessage): string | undefined {
  const name = (message.body.parameters as { flow_name?: unknown } | undefined)?.flow_name;
  return typeof name === "string" ? name : undefined;
}

/** Newest-first matching entries after the `since` point, at most `limit`, and how many matched in all. */
function select<T extends LogEntry & { botId?: string; userId?: string }>(
  log: BoundedLog<T>,
  f: Compiled,
  flowName: (entry: T) => string | undefined,
): { items: T[]; total: number } {
  const start = f.sinceId !== undefined ? log.indexAfter(f.sinceId) : f.sinceIso !== undefined ? log.indexAtOrAfter(f.sinceIso) : 0;
  const items: T[] = [];
  let total = 0;
  for (let i = log.size - 1; i >= start; i--) {
    const entry = log.at(i) as T;
    if (!matches(entry, f, f.flowName === undefined ? undefined : flowName(entry))) continue;
    total++;
    if (items.length < f.limit) items.push(entry);
  }
  return { items, total };
}

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
  private readonly messages: BoundedLog<InboxMessage>;
  private readonly rejected: BoundedLog<InboxRejection>;
  private readonly listeners = new Set<(event: InboxEvent) => void>();
  private waiters: Waiter[] = [];
  /** Makes the ids of messages and rejections, in one sequence so `since` works across both. */
  readonly ids = new IdSource();

  /**
   * @param maxMessages how many messages are held before the oldest is evicted
   * @param maxRejections how many rejections are held
   * @throws {RangeError} when a capacity is not a whole number of at least 1
   */
  constructor(maxMessages = 1000, maxRejections = 1000) {
    for (const [name, n] of [["maxMessages", maxMessages], ["maxRejections", maxRejections]] as const) {
      if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name} must be a whole number of at least 1, not ${n}.`);
    }
    this.messages = new BoundedLog(maxMessages);
    this.rejected = new BoundedLog(maxRejections);
  }

  /**
   * Records an accepted message (the mock calls it; tests may too, to seed an inbox).
   *
   * @param message the message without `id` and `receivedAt`, which are assigned here
   * @returns the recorded message
   */
  record(message: Omit<InboxMessage, "id" | "receivedAt">): InboxMessage {
    const entry = { id: this.ids.next("msg"), receivedAt: new Date().toISOString(), ...message } as InboxMessage;
    this.messages.push(entry);
    if (this.waiters.length > 0) this.wake(entry);
    if (this.listeners.size > 0) this.emit({ type: "message", message: entry });
    return entry;
  }

  /**
   * Records a rejected request.
   *
   * @param rejection the rejection without `id` and `receivedAt`
   * @returns the recorded rejection
   */
  reject(rejection: Omit<InboxRejection, "id" | "receivedAt">): InboxRejection {
    const entry = { id: this.ids.next("rej"), receivedAt: new Date().toISOString(), ...rejection } as InboxRejection;
    this.rejected.push(entry);
    if (this.listeners.size > 0) this.emit({ type: "rejection", rejection: entry });
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
    return this.query(filter).messages;
  }

  /**
   * Lists messages, newest first, with how many matched before `limit`.
   *
   * @param filter as for {@link Inbox.list}
   * @returns the page and the total
   * @throws {TypeError} when `since` or `limit` is not valid
   * @example
   * ```ts
   * const { messages, total } = mock.inbox.query({ userId: "593987654321", limit: 1 });
   * ```
   */
  query(filter: InboxFilter = {}): { messages: InboxMessage[]; total: number } {
    const { items, total } = select(this.messages, compile(filter), flowNameOf);
    return { messages: items, total };
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
    return id === "latest" ? this.messages.newest() : this.messages.find(id);
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
    return this.queryRejections(filter).rejections;
  }

  /**
   * Lists rejected requests with how many matched before `limit`.
   *
   * @param filter as for {@link Inbox.rejections}
   * @returns the page and the total
   * @throws {TypeError} when `since` or `limit` is not valid
   * @example
   * ```ts
   * const { total } = mock.inbox.queryRejections({ botId: "bot-1" });
   * ```
   */
  queryRejections(filter: RejectionFilter = {}): { rejections: InboxRejection[]; total: number } {
    const { items, total } = select(this.rejected, compile(filter), () => undefined);
    return { rejections: items, total };
  }

  /**
   * Resolves with the newest matching message already held, or else with the next one to arrive, or with undefined
   * once `timeoutMs` passes. Pass `since` (a message id or time) to wait only for later messages.
   *
   * @param filter the filter, plus `timeoutMs` (default 5000) and an optional `signal` that ends the wait early
   * @returns the message, or undefined on timeout or abort
   * @throws {TypeError} when the filter is not valid
   * @example
   * ```ts
   * const before = mock.inbox.get("latest");
   * void sendLater();
   * const message = await mock.inbox.waitFor({ userId: "593987654321", since: before?.id, timeoutMs: 2000 });
   * ```
   */
  waitFor(filter: InboxFilter & { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<InboxMessage | undefined> {
    const { timeoutMs = 5000, signal, ...rest } = filter;
    const [found] = this.list({ ...rest, limit: 1 });
    if (found !== undefined || timeoutMs <= 0 || signal?.aborted) return Promise.resolve(found);
    return new Promise((resolve) => {
      const finish = (message: InboxMessage | undefined) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(message);
      };
      const onAbort = () => finish(undefined);
      const waiter: Waiter = { filter: rest, resolve: finish };
      const timer = setTimeout(onAbort, timeoutMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /**
   * Calls `listener` for every message, rejection and clearing from now on (the inbox page streams these).
   *
   * @param listener receives each event; an exception it throws is ignored
   * @returns a function that unsubscribes
   * @example
   * ```ts
   * const stop = mock.inbox.subscribe((e) => { if (e.type === "message") console.log(e.message.id); });
   * stop();
   * ```
   */
  subscribe(listener: (event: InboxEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
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
    this.emit({ type: "cleared" });
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
      rejections: this.rejected.size,
      rejected: this.rejected.added,
      rejectionsEvicted: this.rejected.evicted,
      maxRejections: this.rejected.capacity,
    };
  }

  private wake(message: InboxMessage): void {
    for (const waiter of [...this.waiters]) {
      if (matches(message, compile({ ...waiter.filter, since: undefined }), flowNameOf(message))) waiter.resolve(message);
    }
  }

  private emit(event: InboxEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A listener's failure must not fail the request that caused the event.
      }
    }
  }
}

import { ID_PATTERN, type IdSource, type LogEntry, type RingLog } from "./bounded-log.js";
import type { TextRef } from "./text-arena.js";
import type { InboxFilter, InboxMessage, InboxRejection } from "./types.js";

/**
 * One message's record: the body as its JSON text in UTF-8 bytes outside the heap (see TextArena), the id and the time
 * as numbers, repeated strings shared. The inbox keeps these fields in columns (see MessageColumns) and builds this
 * object only to write or read one; it is turned into an {@link InboxMessage} when read.
 */
export interface StoredMessage extends LogEntry, TextRef {
  botId: string;
  userId: string;
  flowName: string | undefined;
  type: string | undefined;
  clientId: string | undefined;
}

/** A rejection as the inbox holds it. */
export interface StoredRejection extends LogEntry {
  botId: string | undefined;
  userId: string | undefined;
  value: Omit<InboxRejection, "id" | "receivedAt">;
}

/** What a filter compares, worked out once per query instead of once per entry. */
export interface CompiledFilter {
  botId?: string;
  userId?: string;
  conversation?: string;
  flowName?: string;
  sinceSeq?: number;
  sinceMs?: number;
  limit: number;
}

/** The fields a filter looks at. */
interface Filterable {
  botId?: string | undefined;
  userId?: string | undefined;
  flowName?: string | undefined;
}

const DEFAULT_LIMIT = 100;
/** A held message as the public {@link InboxMessage}; the body is parsed again unless the caller has it. */
export function toInboxMessage(stored: StoredMessage, ids: IdSource, body?: InboxMessage["body"]): InboxMessage {
  const message = {
    id: ids.format("msg", stored.seq),
    receivedAt: new Date(stored.at).toISOString(),
    conversation: `${stored.botId}:${stored.userId}`,
    botId: stored.botId,
    userId: stored.userId,
  } as InboxMessage;
  if (stored.type !== undefined) message.type = stored.type;
  message.body = body ?? (JSON.parse(stored.slab.toString("utf8", stored.start, stored.end)) as InboxMessage["body"]);
  if (stored.clientId !== undefined) message.clientId = stored.clientId;
  return message;
}

/** A held rejection as the public {@link InboxRejection}. */
export function toInboxRejection(stored: StoredRejection, ids: IdSource): InboxRejection {
  return { id: ids.format("rej", stored.seq), receivedAt: new Date(stored.at).toISOString(), ...stored.value };
}

/**
 * Turns a filter into what the logs compare.
 *
 * @throws {TypeError} when `since` is neither an id of this inbox nor a time, or `limit` is not a whole number >= 1
 */
export function compileFilter(filter: InboxFilter, ids: IdSource): CompiledFilter {
  const out: CompiledFilter = { limit: filter.limit ?? DEFAULT_LIMIT };
  if (filter.botId !== undefined) out.botId = filter.botId;
  if (filter.userId !== undefined) out.userId = filter.userId;
  if (filter.conversation !== undefined) out.conversation = filter.conversation;
  if (filter.flowName !== undefined) out.flowName = filter.flowName;
  const since = filter.since;
  if (since instanceof Date) {
    if (Number.isNaN(since.getTime())) throw new TypeError("since is an invalid Date.");
    out.sinceMs = since.getTime();
  } else if (typeof since === "string") {
    if (ID_PATTERN.test(since)) out.sinceSeq = ids.seqOf(since);
    else {
      const time = Date.parse(since);
      if (Number.isNaN(time)) {
        throw new TypeError(`since must be an ISO 8601 time or an id from this inbox (msg_… or rej_…), not "${since}".`);
      }
      out.sinceMs = time;
    }
  }
  if (!Number.isInteger(out.limit) || out.limit < 1) throw new TypeError("limit must be a whole number of at least 1.");
  return out;
}

/** Whether an entry passes the filter's bot, user, conversation and flow (not `since`, which the log's order handles). */
export function matches(entry: Filterable, f: CompiledFilter): boolean {
  if (f.botId !== undefined && entry.botId !== f.botId) return false;
  if (f.userId !== undefined && entry.userId !== f.userId) return false;
  if (f.conversation !== undefined && `${entry.botId}:${entry.userId}` !== f.conversation) return false;
  if (f.flowName !== undefined && entry.flowName !== f.flowName) return false;
  return true;
}

/**
 * Whether an entry comes after the filter's `since` point. Listing needs no such test (it starts from the log's first
 * entry after the point); a waiter does, for each message that arrives while it waits.
 */
export function isAfter(entry: LogEntry, f: CompiledFilter): boolean {
  return (f.sinceSeq === undefined || entry.seq > f.sinceSeq) && (f.sinceMs === undefined || entry.at >= f.sinceMs);
}

/** `parameters.flow_name` of a body, when it is a string. */
export function flowNameOf(body: InboxMessage["body"] | undefined): string | undefined {
  const name = (body?.parameters as { flow_name?: unknown } | undefined)?.flow_name;
  return typeof name === "string" ? name : undefined;
}

/**
 * The most bytes of entries one listing answer carries (`GET /__mock/messages`, `/rejections`, `/replies` and the inbox
 * page): 600 held messages of 1 MB had made one answer 600 MB and the mock 2.7 GB. 4 MiB holds the largest body the
 * send path accepts by default (1 MiB) four times over, and thousands of ordinary messages; it is a memory bound of the
 * mock, not a derived quantity, so it is stated here and in mock/openapi.yaml's `omitted`.
 */
export const LIST_BYTE_BUDGET = 4 * 1024 * 1024;

/** What one listed entry costs beyond its body: its id, time, names and the JSON around them. */
export const ENTRY_OVERHEAD_BYTES = 256;

/** A listing's entries within its byte budget, how many matched in all, and the ids of those left out for the budget. */
export interface Selection<T> {
  items: T[];
  total: number;
  /** Matched entries within `limit` that did not fit the byte budget, newest first. */
  omitted: T[];
}

/**
 * Newest-first matching entries after the `since` point, at most `limit` and at most `budget` bytes (the newest one
 * always, so every entry can be listed), and how many matched in all.
 */
export function select<T extends LogEntry & Filterable>(
  log: RingLog<T>,
  f: CompiledFilter,
  sizeOf: (entry: T) => number = () => 0,
  budget = LIST_BYTE_BUDGET,
): Selection<T> {
  const start = f.sinceSeq !== undefined ? log.indexAfter(f.sinceSeq) : f.sinceMs !== undefined ? log.indexAtOrAfter(f.sinceMs) : 0;
  const items: T[] = [];
  const omitted: T[] = [];
  let total = 0;
  let bytes = 0;
  for (let i = log.size - 1; i >= start; i--) {
    const entry = log.at(i) as T;
    if (!matches(entry, f)) continue;
    total++;
    if (items.length + omitted.length >= f.limit) continue;
    const size = sizeOf(entry) + ENTRY_OVERHEAD_BYTES;
    if (items.length > 0 && bytes + size > budget) omitted.push(entry);
    else {
      items.push(entry);
      bytes += size;
    }
  }
  return { items, total, omitted };
}

/**
 * The leading items of a newest-first list that fit one listing answer's byte budget (the first always), and how many
 * did not.
 *
 * @param items the list, newest first
 * @param sizeOf the bytes one item takes in the answer
 * @param budget the bytes the answer may carry
 * @returns the items kept and the count left out
 */
export function withinBudget<T>(items: readonly T[], sizeOf: (item: T) => number, budget = LIST_BYTE_BUDGET): { kept: T[]; omitted: number } {
  let bytes = 0;
  let n = 0;
  for (const item of items) {
    bytes += sizeOf(item) + ENTRY_OVERHEAD_BYTES;
    if (n > 0 && bytes > budget) break;
    n++;
  }
  return { kept: items.slice(0, n), omitted: items.length - n };
}

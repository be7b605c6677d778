import { type BoundedLog, ID_PATTERN, type IdSource, type LogEntry } from "./bounded-log.js";
import type { InboxFilter, InboxMessage, InboxRejection, InboxUpstream } from "../types.js";

/** A message as the inbox holds it: the body as its JSON text, the id and time as numbers; `bytes` counts body and upstream. */
export interface StoredMessage extends LogEntry {
  botId: string;
  userId: string;
  flowName: string | undefined;
  type: string | undefined;
  clientId: string | undefined;
  text: string;
  upstream?: InboxUpstream | undefined;
  bytes: number;
}

export type StoredRejection = LogEntry & Omit<InboxRejection, "id" | "receivedAt">;

/** What a filter compares, worked out once per query instead of once per entry. */
export interface CompiledFilter extends Omit<InboxFilter, "since" | "limit"> {
  sinceSeq?: number;
  sinceMs?: number;
  limit: number;
}

type Filterable = Pick<InboxFilter, "botId" | "userId" | "flowName">;

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
  message.body = body ?? (JSON.parse(stored.text) as InboxMessage["body"]);
  if (stored.clientId !== undefined) message.clientId = stored.clientId;
  if (stored.upstream !== undefined) message.upstream = stored.upstream;
  return message;
}

/** @throws `TypeError` when `since` is neither an id of this inbox nor a time, or `limit` is not a whole number >= 1 */
export function compileFilter(filter: InboxFilter, ids: IdSource): CompiledFilter {
  const { since, limit = 100, ...names } = filter;
  if (!Number.isInteger(limit) || limit < 1) throw new TypeError("limit must be a whole number of at least 1.");
  if (typeof since === "string" && ID_PATTERN.test(since)) return { ...names, limit, sinceSeq: ids.seqOf(since) };
  const sinceMs = since instanceof Date ? since.getTime() : since === undefined ? undefined : Date.parse(since);
  if (Number.isNaN(sinceMs)) {
    throw new TypeError(`since must be an ISO 8601 time or an id from this inbox (msg_… or rej_…), not "${String(since)}".`);
  }
  return { ...names, limit, sinceMs };
}

/** Whether an entry passes the filter's bot, user, conversation and flow (`since` is {@link isAfter}). */
export function matches(entry: Filterable, f: CompiledFilter): boolean {
  return (
    (f.botId === undefined || entry.botId === f.botId) &&
    (f.userId === undefined || entry.userId === f.userId) &&
    (f.conversation === undefined || `${entry.botId}:${entry.userId}` === f.conversation) &&
    (f.flowName === undefined || entry.flowName === f.flowName)
  );
}

/** Whether an entry comes after the filter's `since` point. */
export function isAfter(entry: LogEntry, f: CompiledFilter): boolean {
  return (f.sinceSeq === undefined || entry.seq > f.sinceSeq) && (f.sinceMs === undefined || entry.at >= f.sinceMs);
}

/** Per listing answer (and the page): 600 held bodies of 1 MB once made one answer 600 MB; see `omitted` in openapi.yaml. */
export const LIST_BYTE_BUDGET = 4 * 1024 * 1024;

/** What one listed entry costs beyond its body: its id, time, names and the JSON around them. */
const ENTRY_OVERHEAD_BYTES = 256;

/** Newest-first matching entries after `since`, at most `limit`; of those, the ones past `budget` bytes are `omitted`. */
export function select<T extends LogEntry & Filterable>(
  log: BoundedLog<T>,
  f: CompiledFilter,
  budget: number,
  sizeOf = (entry: T) => entry.bytes ?? 0,
): { items: T[]; total: number; omitted: T[] } {
  const matching: T[] = [];
  let total = 0;
  for (let i = log.size - 1; i >= 0; i--) {
    const entry = log.at(i) as T;
    if (!isAfter(entry, f)) break;
    if (matches(entry, f) && total++ < f.limit) matching.push(entry);
  }
  const { kept } = withinBudget(matching, sizeOf, budget);
  return { items: kept, total, omitted: matching.slice(kept.length) };
}

/** The leading items of a newest-first list that fit one listing answer's byte budget (the first always). */
export function withinBudget<T>(items: readonly T[], sizeOf: (item: T) => number, budget = LIST_BYTE_BUDGET) {
  let bytes = 0;
  let n = 0;
  for (const item of items) {
    bytes += sizeOf(item) + ENTRY_OVERHEAD_BYTES;
    if (n > 0 && bytes > budget) break;
    n++;
  }
  return { kept: items.slice(0, n), omitted: items.length - n };
}

import type { EventEmitter } from "node:events";
import { isAfter, matches, type CompiledFilter, type StoredMessage } from "./inbox-query.js";
import type { InboxEvent, InboxMessage } from "../types.js";

type EventType = InboxEvent["type"];

/** The longest timer Node keeps (2^31 - 1 ms); a longer one fires after 1 ms, with a warning. */
const MAX_TIMEOUT_MS = 2_147_483_647;

/** @throws `RangeError` when `timeoutMs` is NaN, or finite and over 2147483647 ms (about 24.8 days) */
export function checkTimeout(timeoutMs: number): void {
  if (Number.isNaN(timeoutMs) || (timeoutMs > MAX_TIMEOUT_MS && timeoutMs !== Number.POSITIVE_INFINITY)) {
    const limit = `at most ${MAX_TIMEOUT_MS} (about 24.8 days), or Infinity to wait without a limit`;
    throw new RangeError(`timeoutMs must be ${limit}, not ${timeoutMs}.`);
  }
}

/** Calls `receive` for each event of `types` that the inbox's emitter sends, until the returned function is called. */
export function subscribe(
  events: EventEmitter,
  receive: (event: InboxEvent) => void,
  types: readonly EventType[] = ["message", "rejection", "cleared"],
): () => void {
  const listener = (event: InboxEvent) => {
    try {
      receive(event);
    } catch {
      // A listener's failure must not fail the request that caused the event.
    }
  };
  const unique = new Set(types);
  for (const type of unique) events.on(type, listener);
  return () => {
    for (const type of unique) events.off(type, listener);
  };
}

/** The next message matching `filter` (its `since` included), or undefined after `timeoutMs` or on abort. */
export function nextMessage(
  events: EventEmitter,
  filter: CompiledFilter,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<InboxMessage | undefined> {
  return new Promise((resolve) => {
    const finish = (message: InboxMessage | undefined) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      events.off("message", onMessage);
      resolve(message);
    };
    const onAbort = () => finish(undefined);
    const onMessage = (event: { message: InboxMessage }, stored: StoredMessage) => {
      if (matches(stored, filter) && isAfter(stored, filter)) finish(event.message);
    };
    const timer = timeoutMs === Number.POSITIVE_INFINITY ? undefined : setTimeout(onAbort, timeoutMs);
    signal?.addEventListener("abort", onAbort, { once: true });
    events.on("message", onMessage);
  });
}

import { isAfter, matches, type CompiledFilter, type StoredMessage } from "./inbox-query.js";
import type { InboxEvent, InboxMessage } from "./types.js";

interface Waiter {
  filter: CompiledFilter;
  resolve(message: InboxMessage | undefined): void;
}

type EventType = InboxEvent["type"];

interface Listener {
  receive(event: InboxEvent): void;
  /** The event types it asked for; undefined for all. */
  types: ReadonlySet<EventType> | undefined;
}

/** The longest timer Node keeps (2^31 - 1 ms); a longer one fires after 1 ms, with a warning. */
const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * Refuses a wait's timeout that no timer can keep.
 *
 * @param timeoutMs the timeout asked for
 * @throws {RangeError} when it is NaN, or finite and over 2147483647 ms (about 24.8 days)
 */
export function checkTimeout(timeoutMs: number): void {
  if (Number.isNaN(timeoutMs) || (timeoutMs > MAX_TIMEOUT_MS && timeoutMs !== Number.POSITIVE_INFINITY)) {
    throw new RangeError(`timeoutMs must be at most ${MAX_TIMEOUT_MS} (about 24.8 days), or Infinity to wait without a limit, not ${timeoutMs}.`);
  }
}

/**
 * Who is told of what the inbox receives: waiters (each resolved by the first new message matching its filter) and
 * listeners (told of the messages, rejections and clearings they asked for). The inbox asks whether anyone watches
 * messages before building the message object a watcher needs, so that a send nobody watches builds none: a listener
 * that asked only for clearings (the simulated replies) costs the send path nothing.
 */
export class InboxWatchers {
  private readonly listeners = new Set<Listener>();
  private readonly counts: Record<EventType, number> = { message: 0, rejection: 0, cleared: 0 };
  private waiters: Waiter[] = [];

  /** Whether a waiter waits. */
  get waiting(): boolean {
    return this.waiters.length > 0;
  }

  /**
   * Whether a listener listens to events of this type.
   *
   * @param type the event's type
   */
  listening(type: EventType): boolean {
    return this.counts[type] > 0;
  }

  /**
   * Waits for the next message matching `filter`.
   *
   * @param filter the compiled filter
   * @param timeoutMs how long to wait before resolving with undefined (at most 2^31 - 1), or Infinity for no limit
   * @param signal ends the wait early, with undefined
   * @returns the message, or undefined on timeout or abort
   */
  wait(filter: CompiledFilter, timeoutMs: number, signal: AbortSignal | undefined): Promise<InboxMessage | undefined> {
    return new Promise((resolve) => {
      const finish = (message: InboxMessage | undefined) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(message);
      };
      const onAbort = () => finish(undefined);
      const waiter: Waiter = { filter, resolve: finish };
      const timer = timeoutMs === Number.POSITIVE_INFINITY ? undefined : setTimeout(onAbort, timeoutMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Resolves every waiter whose filter the new message matches, `since` included. */
  wake(message: InboxMessage, stored: StoredMessage): void {
    for (const waiter of [...this.waiters]) {
      if (matches(stored, waiter.filter) && isAfter(stored, waiter.filter)) waiter.resolve(message);
    }
  }

  /**
   * @param receive receives each event of `types`; an exception it throws is ignored
   * @param types the event types to receive; all when left out
   * @returns a function that unsubscribes
   */
  subscribe(receive: (event: InboxEvent) => void, types?: readonly EventType[]): () => void {
    const listener: Listener = { receive, types: types === undefined ? undefined : new Set(types) };
    this.listeners.add(listener);
    this.count(listener, 1);
    return () => {
      if (this.listeners.delete(listener)) this.count(listener, -1);
    };
  }

  private count(listener: Listener, by: 1 | -1): void {
    for (const type of Object.keys(this.counts) as EventType[]) {
      if (listener.types === undefined || listener.types.has(type)) this.counts[type] += by;
    }
  }

  /** Tells every listener that asked for events of its type of `event`. */
  emit(event: InboxEvent): void {
    if (this.counts[event.type] === 0) return;
    for (const listener of this.listeners) {
      if (listener.types !== undefined && !listener.types.has(event.type)) continue;
      try {
        listener.receive(event);
      } catch {
        // A listener's failure must not fail the request that caused the event.
      }
    }
  }
}

import { matches, type CompiledFilter, type StoredMessage } from "./inbox-query.js";
import type { InboxEvent, InboxMessage } from "./types.js";

interface Waiter {
  filter: CompiledFilter;
  resolve(message: InboxMessage | undefined): void;
}

/**
 * Who is told of what the inbox receives: waiters (each resolved by the first new message matching its filter) and
 * listeners (told of every message, rejection and clearing). The inbox asks whether anyone watches before building the
 * message object a watcher needs, so that a send nobody watches builds none.
 */
export class InboxWatchers {
  private readonly listeners = new Set<(event: InboxEvent) => void>();
  private waiters: Waiter[] = [];

  /** Whether a waiter waits. */
  get waiting(): boolean {
    return this.waiters.length > 0;
  }

  /** Whether a listener listens. */
  get listening(): boolean {
    return this.listeners.size > 0;
  }

  /**
   * Waits for the next message matching `filter`.
   *
   * @param filter the compiled filter
   * @param timeoutMs how long to wait before resolving with undefined
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
      const timer = setTimeout(onAbort, timeoutMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Resolves every waiter whose filter the new message matches. */
  wake(message: InboxMessage, stored: StoredMessage): void {
    for (const waiter of [...this.waiters]) {
      if (matches(stored, waiter.filter)) waiter.resolve(message);
    }
  }

  /**
   * @param listener receives each event; an exception it throws is ignored
   * @returns a function that unsubscribes
   */
  subscribe(listener: (event: InboxEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tells every listener of `event`. */
  emit(event: InboxEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A listener's failure must not fail the request that caused the event.
      }
    }
  }
}

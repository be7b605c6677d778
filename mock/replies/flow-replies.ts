/**
 * Simulated Flow replies: turns "the recipient completed this Flow with these answers" into a reply event, keeps the
 * latest events with their webhook delivery, sends each to the webhook when one is configured, and tells subscribers (the
 * inbox page) about every change.
 */
import type { components } from "../../generated/mock/openapi.js";
import type { WebhookOptions } from "../types.js";
import { buildFlowReplyEvent } from "./reply-event.js";
import { createWebhookSender, type WebhookDelivery, type WebhookSender } from "./webhook-sender.js";
import type { InboxMessageView } from "../ui/inbox-types.js";

/** A reply event and, with a webhook, its delivery as it stands now (`FlowReplyRecord` in `mock/openapi.yaml`). */
export type FlowReplyRecord = components["schemas"]["FlowReplyRecord"];

/** What {@link FlowReplies.subscribe} listeners receive. */
export type FlowReplyChange =
  | { type: "reply"; reply: FlowReplyRecord }
  | { type: "delivery"; delivery: WebhookDelivery };

/** The default bound on the bytes of reply events kept: 64 MiB. */
export const MAX_REPLY_BYTES = 64 * 1024 * 1024;

/** Options of {@link createFlowReplies}. */
export interface FlowRepliesOptions {
  /**
   * Finds the message a reply answers (`"latest"` included). With `subscribe`, the replies are emptied when the inbox
   * is cleared: a reply answers a message, and a test that clears the inbox between cases expects to see none of the
   * previous case's replies.
   */
  inbox: {
    get(id: string): InboxMessageView | undefined;
    /** Asked for clearings only, so that sends build no message object for it. */
    subscribe?(listener: (event: { type: "cleared" }) => void, types: readonly "cleared"[]): () => void;
  };
  webhook?: WebhookOptions;
  /** How many reply events are kept; older ones are dropped first. @default 1000 */
  maxReplies?: number;
  /**
   * How many bytes of reply events (as JSON) are kept; older ones are dropped first, the newest always kept. Each event
   * carries its message's payload, so 1000 replies to a 1 MB message would otherwise hold more than 1 GB.
   * @default 67108864 (64 MiB, {@link MAX_REPLY_BYTES})
   */
  maxBytes?: number;
  /** The fetch webhook deliveries use (for tests). */
  fetch?: typeof globalThis.fetch;
}

/** The simulated replies of one mock. */
export interface FlowReplies {
  /**
   * Completes the Flow of message `id` with `answers`: records the reply event and, with a webhook, starts delivering it.
   *
   * @param id a message id, or `"latest"`
   * @param answers what the recipient filled in, sent as the `nfm_reply`'s `response_json`
   * @returns the event and its delivery as it stands, or `undefined` when no such message is in the inbox
   * @example
   * ```ts
   * const record = mock.replies.reply("latest", { date: "2026-02-01" });
   * record?.event.payload; // the payload sent with the message
   * ```
   */
  reply(id: string, answers: Record<string, unknown>): FlowReplyRecord | undefined;
  /**
   * The kept reply events, newest first, each with its delivery's current status; none after the inbox is cleared.
   *
   * @returns copies of the records
   * @example
   * ```ts
   * const [last] = mock.replies.list();
   * last?.delivery?.status; // "delivered", "retrying", "failed"…
   * ```
   */
  list(): FlowReplyRecord[];
  /** The webhook as shown to people (no credentials), or `undefined` without one. */
  readonly webhookUrl: string | undefined;
  /**
   * Calls `listener` for every new reply and every change of a delivery (the inbox page streams these).
   *
   * @param listener receives each change; an exception it throws is ignored
   * @returns a function that unsubscribes
   * @example
   * ```ts
   * const stop = mock.replies.subscribe((change) => console.log(change.type));
   * stop();
   * ```
   */
  subscribe(listener: (change: FlowReplyChange) => void): () => void;
  /**
   * Resolves when every delivery has ended (delivered or failed).
   *
   * @returns a promise that never rejects
   * @example
   * ```ts
   * mock.replies.reply("latest", {});
   * await mock.replies.idle(); // the webhook has its event, or gave up
   * ```
   */
  idle(): Promise<void>;
  /**
   * Ends waiting retries and deliveries in flight as `failed` ("the mock stopped"); replies made later are delivered as
   * usual. A server's `close` calls it, so a mock that stops serving HTTP sends no more, yet can still be used.
   *
   * @example
   * ```ts
   * mock.replies.cancelDeliveries(); // a receiver that keeps failing: stop its retries now
   * ```
   */
  cancelDeliveries(): void;
  /**
   * Stops for good: cancels as {@link FlowReplies.cancelDeliveries} does, stops following the inbox, and fails every
   * later delivery at once.
   *
   * @example
   * ```ts
   * afterAll(() => mock.replies.close()); // an in-process mock with a webhook, never listened
   * ```
   */
  close(): void;
}

/**
 * Creates the simulated Flow replies of a mock.
 *
 * @param options the inbox to answer from and the optional webhook
 * @returns the replies
 * @throws {TypeError} when the webhook URL or secret is unusable
 */
export function createFlowReplies(options: FlowRepliesOptions): FlowReplies {
  const maxReplies = options.maxReplies ?? 1000;
  const maxBytes = options.maxBytes ?? MAX_REPLY_BYTES;
  const records: FlowReplyRecord[] = [];
  // The JSON size of each record's event, in the order of `records`, and their sum.
  const sizes: number[] = [];
  let bytes = 0;
  const listeners = new Set<(change: FlowReplyChange) => void>();

  function emit(change: FlowReplyChange): void {
    for (const listener of listeners) {
      try {
        listener(change);
      } catch {
        // A failing page stream must not stop a reply or the other listeners.
      }
    }
  }

  const sender: WebhookSender | undefined = options.webhook
    ? createWebhookSender({
        ...options.webhook,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        onChange(delivery) {
          const record = records.find((r) => r.delivery?.id === delivery.id);
          if (record) record.delivery = delivery;
          emit({ type: "delivery", delivery });
        },
      })
    : undefined;

  const unsubscribe = options.inbox.subscribe?.(() => {
    records.length = 0;
    sizes.length = 0;
    bytes = 0;
  }, ["cleared"]);

  function keep(record: FlowReplyRecord): void {
    const size = JSON.stringify(record.event).length;
    records.unshift(record);
    sizes.unshift(size);
    bytes += size;
    while (records.length > maxReplies || (records.length > 1 && bytes > maxBytes)) {
      records.pop();
      bytes -= sizes.pop() ?? 0;
    }
  }

  return {
    webhookUrl: sender?.url,
    reply(id, answers) {
      const message = options.inbox.get(id);
      if (!message) return undefined;
      const event = buildFlowReplyEvent(message, answers);
      const record: FlowReplyRecord = { event };
      keep(record);
      if (sender) record.delivery = sender.send(event);
      emit({ type: "reply", reply: { ...record } });
      return { ...record };
    },
    list() {
      return records.map((record) => ({ ...record }));
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    idle: () => sender?.idle() ?? Promise.resolve(),
    cancelDeliveries() {
      sender?.cancel();
    },
    close() {
      unsubscribe?.();
      sender?.close();
    },
  };
}

/**
 * Simulated Flow replies: turns "the recipient completed this Flow with these answers" into a reply event, keeps the
 * latest events with their webhook delivery, sends each to the webhook when one is configured, and tells subscribers (the
 * inbox page) about every change.
 */
import type { components } from "../../generated/mock/openapi.js";
import type { WebhookOptions } from "../types.js";
import { buildFlowReplyEvent } from "./reply-event.js";
import { createWebhookSender, type WebhookDelivery } from "./webhook-sender.js";
import type { Inbox } from "../inbox/inbox.js";

/**
 * A reply event and, with a webhook, its delivery as it stands now (`FlowReplyRecord` in `mock/inspection/openapi.yaml`).
 * @interface
 */
export type FlowReplyRecord = components["schemas"]["FlowReplyRecord"];

/** What {@link FlowReplies.subscribe} listeners receive. */
export type FlowReplyChange =
  | {
      /** A reply was simulated. */
      type: "reply";
      /** The new reply event, with its delivery when a webhook is set. */
      reply: FlowReplyRecord;
    }
  | {
      /** A webhook delivery changed: an attempt was made, or it was delivered or given up. */
      type: "delivery";
      /** The delivery as it stands now. */
      delivery: WebhookDelivery;
    };

/** How many reply events are kept, and how many bytes of them (each carries its message's payload): the oldest go first. */
const MAX_REPLIES = 1000;
const MAX_REPLY_BYTES = 64 * 1024 * 1024;

/**
 * The simulated replies of one mock.
 *
 * @example
 * ```ts
 * const record = mock.replies.reply("latest", { date: "2026-02-01" });
 * ```
 */
export interface FlowReplies {
  /**
   * Completes the Flow of message `id` with `answers`: records the reply event and, with a webhook, starts delivering it.
   *
   * @param id a message id, or `"latest"`
   * @param answers what the recipient filled in, sent as the `nfm_reply`'s `response_json`
   * @returns the event and its delivery as it stands, or `undefined` when no such message is in the inbox
   * @example
   * ```ts
   * mock.replies.reply("latest", { date: "2026-02-01" })?.event.payload; // the payload sent with the message
   * ```
   */
  reply(id: string, answers: Record<string, unknown>): FlowReplyRecord | undefined;
  /**
   * The kept reply events (copies), newest first, each with its delivery's current status; none after the inbox is cleared.
   *
   * @example
   * ```ts
   * mock.replies.list()[0]?.delivery?.status; // "delivered", "retrying", "failed"…
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
   * const stop = mock.replies.subscribe((change) => console.log(change.type)); // "reply" or "delivery"
   * ```
   */
  subscribe(listener: (change: FlowReplyChange) => void): () => void;
  /**
   * Resolves (never rejects) when every delivery has ended, delivered or failed.
   *
   * @example
   * ```ts
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
   * mock.replies.cancelDeliveries(); // pending retries end as failed
   * ```
   */
  cancelDeliveries(): void;
  /**
   * Stops for good: cancels deliveries, stops following the inbox, and fails every later delivery at once.
   *
   * @example
   * ```ts
   * afterAll(() => mock.replies.close()); // an in-process mock with a webhook, never listened
   * ```
   */
  close(): void;
}

/**
 * Creates the simulated Flow replies of a mock. They answer messages of `inbox`, and are emptied when it is cleared: a
 * test that clears the inbox between cases expects none of the previous case's replies.
 *
 * @param options the inbox to answer from and the optional webhook
 * @returns the replies
 * @throws `TypeError` when the webhook URL or secret is unusable
 */
export function createFlowReplies(options: { inbox: Pick<Inbox, "get" | "subscribe">; webhook?: WebhookOptions }): FlowReplies {
  const { inbox } = options;
  // Newest first, each with the JSON size of its event.
  const kept: { record: FlowReplyRecord; size: number }[] = [];
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

  const sender = options.webhook
    ? createWebhookSender({
        ...options.webhook,
        onChange(delivery) {
          const found = kept.find(({ record }) => record.delivery?.id === delivery.id);
          if (found) found.record.delivery = delivery;
          emit({ type: "delivery", delivery });
        },
      })
    : undefined;

  // Asked for clearings only, so that sends build no message object for it.
  const unsubscribe = inbox.subscribe(() => {
    kept.length = 0;
    bytes = 0;
  }, ["cleared"]);

  return {
    webhookUrl: sender?.url,
    reply(id, answers) {
      const message = inbox.get(id);
      if (!message) return undefined;
      const event = buildFlowReplyEvent(message, answers);
      const record: FlowReplyRecord = { event };
      const size = JSON.stringify(event).length;
      kept.unshift({ record, size });
      bytes += size;
      while (kept.length > MAX_REPLIES || (kept.length > 1 && bytes > MAX_REPLY_BYTES)) bytes -= kept.pop()?.size ?? 0;
      if (sender) record.delivery = sender.send(event);
      emit({ type: "reply", reply: { ...record } });
      return { ...record };
    },
    list() {
      return kept.map(({ record }) => ({ ...record }));
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
      unsubscribe();
      sender?.close();
    },
  };
}

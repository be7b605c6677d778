import type { FC } from "hono/jsx";
import type { FlowReplyRecord } from "../../replies/flow-replies.js";
import type { WebhookDelivery } from "../../replies/webhook-sender.js";
import { plural } from "../../responses.js";
import { TimeStamp } from "./time-stamp.js";

/** What a delivery's status means, in a few words. */
export function describeDelivery(delivery: WebhookDelivery): string {
  const answer = delivery.responseStatus === undefined ? "" : ` (${delivery.responseStatus})`;
  switch (delivery.status) {
    case "pending":
      return "sending";
    case "delivered":
      return `delivered${answer} after ${plural(delivery.attempts, "attempt")}`;
    case "retrying":
      return `retrying: ${delivery.error ?? "no answer"}, attempt ${delivery.attempts} of ${delivery.maxAttempts} failed`;
    case "failed":
      return `failed after ${plural(delivery.attempts, "attempt")}: ${delivery.error ?? "no answer"}`;
  }
}

/**
 * A webhook delivery's status, replaced in place by the page as it changes (`data-delivery-id`).
 *
 * @param props.delivery the delivery
 */
export const DeliveryStatus: FC<{ delivery: WebhookDelivery }> = ({ delivery }) => (
  <span class={`delivery delivery-${delivery.status}`} data-delivery-id={delivery.id}>
    Webhook: {describeDelivery(delivery)}
  </span>
);

/**
 * One simulated Flow reply under its message: when, its event id, its webhook delivery, and the event on demand.
 *
 * @param props.record the reply event and its delivery
 */
export const ReplyItem: FC<{ record: FlowReplyRecord }> = ({ record }) => (
  <li class="reply" data-event-id={record.event.id}>
    <p class="reply-summary">
      <span>Flow completed</span> <TimeStamp iso={record.event.createdAt} format="long" /> <code>{record.event.id}</code>{" "}
      {record.delivery ? <DeliveryStatus delivery={record.delivery} /> : <span class="delivery">No webhook configured</span>}
    </p>
    <details>
      <summary>Reply event</summary>
      <pre class="json">{JSON.stringify(record.event, null, 2)}</pre>
    </details>
  </li>
);

/** The pieces of the inbox page that its event stream also sends alone: conversations, rejections, replies. */
import type { Child, FC } from "hono/jsx";
import type { FlowReplyRecord } from "../replies/flow-replies.js";
import type { WebhookDelivery } from "../replies/webhook-sender.js";
import { plural } from "../server/responses.js";
import type { InboxRejection } from "../types.js";

/** An ISO time in UTC: the hour and minute of a chat bubble (`short`), or the date and time to the second. */
export const TimeStamp: FC<{ iso: string; short?: boolean }> = ({ iso, short }) => (
  <time datetime={iso}>{short ? `${iso.slice(11, 16)} UTC` : `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`}</time>
);

/** The number masked as `+593•••••4321` (short numbers keep their last two digits), and in full for the page's toggle. */
export const Phone: FC<{ digits: string }> = ({ digits }) => {
  const chars = [...digits];
  const masked =
    chars.length <= 7
      ? `+${"•".repeat(Math.max(0, chars.length - 2))}${chars.slice(-2).join("")}`
      : `+${chars.slice(0, 3).join("")}${"•".repeat(chars.length - 7)}${chars.slice(-4).join("")}`;
  return (
    <span class="phone">
      <span class="phone-masked">{masked}</span>
      <span class="phone-full">+{digits}</span>
    </span>
  );
};

/** One bot and one recipient, its messages oldest first; the script appends live ones by `data-conversation`. */
export const Conversation: FC<{ conversation: string; botId: string; userId: string; children?: Child }> = (props) => (
  <section class="conversation" data-conversation={props.conversation}>
    <h3 class="conversation-title">
      <span>Bot <code>{props.botId}</code></span>
      <span class="conversation-arrow" aria-label="to">→</span>
      <Phone digits={props.userId} />
    </h3>
    <ol class="messages" aria-label="Messages in this conversation">{props.children}</ol>
  </section>
);

/** The request path, with the recipient's number masked as everywhere else on the page. */
const MaskedPath: FC<{ path: string; userId: string | undefined }> = ({ path, userId }) => {
  const at = userId ? path.indexOf(`/users/${userId}/`) : -1;
  if (!userId || at === -1) return <code>{path}</code>;
  const start = at + "/users/".length;
  return (
    <code>
      {path.slice(0, start)}
      <Phone digits={userId} />
      {path.slice(start + userId.length)}
    </code>
  );
};

/** A refused request: status and code, the request line, the reasons, each field problem, the body on demand. */
export const RejectionItem: FC<{ rejection: InboxRejection }> = ({ rejection }) => (
  <li class="rejection" data-rejection-id={rejection.id} data-bot={rejection.botId ?? ""} data-user={rejection.userId ?? ""}>
    <p class="rejection-head">
      <strong class="rejection-status">
        {rejection.status} <code>{rejection.code}</code>
      </strong>{" "}
      <TimeStamp iso={rejection.receivedAt} />
    </p>
    <p>{rejection.method} <MaskedPath path={rejection.path} userId={rejection.userId} /></p>
    {rejection.description ? <p>{rejection.description}</p> : null}
    {rejection.problems?.length ? (
      <ul class="problems" aria-label="Problems found">
        {rejection.problems.map((problem) => (
          <li><code>{problem.path || "(body)"}</code> {problem.message}</li>
        ))}
      </ul>
    ) : null}
    {rejection.body ? (
      <details>
        <summary>Request body</summary>
        <pre class="json">{rejection.body}</pre>
      </details>
    ) : null}
  </li>
);

function describeDelivery(delivery: WebhookDelivery): string {
  const answer = delivery.responseStatus === undefined ? "" : ` (${delivery.responseStatus})`;
  const why = delivery.error ?? "no answer";
  switch (delivery.status) {
    case "pending":
      return "sending";
    case "delivered":
      return `delivered${answer} after ${plural(delivery.attempts, "attempt")}`;
    case "retrying":
      return `retrying: ${why}, attempt ${delivery.attempts} of ${delivery.maxAttempts} failed`;
    case "failed":
      return `failed after ${plural(delivery.attempts, "attempt")}: ${why}`;
  }
}

/** A webhook delivery's status, which the script replaces in place as it changes (`data-delivery-id`). */
export const DeliveryStatus: FC<{ delivery: WebhookDelivery }> = ({ delivery }) => (
  <span class={`delivery delivery-${delivery.status}`} data-delivery-id={delivery.id}>
    Webhook: {describeDelivery(delivery)}
  </span>
);

/** One simulated Flow reply under its message: when, its event id, its delivery, the event on demand. */
export const ReplyItem: FC<{ record: FlowReplyRecord }> = ({ record }) => (
  <li class="reply" data-event-id={record.event.id}>
    <p class="reply-summary">
      <span>Flow completed</span> <TimeStamp iso={record.event.createdAt} /> <code>{record.event.id}</code>{" "}
      {record.delivery ? <DeliveryStatus delivery={record.delivery} /> : <span class="delivery">No webhook configured</span>}
    </p>
    <details>
      <summary>Reply event</summary>
      <pre class="json">{JSON.stringify(record.event, null, 2)}</pre>
    </details>
  </li>
);

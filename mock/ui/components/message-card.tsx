import type { Child, FC } from "hono/jsx";
import type { FlowReplyRecord } from "../../replies/flow-replies.js";
import type { InboxMessageView } from "../inbox-types.js";
import { Bubble } from "./bubble.js";
import { ReplyItem } from "./reply-item.js";
import { TextUsageList } from "./text-usage.js";
import { TimeStamp } from "./time-stamp.js";

/** A JSON value for people: indented, as text. */
const Json: FC<{ value: unknown }> = ({ value }) => <pre class="json">{JSON.stringify(value, null, 2)}</pre>;

const Detail: FC<{ term: string; wide?: boolean; children: Child }> = ({ term, wide, children }) => (
  <div class={wide ? "detail detail-wide" : "detail"}>
    <dt>{term}</dt>
    <dd>{children}</dd>
  </div>
);

/** An id usable in `id`/`for` attributes whatever the message id holds. */
function domId(prefix: string, id: string): string {
  return `${prefix}-${id.replace(/[^A-Za-z0-9_-]/g, "_")}`;
}

/**
 * The form that simulates the recipient completing the Flow: the answers as a JSON object, posted by the page's script to
 * `POST /__mock/messages/{id}/reply`.
 */
const CompleteFlowForm: FC<{ messageId: string }> = ({ messageId }) => {
  const field = domId("answers", messageId);
  return (
    <details class="complete">
      <summary>Complete flow</summary>
      <form class="reply-form" data-message-id={messageId} novalidate>
        <label for={field}>Answers, as a JSON object</label>
        <textarea id={field} name="answers" rows={4} spellcheck={false} aria-describedby={`${field}-hint`}>
          {"{}"}
        </textarea>
        <p class="hint" id={`${field}-hint`}>
          Sent as the Flow's <code>response_json</code> with its <code>flow_token</code>, together with this message's
          payload.
        </p>
        <button type="submit">Send reply</button>
        <output class="reply-result" role="status"></output>
      </form>
    </details>
  );
};

/**
 * One flow message: the WhatsApp bubble, then what a developer checks (flow, screen, data, payload, type, time, id), how
 * close each text is to its limit, the raw JSON on demand, the "Complete flow" form and the replies so far.
 *
 * @param props.message the message from the inbox
 * @param props.replies its simulated replies, newest first
 */
export const MessageCard: FC<{ message: InboxMessageView; replies: FlowReplyRecord[] }> = ({ message, replies }) => {
  const { body } = message;
  const action = body.parameters.flow_action_payload;
  return (
    <li
      class="message"
      id={domId("msg", message.id)}
      data-message-id={message.id}
      data-bot={message.botId}
      data-user={message.userId}
      data-flow={body.parameters.flow_name}
    >
      <Bubble body={body} receivedAt={message.receivedAt} />
      <dl class="details">
        <Detail term="Flow">
          <code>{body.parameters.flow_name}</code>
        </Detail>
        <Detail term="Screen">{action?.screen ? <code>{action.screen}</code> : <span class="none">none</span>}</Detail>
        <Detail term="Type">{message.type ? <code>{message.type}</code> : <span class="none">default</span>}</Detail>
        <Detail term="Received">
          <TimeStamp iso={message.receivedAt} format="long" />
        </Detail>
        <Detail term="Message id" wide>
          <code>{message.id}</code>
        </Detail>
        {message.clientId ? (
          <Detail term="Client id">
            <code>{message.clientId}</code>
          </Detail>
        ) : null}
        <Detail term="Data">{action?.data ? <Json value={action.data} /> : <span class="none">none</span>}</Detail>
        <Detail term="Payload">{body.payload ? <Json value={body.payload} /> : <span class="none">none</span>}</Detail>
      </dl>
      <TextUsageList body={body} />
      <details class="raw">
        <summary>Raw JSON</summary>
        <Json value={message} />
      </details>
      <CompleteFlowForm messageId={message.id} />
      <ul class="replies" data-replies-for={message.id} aria-label="Flow replies">
        {replies.map((record) => (
          <ReplyItem record={record} />
        ))}
      </ul>
    </li>
  );
};

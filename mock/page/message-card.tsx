/** One flow message on the inbox page: the WhatsApp bubble, what a developer checks, and the "Complete flow" form. */
import type { Child, FC } from "hono/jsx";
import { codePoints, TEXT_FIELDS, textLimits, type FlowMessageBody, type TextField } from "../../src/contract/index.js";
import type { FlowReplyRecord } from "../replies/flow-replies.js";
import type { InboxMessage, InboxUpstream } from "../types.js";
import { ReplyItem, TimeStamp } from "./components.js";
import { FormattedText } from "./whatsapp-format.js";

/** How WhatsApp names each text. */
const LABELS: Record<TextField, string> = {
  title: "header (title)",
  text: "body (text)",
  caption: "footer (caption)",
  "parameters.flow_cta": "button (flow_cta)",
};
/** Share of a limit from which a text is shown as close to it. */
const NEAR = 0.8;

/** Each text of a message, in WhatsApp's order, measured in code points against its limit from the contract. */
export function textUsage(body: FlowMessageBody) {
  const limits = textLimits();
  const { title, text, caption, parameters } = body;
  const values: Record<TextField, unknown> = { title, text, caption, "parameters.flow_cta": parameters?.flow_cta };
  return TEXT_FIELDS.filter((field) => typeof values[field] === "string").map((field) => {
    const length = codePoints(values[field] as string);
    const { max } = limits[field];
    return { field, label: LABELS[field], length, max, ratio: max > 0 ? length / max : 1 };
  });
}

/** The message as the recipient sees it; the Flow button is a picture of one, not a control. */
const Bubble: FC<{ message: InboxMessage }> = ({ message: { body, receivedAt } }) => (
  <div class="bubble" role="group" aria-label="As shown on WhatsApp">
    <div class="bubble-card">
      <p class="bubble-header">{body.title}</p>
      <p class="bubble-body"><FormattedText text={body.text} /></p>
      <p class="bubble-footer">{body.caption}</p>
      <p class="bubble-time"><TimeStamp iso={receivedAt} short /></p>
    </div>
    <p class="bubble-cta">
      <span class="bubble-cta-icon" aria-hidden="true"></span>
      <span class="bubble-cta-text">{body.parameters.flow_cta}</span>
    </p>
  </div>
);

const TextUsageList: FC<{ body: FlowMessageBody }> = ({ body }) => (
  <ul class="usage" aria-label="Length of each text against its limit">
    {textUsage(body).map(({ field, label, length, max, ratio }) => (
      <li class={`usage-item usage-${ratio > 1 ? "over" : ratio >= NEAR ? "near" : "ok"}`} data-field={field}>
        <span>{label}</span>
        <meter min={0} max={max} low={Math.floor(max * NEAR)} high={max} optimum={0} value={Math.min(length, max)}
          aria-label={`${label}: ${length} of ${max} characters`}></meter>
        <span class="usage-count">{length} / {max}</span>
      </li>
    ))}
  </ul>
);

const Json: FC<{ value: unknown }> = ({ value }) => <pre class="json">{JSON.stringify(value, null, 2)}</pre>;

const Detail: FC<{ term: string; wide?: boolean; children: Child }> = ({ term, wide, children }) => (
  <div class={wide ? "detail detail-wide" : "detail"}>
    <dt>{term}</dt>
    <dd>{children}</dd>
  </div>
);

const None: FC<{ text?: string }> = ({ text = "none" }) => <span class="none">{text}</span>;

/** In relay mode, what Jelou answered this message, and how the answer breaks openapi.yaml when it does. */
const UpstreamAnswer: FC<{ upstream: InboxUpstream }> = ({ upstream }) => {
  if ("error" in upstream) {
    return <p class="upstream upstream-none" data-upstream="none">No answer from Jelou: {upstream.message}</p>;
  }
  const { status, body, truncated, conforms, differences } = upstream;
  return (
    <section class={`upstream upstream-${conforms ? "ok" : "drift"}`} data-upstream={conforms ? "conforms" : "drift"}
      aria-label="Jelou's answer">
      <p class="upstream-head">
        <span class="upstream-status">Jelou answered {status}</span>
        {conforms ? null : <span class="badge badge-drift">breaks the contract</span>}
      </p>
      <pre class="json upstream-body">{truncated ? `${body}… (cut)` : body}</pre>
      {conforms ? null : (
        <ul class="problems differences" aria-label="How the answer breaks the contract">
          {differences.map((d) => (
            <li><code>{d.schemaPath}</code>: {d.suggestion}</li>
          ))}
        </ul>
      )}
    </section>
  );
};

/** The answers as a JSON object, which the script posts to `POST /__mock/messages/{id}/reply`. */
const CompleteFlowForm: FC<{ messageId: string }> = ({ messageId }) => {
  const field = `answers-${messageId.replace(/[^A-Za-z0-9_-]/g, "_")}`;
  return (
    <details class="complete">
      <summary>Complete flow</summary>
      <form class="reply-form" data-message-id={messageId} novalidate>
        <label for={field}>Answers, as a JSON object</label>
        <textarea id={field} name="answers" rows={4} spellcheck={false} aria-describedby={`${field}-hint`}>{"{}"}</textarea>
        <p class="hint" id={`${field}-hint`}>
          Sent as the Flow's <code>response_json</code> with its <code>flow_token</code>, together with this message's payload.
        </p>
        <button type="submit">Send reply</button>
        <output class="reply-result" role="status"></output>
      </form>
    </details>
  );
};

/** One flow message with its details, text lengths, raw JSON, reply form and its replies so far (newest first). */
export const MessageCard: FC<{ message: InboxMessage; replies: FlowReplyRecord[] }> = ({ message, replies }) => {
  const { body } = message;
  const action = body.parameters.flow_action_payload;
  return (
    <li class="message" data-message-id={message.id} data-bot={message.botId} data-user={message.userId}
      data-flow={body.parameters.flow_name}>
      <Bubble message={message} />
      <dl class="details">
        <Detail term="Flow"><code>{body.parameters.flow_name}</code></Detail>
        <Detail term="Screen">{action?.screen ? <code>{action.screen}</code> : <None />}</Detail>
        <Detail term="Type">{message.type ? <code>{message.type}</code> : <None text="default" />}</Detail>
        <Detail term="Received"><TimeStamp iso={message.receivedAt} /></Detail>
        <Detail term="Message id" wide><code>{message.id}</code></Detail>
        {message.clientId ? (
          <Detail term="Client id"><code>{message.clientId}</code></Detail>
        ) : null}
        <Detail term="Data">{action?.data ? <Json value={action.data} /> : <None />}</Detail>
        <Detail term="Payload">{body.payload ? <Json value={body.payload} /> : <None />}</Detail>
      </dl>
      {message.upstream ? <UpstreamAnswer upstream={message.upstream} /> : null}
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

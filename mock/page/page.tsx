/** The inbox page as first served: conversations of WhatsApp bubbles, rejected requests and the state of Flow replies. */
import type { FC } from "hono/jsx";
import type { FlowMessageBody } from "../../src/contract/index.js";
import { LIST_BYTE_BUDGET } from "../inbox/inbox-query.js";
import type { FlowReplyRecord } from "../replies/flow-replies.js";
import type { InboxMessage, InboxRejection } from "../types.js";
import { Conversation, RejectionItem } from "./components.js";
import { MessageCard } from "./message-card.js";

/** The newest messages and rejections the page shows; past that, the inspection API and filters are the way in. */
export const PAGE_LIMIT = 500;
/** The bytes of each list the page renders: a message renders to about twice its body, and three lists share a page. */
export const PAGE_BYTE_BUDGET = LIST_BYTE_BUDGET / 4;

/** The example the empty state gives (a test sends it): Jelou's own, with formatting and a payload. */
export const FIRST_MESSAGE_BODY: FlowMessageBody = {
  title: "Hello",
  text: "Complete this flow to *get started*",
  caption: "Jelou",
  parameters: { flow_name: "welcome_flow", flow_cta: "Start Flow", flow_action_payload: { screen: "RECOMMEND" } },
  payload: { orderId: "A-1001" },
};

/** What the page shows when it is first loaded. */
export interface InboxPageProps {
  messages: InboxMessage[];
  /** How many of the newest `PAGE_LIMIT` messages were left out for the byte budget. */
  omitted: number;
  rejections: InboxRejection[];
  replies: FlowReplyRecord[];
  /** The webhook as shown (no credentials), or undefined. */
  webhookUrl: string | undefined;
  /** The mock's origin, for the instructions. */
  origin: string;
}

/** Any bot id works with a mock started without a registry; the credentials are placeholders. */
const EmptyState: FC<{ origin: string; hidden: boolean }> = ({ origin, hidden }) => {
  const target = { botId: "my-bot", userId: "593987654321" };
  const curl = [
    `curl -u my_client_id:my_client_secret \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d '${JSON.stringify(FIRST_MESSAGE_BODY)}' \\`,
    `  ${origin}/v1/bots/${target.botId}/users/${target.userId}/flow_message`,
  ];
  const code = [
    `import { createJelouClient } from "jelou-flow";`,
    ``,
    `const jelou = createJelouClient({ baseUrl: "${origin}", clientId: "my_client_id", clientSecret: "my_client_secret" });`,
    `await jelou.sendFlowMessage(${JSON.stringify({ ...target, ...FIRST_MESSAGE_BODY }, null, 2)});`,
  ];
  return (
    <div class="empty" data-empty hidden={hidden}>
      <h3>No messages yet</h3>
      <p>
        Every flow message this mock accepts shows up here at once, as the recipient would see it on WhatsApp. Send the first
        one with curl (any client id and secret work when the mock was started without <code>--client-id</code>):
      </p>
      <pre class="snippet">{curl.join("\n")}</pre>
      <p>or with the typed client:</p>
      <pre class="snippet">{code.join("\n")}</pre>
    </div>
  );
};

const Filter: FC<{ name: string; label: string; list: string; placeholder: string }> = ({ name, label, list, placeholder }) => (
  <div class="field">
    <label for={`filter-${name}`}>{label}</label>
    <input id={`filter-${name}`} name={name} type="search" list={list} autocomplete="off" placeholder={placeholder} />
    <datalist id={list}></datalist>
  </div>
);

/** Groups messages by conversation, the most recently active first, each chat oldest first. */
function conversations(messages: InboxMessage[]): InboxMessage[][] {
  const groups = new Map<string, InboxMessage[]>();
  for (const message of [...messages].sort((a, b) => a.receivedAt.localeCompare(b.receivedAt))) {
    const group = groups.get(message.conversation) ?? [];
    group.push(message);
    groups.set(message.conversation, group);
  }
  return [...groups.values()].reverse();
}

/** The whole page; `/__mock/ui/inbox.js` keeps it live, and everything is readable without it. */
export const InboxPage: FC<InboxPageProps> = ({ messages, omitted, rejections, replies, webhookUrl, origin }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>Mock Jelou inbox</title>
      <link rel="icon" href="data:," />
      <link rel="stylesheet" href="/__mock/ui/inbox.css" />
      <script type="module" src="/__mock/ui/inbox.js"></script>
    </head>
    <body>
      <a class="skip" href="#messages">Skip to messages</a>
      <header class="topbar">
        <h1>Mock Jelou <span class="subtitle">inbox</span></h1>
        <p class="connection" data-connection="connecting" role="status">Connecting…</p>
        <div class="actions">
          <a class="count-link" href="#rejections"><span data-count="rejections">{rejections.length}</span> rejected</a>
          <button type="button" aria-pressed="false" data-toggle-phones>Show phone numbers</button>
          <button type="button" class="danger" data-clear>Clear inbox</button>
        </div>
      </header>
      <form class="filters" role="search" aria-label="Filter messages" data-filters>
        <Filter name="bot" label="Bot" list="bots" placeholder="any bot" />
        <Filter name="user" label="User" list="users" placeholder="any number" />
        <Filter name="flow" label="Flow" list="flows" placeholder="any flow" />
        <button type="reset">Clear filters</button>
      </form>
      <div class="layout">
        <main id="messages" tabindex={-1}>
          <h2>Messages <span class="count" data-count="messages">{messages.length}</span></h2>
          <EmptyState origin={origin} hidden={messages.length > 0} />
          {omitted > 0 ? (
            <p class="hint" data-omitted={omitted}>
              {omitted} older {omitted === 1 ? "message is" : "messages are"} not shown: the page renders at most{" "}
              {PAGE_BYTE_BUDGET / 1024} KiB of message bodies. <code>GET /__mock/messages/&#123;id&#125;</code> reads each; the
              filters narrow the page.
            </p>
          ) : null}
          {messages.length + omitted >= PAGE_LIMIT ? (
            <p class="hint">Showing the newest {PAGE_LIMIT} messages; <code>GET /__mock/messages</code> lists them all.</p>
          ) : null}
          <p class="hint" data-filtered-out hidden>No message matches these filters.</p>
          <div id="conversations">
            {conversations(messages).map((group) => {
              const { conversation, botId, userId } = group[0] as InboxMessage;
              return (
                <Conversation conversation={conversation} botId={botId} userId={userId}>
                  {group.map((message) => (
                    <MessageCard message={message} replies={replies.filter((r) => r.event.messageId === message.id)} />
                  ))}
                </Conversation>
              );
            })}
          </div>
        </main>
        <aside>
          <section id="rejections" aria-labelledby="rejections-title" tabindex={-1}>
            <h2 id="rejections-title">Rejected requests</h2>
            <p class="none" data-rejections-empty hidden={rejections.length > 0}>
              None. A request the mock refuses shows up here with its reasons.
            </p>
            <ol class="rejection-list" id="rejection-list">
              {rejections.map((rejection) => (
                <RejectionItem rejection={rejection} />
              ))}
            </ol>
          </section>
          <section aria-labelledby="webhook-title">
            <h2 id="webhook-title">Flow replies</h2>
            {webhookUrl ? (
              <p>Reply events are signed (<code>X-Jelou-Signature</code>) and sent to <code>{webhookUrl}</code>.</p>
            ) : (
              <p>
                No webhook: reply events are recorded here only. Start the mock with{" "}
                <code class="nowrap">--webhook URL</code> <code class="nowrap">--webhook-secret SECRET</code> to have them POSTed,
                signed, to your handler.
              </p>
            )}
            <p class="hint">
              Use “Complete flow” under a message to simulate the recipient finishing its Flow. The event is the mock's own
              model of a reply (Meta's <code>nfm_reply</code> plus the message's <code>payload</code>); Jelou does not publish
              its format.
            </p>
          </section>
        </aside>
      </div>
      <div class="sr-only" aria-live="polite" data-announcer></div>
    </body>
  </html>
);

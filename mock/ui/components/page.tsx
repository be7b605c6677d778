import type { FC } from "hono/jsx";
import type { FlowReplyRecord } from "../../replies/flow-replies.js";
import { firstMessageCode, firstMessageCurl } from "../first-message.js";
import type { InboxMessageView, InboxRejectionView } from "../inbox-types.js";
import { Conversation } from "./conversation.js";
import { MessageCard } from "./message-card.js";
import { RejectionItem } from "./rejection-item.js";

/** What the page shows when it is first loaded. */
export interface InboxPageProps {
  messages: InboxMessageView[];
  rejections: InboxRejectionView[];
  replies: FlowReplyRecord[];
  /** The webhook as shown (no credentials), or undefined. */
  webhookUrl: string | undefined;
  /** How many of each list the page shows at most. */
  limit: number;
  /** How many of the newest `limit` messages were not rendered, for the page's byte budget. @default 0 */
  omitted?: number;
  /** The bytes of message bodies the page renders at most. @default 1048576 */
  budgetBytes?: number;
  /** The mock's origin, for the instructions. */
  origin: string;
  /** Changes each time the mock starts, so a reconnecting page knows to reload its lists. */
  bootId: string;
}

/** Groups messages by conversation, the most recently active conversation first, each chat oldest first. */
function conversations(messages: InboxMessageView[]): InboxMessageView[][] {
  const sorted = [...messages].sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
  const groups = new Map<string, InboxMessageView[]>();
  for (const message of sorted) {
    const group = groups.get(message.conversation);
    if (group) group.push(message);
    else groups.set(message.conversation, [message]);
  }
  return [...groups.values()].reverse();
}

const EmptyState: FC<{ origin: string; hidden: boolean }> = ({ origin, hidden }) => (
  <div class="empty" data-empty hidden={hidden}>
    <h3>No messages yet</h3>
    <p>
      Every flow message this mock accepts shows up here at once, as the recipient would see it on WhatsApp. Send the first
      one with curl (any client id and secret work when the mock was started without <code>--client-id</code>):
    </p>
    <pre class="snippet">{firstMessageCurl(origin)}</pre>
    <p>or with the typed client:</p>
    <pre class="snippet">{firstMessageCode(origin)}</pre>
  </div>
);

const Filters: FC = () => (
  <form class="filters" role="search" aria-label="Filter messages" data-filters>
    <div class="field">
      <label for="filter-bot">Bot</label>
      <input id="filter-bot" name="bot" type="search" list="bots" autocomplete="off" placeholder="any bot" />
    </div>
    <div class="field">
      <label for="filter-user">User</label>
      <input id="filter-user" name="user" type="search" list="users" autocomplete="off" placeholder="any number" />
    </div>
    <div class="field">
      <label for="filter-flow">Flow</label>
      <input id="filter-flow" name="flow" type="search" list="flows" autocomplete="off" placeholder="any flow" />
    </div>
    <button type="reset">Clear filters</button>
    <datalist id="bots"></datalist>
    <datalist id="users"></datalist>
    <datalist id="flows"></datalist>
  </form>
);

/**
 * The inbox page: conversations of WhatsApp bubbles, rejected requests, and the state of Flow replies. The script at
 * `/__mock/ui/inbox.js` keeps it live; everything here is readable without it.
 *
 * @param props what to show
 */
export const InboxPage: FC<InboxPageProps> = ({ messages, rejections, replies, webhookUrl, limit, omitted = 0, budgetBytes = 1 << 20, origin, bootId }) => {
  const repliesOf = (id: string) => replies.filter((record) => record.event.messageId === id);
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Mock Jelou inbox</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/__mock/ui/inbox.css" />
        <script type="module" src="/__mock/ui/inbox.js"></script>
      </head>
      <body data-boot-id={bootId}>
        <a class="skip" href="#messages">
          Skip to messages
        </a>
        <header class="topbar">
          <h1>
            Mock Jelou <span class="subtitle">inbox</span>
          </h1>
          <p class="connection" data-connection="connecting" role="status">
            Connecting…
          </p>
          <div class="actions">
            <a class="count-link" href="#rejections">
              <span data-count="rejections">{rejections.length}</span> rejected
            </a>
            <button type="button" aria-pressed="false" data-toggle-phones>
              Show phone numbers
            </button>
            <button type="button" class="danger" data-clear>
              Clear inbox
            </button>
          </div>
        </header>
        <Filters />
        <div class="layout">
          <main id="messages" tabindex={-1}>
            <h2>
              Messages <span class="count" data-count="messages">{messages.length}</span>
            </h2>
            <EmptyState origin={origin} hidden={messages.length > 0} />
            {omitted > 0 ? (
              <p class="hint" data-omitted={omitted}>
                {omitted} older {omitted === 1 ? "message is" : "messages are"} not shown: the page renders at most{" "}
                {Math.round(budgetBytes / 1024)} KiB of message bodies. <code>GET /__mock/messages/&#123;id&#125;</code> reads each; the filters narrow the page.
              </p>
            ) : null}
            {messages.length + omitted >= limit ? (
              <p class="hint">
                Showing the newest {limit} messages; <code>GET /__mock/messages</code> lists them all.
              </p>
            ) : null}
            <p class="filtered-out" data-filtered-out hidden>
              No message matches these filters.
            </p>
            <div id="conversations">
              {conversations(messages).map((group) => {
                const first = group[0] as InboxMessageView;
                return (
                  <Conversation conversation={first.conversation} botId={first.botId} userId={first.userId}>
                    {group.map((message) => (
                      <MessageCard message={message} replies={repliesOf(message.id)} />
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
                {[...rejections]
                  .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt))
                  .map((rejection) => (
                    <RejectionItem rejection={rejection} />
                  ))}
              </ol>
            </section>
            <section id="webhook" aria-labelledby="webhook-title">
              <h2 id="webhook-title">Flow replies</h2>
              {webhookUrl ? (
                <p>
                  Reply events are signed (<code>X-Jelou-Signature</code>) and sent to <code>{webhookUrl}</code>.
                </p>
              ) : (
                <p>
                  No webhook: reply events are recorded here only. Start the mock with{" "}
                  <code class="nowrap">--webhook URL</code> <code class="nowrap">--webhook-secret SECRET</code> to have them POSTed, signed, to your handler.
                </p>
              )}
              <p class="hint">
                Use “Complete flow” under a message to simulate the recipient finishing its Flow. The event is the mock's
                own model of a reply (Meta's <code>nfm_reply</code> plus the message's <code>payload</code>); Jelou does not
                publish its format.
              </p>
            </section>
          </aside>
        </div>
        <div class="sr-only" aria-live="polite" data-announcer></div>
      </body>
    </html>
  );
};

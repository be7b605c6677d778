/**
 * The mock's inbox page, as a Hono app to mount on the mock: `GET /` (the page), its script and stylesheet from memory, and
 * `GET /__mock/ui/events` (Server-Sent Events). The page reads only the inbox and the replies; it is never given the
 * mock's credentials or the webhook secret, so it cannot show them.
 */
import { randomBytes } from "node:crypto";
import { type Context, Hono } from "hono";
import { LIST_BYTE_BUDGET, withinBudget } from "../inbox-query.js";
import type { FlowReplies, FlowReplyRecord } from "../replies/flow-replies.js";
import { INBOX_SCRIPT } from "./assets/inbox-script.js";
import { INBOX_STYLES } from "./assets/inbox-styles.js";
import { InboxPage } from "./components/page.js";
import { createEventHub, type EventHubOptions } from "./event-stream.js";
import type { InboxSource } from "./inbox-types.js";
import { pageFeed, toHtml } from "./page-events.js";

/** Options of {@link createInboxPage}. */
export interface InboxPageOptions {
  inbox: InboxSource;
  /** The simulated Flow replies, shown under their messages. */
  replies?: FlowReplies;
  /** Heartbeat and reconnection timing of the event stream. */
  stream?: EventHubOptions;
  /**
   * Registers the end of an event stream with the server it came through, so that closing that server ends it (and only
   * it); returns how to unregister. Without it, only `closeStreams` ends streams.
   */
  endWithServer?: (c: Context, end: () => void) => () => void;
}

/** The page's routes and the open streams to end on shutdown. */
export interface InboxPageRoutes {
  app: Hono;
  /** Ends every open event stream, so the server can close without waiting for browsers. */
  closeStreams(): void;
}

/**
 * What a browser may do with the page: only this origin's script, styles and connections. Message text is escaped
 * anyway; this makes any markup that slipped through inert too.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** The newest messages and rejections a page shows; past that, the inspection API and filters are the way in. */
export const PAGE_LIMIT = 500;

/**
 * The bytes of message bodies, of rejections and of replies the page renders (each list on its own). A quarter of a
 * listing's budget: a message renders to about twice its body (the bubble, the payload, the text counts), and the
 * three lists share one page.
 */
export const PAGE_BYTE_BUDGET = LIST_BYTE_BUDGET / 4;

const SECURITY_HEADERS = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

/** The replies the page shows: those under a message it renders, within the byte budget (each holds a payload). */
function repliesShown(messages: readonly { id: string }[], replies: FlowReplies | undefined): FlowReplyRecord[] {
  const shown = new Set(messages.map((message) => message.id));
  const under = (replies?.list() ?? []).filter((record) => shown.has(record.event.messageId));
  return withinBudget(under, (record) => JSON.stringify(record).length, PAGE_BYTE_BUDGET).kept;
}

/**
 * Creates the inbox page of a mock.
 *
 * @param options the inbox to show and the replies
 * @returns the routes to mount (`app.route("/", page.app)`) and `closeStreams` for shutdown
 */
export function createInboxPage(options: InboxPageOptions): InboxPageRoutes {
  const { inbox, replies } = options;
  const bootId = randomBytes(6).toString("hex");
  const hub = createEventHub(options.stream);
  const app = new Hono();

  app.get("/", (c) => {
    // Bounded by bytes as well as by count: 500 messages of 1 MB each would make a 500 MB page.
    const { messages, omitted = 0 } = inbox.query({ limit: PAGE_LIMIT }, PAGE_BYTE_BUDGET);
    const page = (
      <InboxPage
        messages={messages}
        omitted={omitted}
        rejections={inbox.queryRejections({ limit: PAGE_LIMIT }, PAGE_BYTE_BUDGET).rejections}
        budgetBytes={PAGE_BYTE_BUDGET}
        limit={PAGE_LIMIT}
        replies={repliesShown(messages, replies)}
        webhookUrl={replies?.webhookUrl}
        origin={new URL(c.req.url).origin}
        bootId={bootId}
      />
    );
    return c.html(`<!doctype html>\n${toHtml(page)}`, 200, SECURITY_HEADERS);
  });

  app.get("/__mock/ui/inbox.js", (c) =>
    c.body(INBOX_SCRIPT, 200, { ...SECURITY_HEADERS, "content-type": "text/javascript; charset=utf-8" }),
  );
  app.get("/__mock/ui/inbox.css", (c) =>
    c.body(INBOX_STYLES, 200, { ...SECURITY_HEADERS, "content-type": "text/css; charset=utf-8" }),
  );
  const { endWithServer } = options;
  const feed = pageFeed(inbox, replies);
  app.get("/__mock/ui/events", (c) =>
    hub.open(
      feed,
      [{ event: "hello", data: JSON.stringify({ bootId }) }],
      endWithServer === undefined ? undefined : (end) => endWithServer(c, end),
    ),
  );

  return { app, closeStreams: () => hub.closeAll() };
}

/**
 * The mock's inbox page, as a Hono app to mount on the mock: `GET /`, its script and stylesheet from memory, and the live
 * feed `GET /__mock/ui/events` (Server-Sent Events). It reads only the inbox and the replies: it is never given the
 * mock's credentials or the webhook secret, so it cannot show them.
 */
import { randomBytes } from "node:crypto";
import { type Context, Hono } from "hono";
import type { JSXNode } from "hono/jsx";
import { streamSSE } from "hono/streaming";
import type { Inbox } from "../inbox/inbox.js";
import { withinBudget } from "../inbox/inbox-query.js";
import type { FlowReplies, FlowReplyChange } from "../replies/flow-replies.js";
import type { InboxEvent } from "../types.js";
import { INBOX_SCRIPT } from "./assets/inbox-script.js";
import { INBOX_STYLES } from "./assets/inbox-styles.js";
import { Conversation, DeliveryStatus, RejectionItem, ReplyItem } from "./components.js";
import { MessageCard } from "./message-card.js";
import { InboxPage, PAGE_BYTE_BUDGET, PAGE_LIMIT } from "./page.js";

/** `stream`: the heartbeat that keeps proxies from closing an idle stream, the bound on what a stalled page queues. */
export interface InboxPageOptions {
  inbox: Inbox;
  replies: FlowReplies;
  stream?: { heartbeatMs?: number; maxQueuedBytes?: number };
  endWithServer?: (c: Context, end: () => void) => () => void;
}

type PageEvent = { event: string; data: string };

/** What a browser may do with the page: only this origin's script, styles and connections. */
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; " +
    "base-uri 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};
const HEARTBEAT = ": heartbeat\n\n";

/** Renders a synchronous component to its HTML. */
export function toHtml(node: JSXNode | Promise<string> | string): string {
  const html = node.toString();
  if (typeof html !== "string") throw new Error("inbox page components must render synchronously");
  return html;
}

const pageEvent = (event: string, data: Record<string, unknown>): PageEvent => ({ event, data: JSON.stringify(data) });

/** A change as the script applies it: the server-rendered HTML of what changed, and the keys it files it under. */
function toPageEvent(change: InboxEvent | FlowReplyChange): PageEvent {
  switch (change.type) {
    case "message": {
      const { id: messageId, conversation, botId, userId, body } = change.message;
      return pageEvent("message", {
        ...{ messageId, conversation, botId, userId, flow: body.parameters.flow_name },
        conversationHtml: toHtml(<Conversation conversation={conversation} botId={botId} userId={userId} />),
        messageHtml: toHtml(<MessageCard message={change.message} replies={[]} />),
      });
    }
    case "rejection":
      const { rejection } = change;
      return pageEvent("rejection", { rejectionId: rejection.id, html: toHtml(<RejectionItem rejection={rejection} />) });
    case "cleared":
      return pageEvent("cleared", {});
    case "reply": {
      const { reply } = change;
      const { messageId, id: eventId } = reply.event;
      return pageEvent("reply", { messageId, eventId, html: toHtml(<ReplyItem record={reply} />) });
    }
    case "delivery": {
      const { delivery } = change;
      const html = toHtml(<DeliveryStatus delivery={delivery} />);
      return pageEvent("delivery", { deliveryId: delivery.id, status: delivery.status, html });
    }
  }
}

/**
 * One feed for every open page, following the inbox and the replies from the first stream opened to the last one closed:
 * each change is rendered once however many pages are open (a render per page cut sends from 1,177/s to 48/s at 100).
 */
function sharedFeed(inbox: Inbox, replies: FlowReplies): (push: (event: PageEvent) => void) => () => void {
  const pushes = new Set<(event: PageEvent) => void>();
  let unsubscribe: Array<() => void> = [];
  const broadcast = (change: InboxEvent | FlowReplyChange): void => {
    const event = toPageEvent(change);
    for (const push of pushes) push(event);
  };
  return (push) => {
    if (pushes.size === 0) unsubscribe = [inbox.subscribe(broadcast), replies.subscribe(broadcast)];
    pushes.add(push);
    return () => {
      if (pushes.delete(push) && pushes.size === 0) for (const off of unsubscribe) off();
    };
  };
}

/** The page's routes, to mount with `app.route("/", page.app)`; `endWithServer` ends a stream when its server closes. */
export function createInboxPage(options: InboxPageOptions): { app: Hono } {
  const { inbox, replies, endWithServer } = options;
  const heartbeatMs = options.stream?.heartbeatMs ?? 15_000;
  const maxQueuedBytes = options.stream?.maxQueuedBytes ?? 1024 * 1024;
  const bootId = randomBytes(6).toString("hex");
  const feed = sharedFeed(inbox, replies);
  const app = new Hono();

  app.get("/", (c) => {
    // Bounded by bytes as well as by count: 500 messages of 1 MB each would make a 500 MB page.
    const { messages, omitted = 0 } = inbox.query({ limit: PAGE_LIMIT }, PAGE_BYTE_BUDGET);
    const shown = new Set(messages.map((message) => message.id));
    const under = replies.list().filter((record) => shown.has(record.event.messageId));
    const page = (
      <InboxPage
        messages={messages}
        omitted={omitted}
        rejections={inbox.queryRejections({ limit: PAGE_LIMIT }, PAGE_BYTE_BUDGET).rejections}
        replies={withinBudget(under, (record) => JSON.stringify(record).length, PAGE_BYTE_BUDGET).kept}
        webhookUrl={replies.webhookUrl}
        origin={new URL(c.req.url).origin}
      />
    );
    return c.html(`<!doctype html>\n${toHtml(page)}`, 200, SECURITY_HEADERS);
  });
  const asset = (text: string, type: string) => () =>
    new Response(text, { headers: { ...SECURITY_HEADERS, "content-type": type } });
  app.get("/__mock/ui/inbox.js", asset(INBOX_SCRIPT, "text/javascript; charset=utf-8"));
  app.get("/__mock/ui/inbox.css", asset(INBOX_STYLES, "text/css; charset=utf-8"));

  // Says hello (the page then reloads its lists), then streams every change until the page leaves, its server closes,
  // or the page lets more than maxQueuedBytes pile up unread (it reconnects and reloads: only memory is lost).
  app.get("/__mock/ui/events", (c) =>
    streamSSE(c, async (stream) => {
      let queued = 0;
      let writes: Promise<unknown> = stream.write("retry: 1000\n\n");
      const enqueue = (bytes: number, write: () => Promise<unknown>): void => {
        queued += bytes;
        if (queued > maxQueuedBytes) return stream.abort();
        writes = writes.then(write).then(() => {
          queued -= bytes;
        });
      };
      const send = (event: PageEvent): void => enqueue(event.data.length, () => stream.writeSSE(event));
      send(pageEvent("hello", { bootId }));
      const unsubscribe = feed(send);
      const heartbeat = setInterval(() => enqueue(HEARTBEAT.length, () => stream.write(HEARTBEAT)), heartbeatMs).unref();
      let forget: (() => void) | undefined;
      await new Promise<void>((resolve) => {
        const end = (): void => {
          clearInterval(heartbeat);
          unsubscribe();
          forget?.();
          resolve();
        };
        stream.onAbort(end);
        forget = endWithServer?.(c, end);
        if (stream.aborted) end();
      });
    }),
  );

  return { app };
}

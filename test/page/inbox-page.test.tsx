import { afterEach, describe, expect, it } from "vitest";
import { Inbox } from "../../mock/inbox/inbox.js";
import { createFlowReplies } from "../../mock/replies/flow-replies.js";
import { createInboxPage } from "../../mock/page/inbox-page.js";
import { FIRST_MESSAGE_BODY } from "../../mock/page/page.js";
import { validateFlowMessage } from "../../src/index.js";

const XSS = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';

function setup() {
  const inbox = new Inbox(100, 100);
  const replies = createFlowReplies({ inbox });
  // Each stream registers its end with the server it came through: closeServer ends them as the server's close does.
  const ends = new Set<() => void>();
  const endWithServer = (_c: unknown, end: () => void) => (ends.add(end), () => ends.delete(end));
  const page = createInboxPage({ inbox, replies, stream: { heartbeatMs: 50 }, endWithServer });
  const closeServer = () => [...ends].forEach((end) => end());
  return { inbox, replies, page, closeServer };
}

function record(inbox: Inbox, overrides: Partial<typeof FIRST_MESSAGE_BODY> = {}) {
  return inbox.record({
    conversation: "bot-1:593987654321",
    botId: "bot-1",
    userId: "593987654321",
    body: { ...FIRST_MESSAGE_BODY, ...overrides },
    clientId: "client-1",
  });
}

/** Counts the inbox subscriptions made from now on that are still open. */
function countSubscriptions(inbox: Inbox): () => number {
  let open = 0;
  const subscribe = inbox.subscribe.bind(inbox);
  inbox.subscribe = (listener) => {
    open++;
    const unsubscribe = subscribe(listener);
    return () => {
      open--;
      return unsubscribe();
    };
  };
  return () => open;
}

/** Reads an event stream until `until` matches what was read, or fails after `timeoutMs`. */
async function readUntil(response: Response, until: RegExp, timeoutMs = 2000): Promise<string> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  const deadline = Date.now() + timeoutMs;
  while (!until.test(text)) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`stream did not show ${until} in ${timeoutMs} ms; got:\n${text}`);
    const chunk = await Promise.race([reader.read(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timeout; got:\n${text}`)), left))]);
    if (chunk.done) break;
    text += decoder.decode(chunk.value, { stream: true });
  }
  reader.releaseLock();
  return text;
}

let closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers) close();
  closers = [];
});

describe("the inbox page (server-rendered)", () => {
  it("shows an empty state that says how to send the first message, and the example it gives is valid", async () => {
    const { page } = setup();
    const response = await page.app.request("http://127.0.0.1:4010/");
    const html = await response.text();
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain("No messages yet");
    expect(html).toContain("http://127.0.0.1:4010/v1/bots/my-bot/users/593987654321/flow_message");
    expect(validateFlowMessage({ botId: "my-bot", userId: "593987654321", ...FIRST_MESSAGE_BODY }).ok).toBe(true);
  });

  it("renders each message as a bubble with its details, every text escaped", async () => {
    const { inbox, page } = setup();
    const message = record(inbox, { title: XSS.slice(0, 60), text: `*bold* ${XSS}`, caption: "Foot" });
    const html = await (await page.app.request("/")).text();
    expect(html).not.toContain("<script>window");
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;script&gt;window.__pwned=1&lt;/script&gt;");
    expect(html).toContain("<strong>bold</strong>");
    expect(html).toContain(`data-message-id="${message.id}"`);
    expect(html).toContain("+593•••••4321");
    expect(html).toMatch(/welcome_flow/);
    expect(html).toMatch(/RECOMMEND/);
    expect(html).toMatch(/A-1001/);
  });

  it("shows each text's length against the limit the contract gives", async () => {
    const { inbox, page } = setup();
    record(inbox, { caption: "x".repeat(55) });
    const html = await (await page.app.request("/")).text();
    expect(html).toMatch(/data-field="caption"[\s\S]*?55 \/ 60/);
    expect(html).toMatch(/class="usage-item usage-near" data-field="caption"/);
    expect(html).toMatch(/data-field="text"[\s\S]*?35 \/ 1024/);
  });

  it("serves its script and styles itself, under a policy that allows nothing from elsewhere", async () => {
    const { page } = setup();
    const response = await page.app.request("/");
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    const html = await response.text();
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1|localhost)/);
    const script = await page.app.request("/__mock/ui/inbox.js");
    expect(script.headers.get("content-type")).toMatch(/javascript/);
    expect(await script.text()).toContain("EventSource");
    const css = await page.app.request("/__mock/ui/inbox.css");
    expect(await css.text()).toContain(".bubble");
  });
});

describe("the inbox page's event stream", () => {
  it("says hello, then streams messages, rejections and clearing as escaped HTML", async () => {
    const { inbox, page, closeServer } = setup();
    closers.push(closeServer);
    const response = await page.app.request("/__mock/ui/events");
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const hello = await readUntil(response, /event: hello\ndata: \{"bootId":"[0-9a-f]+"\}\n\n/);
    expect(hello).toMatch(/^retry: \d+\n\n/);

    record(inbox, { text: XSS });
    inbox.reject({ method: "POST", path: "/v1/bots/b/users/1/flow_message", status: 422, code: "unprocessable_entity", description: XSS });
    inbox.clear();
    const text = hello + (await readUntil(response, /event: cleared/));
    const events = text.split("\n\n").filter((block) => block.startsWith("event: "));
    expect(events.map((block) => block.split("\n")[0])).toEqual(["event: hello", "event: message", "event: rejection", "event: cleared"]);
    const message = JSON.parse(events[1]!.split("\n").slice(1).map((l) => l.slice(6)).join("\n"));
    expect(message).toMatchObject({ botId: "bot-1", userId: "593987654321", flow: "welcome_flow" });
    expect(message.messageHtml).toContain("&lt;script&gt;");
    expect(message.messageHtml).not.toContain("<script>");
    expect(message.conversationHtml).toContain('data-conversation="bot-1:593987654321"');
  });

  it("streams replies and their delivery status", async () => {
    const { inbox, replies, page, closeServer } = setup();
    closers.push(closeServer);
    const response = await page.app.request("/__mock/ui/events");
    await readUntil(response, /event: hello/);
    const message = record(inbox);
    replies.reply(message.id, { date: "2025-01-31" });
    const text = await readUntil(response, /event: reply/);
    expect(text).toContain(`"messageId":"${message.id}"`);
    expect(text).toContain("Flow completed");
  });

  it("sends heartbeats, and unsubscribes when the page goes away or the server stops", async () => {
    const { inbox, page, closeServer } = setup();
    const listeners = countSubscriptions(inbox);
    const first = await page.app.request("/__mock/ui/events");
    await readUntil(first, /: heartbeat/);
    expect(listeners()).toBe(1);
    await first.body?.cancel();
    expect(listeners()).toBe(0);

    const second = await page.app.request("/__mock/ui/events");
    await readUntil(second, /event: hello/);
    expect(listeners()).toBe(1);
    closeServer();
    expect(listeners()).toBe(0);
    const reader = (second.body as ReadableStream<Uint8Array>).getReader();
    let done = false;
    while (!done) done = (await reader.read()).done;
    expect(done).toBe(true);
  });
});

describe("a stalled page", () => {
  it("is dropped once it has too much queued, instead of growing the mock's memory", async () => {
    const inbox = new Inbox(1000, 100);
    const page = createInboxPage({ inbox, replies: createFlowReplies({ inbox }), stream: { maxQueuedBytes: 20_000 } });
    const open = countSubscriptions(inbox);
    // Nobody reads this stream: what is sent to it piles up until the bound drops it.
    const response = await page.app.request("/__mock/ui/events");
    expect(open()).toBe(1);
    for (let i = 0; i < 200 && open() > 0; i++) record(inbox, { text: "x".repeat(1000) });
    expect(open()).toBe(0);
    await response.body?.cancel();
  });
});

/**
 * `npm run docs:screenshots`: renews the pictures of the inbox page in docs/images/. It starts a mock Jelou on a free
 * loopback port (with a bot registry and a webhook receiver of its own), sends it a short conversation with the real
 * client, one send the mock rejects and one Flow reply made through the page's own form, and photographs the page in
 * the Chromium the browser tests drive (Debian's, or CHROMIUM_PATH). The mock, the receiver and the browser are stopped
 * however it ends. Nothing leaves 127.0.0.1.
 */
import { mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Locator, Page } from "playwright-core";
import { createMockJelou, type MockJelou, type MockServer } from "../mock/index.js";
import { createJelouClient, JelouError, type FlowMessageInput } from "../src/index.js";
import { launchChromium } from "../test/page/browser.js";
import { startWebhookReceiver, type WebhookReceiver } from "../test/replies/webhook-receiver.js";

const OUT = fileURLToPath(new URL("../docs/images/", import.meta.url));
const WIDTH = 1280;
const MAX_BYTES = 150_000;
const CLIENT = { clientId: "clinic-client", clientSecret: "clinic-secret" };
const BOT = "clinic-bot";
const USER = "593987654321";

const CONVERSATION: FlowMessageInput[] = [
  {
    botId: BOT,
    userId: USER,
    title: "Welcome to Clinic Norte",
    text: "*Book your first appointment* in under a minute.",
    caption: "Clinic Norte",
    parameters: { flow_name: "welcome_flow", flow_cta: "Start" },
  },
  {
    botId: BOT,
    userId: USER,
    title: "Your appointment",
    text: "Pick a doctor, a day and a time. _It takes a minute._",
    caption: "Clinic Norte",
    parameters: {
      flow_name: "book_appointment",
      flow_cta: "Book now",
      flow_action_payload: { screen: "PICK_TIME", data: { doctor: "Dr. Vera" } },
    },
    payload: { orderId: "A-1001" },
  },
  {
    botId: BOT,
    userId: USER,
    title: "Reminder",
    text: "Your visit is *tomorrow at 10:30*. Confirm it or move it.",
    caption: "Clinic Norte",
    parameters: { flow_name: "confirm_visit", flow_cta: "Confirm" },
  },
];

/** The Flow name is misspelt: the mock's registry refuses it with 422 flow_not_found, which the client cannot know. */
const MISSPELT: FlowMessageInput = { ...CONVERSATION[2]!, parameters: { flow_name: "confirm_vist", flow_cta: "Confirm" } };

interface Running {
  receiver?: WebhookReceiver;
  mock?: MockJelou;
  server?: MockServer;
  browser?: Browser;
}

/** Starts the receiver, the mock (its webhook pointed at the receiver) and the browser. */
async function start(running: Running): Promise<{ page: Page; url: string }> {
  running.receiver = await startWebhookReceiver();
  running.mock = createMockJelou({
    ...CLIENT,
    env: false,
    bots: { bots: { [BOT]: { provider: "whatsapp_cloud", flows: ["welcome_flow", "book_appointment", "confirm_visit"] } } },
    webhook: { url: running.receiver.url, secret: "whsec_docs" },
  });
  running.server = await running.mock.listen({ port: 0, hostname: "127.0.0.1" });
  running.browser = await launchChromium();
  const page = await running.browser.newPage({ viewport: { width: WIDTH, height: 900 } });
  await page.goto(running.server.url);
  await page.locator('[data-connection="live"]').waitFor({ timeout: 10_000 });
  return { page, url: running.server.url };
}

/** Stops whatever was started, each step on its own so that one failure does not leave the rest running. */
async function stop(running: Running): Promise<void> {
  const steps = [
    () => running.browser?.close(),
    () => running.mock?.replies.close(),
    () => running.server?.close(),
    () => running.receiver?.close(),
  ];
  for (const step of steps) await Promise.resolve().then(step).catch((error: unknown) => console.error(error));
}

/** Where `part` is on the page (not the viewport), as a full-page clip counts it. */
function extent(part: Locator): Promise<{ top: number; bottom: number }> {
  return part.evaluate((element) => {
    const box = element.getBoundingClientRect();
    return { top: box.top + window.scrollY, bottom: box.bottom + window.scrollY };
  });
}

/** A full-width picture of the page from the top of `from` to the bottom of `to`, with a margin. */
async function shoot(page: Page, name: string, from: Locator, to: Locator = from): Promise<void> {
  const y = Math.max(0, Math.floor((await extent(from)).top) - 16);
  const height = Math.ceil((await extent(to)).bottom) + 16 - y;
  const path = join(OUT, name);
  const clip = { x: 0, y, width: WIDTH, height };
  await page.screenshot({ path, clip, fullPage: true, animations: "disabled", caret: "hide" });
  const { size } = await stat(path);
  console.log(`${path}: ${WIDTH}x${height}, ${Math.round(size / 1024)} KiB`);
  if (size > MAX_BYTES) throw new Error(`${name} is ${size} bytes, over ${MAX_BYTES}: photograph a smaller part.`);
}

/** The card of message `id` once the page has received it live. */
async function card(page: Page, id: string | undefined): Promise<Locator> {
  const found = page.locator(`.message[data-message-id="${id}"]`);
  await found.waitFor({ timeout: 10_000 });
  return found;
}

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true });
  const running: Running = {};
  try {
    const { page, url } = await start(running);
    const client = createJelouClient({ ...CLIENT, baseUrl: url });

    const sent = [];
    for (const message of CONVERSATION) sent.push(await client.sendFlowMessage(message));
    // Two cards are as much as one small picture holds; the third is below them on the page.
    await card(page, sent.at(-1)?.messageId);
    await shoot(page, "inbox-conversation.png", page.locator("#messages h2"), await card(page, sent[1]?.messageId));

    const refused = await client.sendFlowMessage(MISSPELT).catch((error: unknown) => error);
    if (!JelouError.is(refused) || refused.status !== 422) throw new Error(`the misspelt Flow was not refused: ${refused}`);
    const rejection = page.locator(".rejection");
    await rejection.waitFor({ timeout: 10_000 });
    await rejection.locator("details summary").click();
    await shoot(page, "inbox-rejection.png", page.locator(".topbar"), rejection);

    // The reply goes through the page's own form, as a developer would make it; the receiver answers 204.
    const booked = await card(page, sent[1]?.messageId);
    await booked.locator(".complete summary").click();
    await booked.locator("textarea").fill(JSON.stringify({ doctor: "Dr. Vera", date: "2026-02-01", time: "10:30" }));
    await booked.locator('button[type="submit"]').click();
    await booked.locator(".delivery-delivered").waitFor({ timeout: 10_000 });
    await booked.locator(".reply details summary").click();
    // The event's end holds what a handler reads: the answers (response_json) and the payload sent with the message.
    await booked.locator(".reply pre").evaluate((element) => element.scrollTo(0, element.scrollHeight));
    await shoot(page, "inbox-reply.png", booked.locator(".complete"), booked.locator(".reply"));
  } finally {
    await stop(running);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

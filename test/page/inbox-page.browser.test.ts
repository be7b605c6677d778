import { mkdirSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createMockJelou, type MockJelou, type MockServer } from "../../mock/index.js";
import { textLimits } from "../../src/contract/index.js";
import { createJelouClient, verifyJelouSignature, type JelouClient } from "../../src/index.js";
import { startWebhookReceiver, type WebhookReceiver } from "../replies/webhook-receiver.js";
import { launchChromium, openRecordedPage } from "./browser.js";

const CLIENT_ID = "page-client";
const CLIENT_SECRET = "page-secret-4f1d2c";
const WEBHOOK_SECRET = "whsec-page-9a7b";
const USER = "593987654321";
const ARTIFACTS = "test-artifacts";

let browser: Browser;
let receiver: WebhookReceiver;
let mock: MockJelou;
let server: MockServer;
let client: JelouClient;
let pages: Page[] = [];

function startMock(port = 0): Promise<MockServer> {
  mock = createMockJelou({
    env: false,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    webhook: { url: receiver.url, secret: WEBHOOK_SECRET, backoffMs: 50 },
  });
  return mock.listen({ port });
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  [browser, receiver] = await Promise.all([launchChromium(), startWebhookReceiver()]);
  server = await startMock();
  client = createJelouClient({ baseUrl: server.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
});

afterAll(async () => {
  await browser?.close();
  mock?.replies.close();
  await server?.close();
  await receiver?.close();
});

beforeEach(() => {
  mock.inbox.clear();
  receiver.received.length = 0;
});

afterEach(async () => {
  await Promise.all(pages.map((page) => page.close()));
  pages = [];
});

async function open(width = 1280) {
  const opened = await openRecordedPage(browser, server.url, width);
  pages.push(opened.page);
  return opened;
}

const BASE = {
  botId: "clinic-bot",
  userId: USER,
  title: "Your appointment",
  text: "*Pick a time* that _suits_ you, ~not~ `later`.",
  caption: "Clinic Norte",
  parameters: { flow_name: "book_appointment", flow_cta: "Book now", flow_action_payload: { screen: "PICK_TIME", data: { doctor: "Dr. Vera" } } },
  payload: { orderId: "A-1001" },
};

function card(page: Page, id: string) {
  return page.locator(".message").filter({ has: page.locator(`code:text-is("${id}")`) });
}

describe("the inbox page in Chromium", () => {
  it("shows a message sent with the client live, as a WhatsApp bubble with formatting, details and limits", async () => {
    const { page, incidents } = await open();
    expect(await page.locator("[data-empty]").isVisible()).toBe(true);

    const sent = await client.sendFlowMessage(BASE);
    const message = card(page, sent.messageId as string);
    await message.waitFor({ timeout: 5000 });

    expect(await message.locator(".bubble-header").textContent()).toBe("Your appointment");
    expect(await message.locator(".bubble-footer").textContent()).toBe("Clinic Norte");
    expect(await message.locator(".bubble-cta-text").textContent()).toBe("Book now");
    const body = message.locator(".bubble-body");
    expect(await body.textContent()).toBe("Pick a time that suits you, not later.");
    expect(await body.locator("strong").textContent()).toBe("Pick a time");
    expect(await body.locator("em").textContent()).toBe("suits");
    expect(await body.locator("s").textContent()).toBe("not");
    expect(await body.locator("code").textContent()).toBe("later");

    const details = await message.locator(".details").innerText();
    for (const expected of ["book_appointment", "PICK_TIME", "Dr. Vera", "A-1001", sent.messageId as string, CLIENT_ID]) {
      expect(details).toContain(expected);
    }
    const limits = textLimits();
    expect(await message.locator('[data-field="caption"] .usage-count').textContent()).toBe(`12 / ${limits.caption.max}`);
    expect(await message.locator('[data-field="parameters.flow_cta"] .usage-count').textContent()).toBe(
      `8 / ${limits["parameters.flow_cta"].max}`,
    );
    expect(await page.locator("[data-empty]").isVisible()).toBe(false);
    expect(await page.locator('[data-count="messages"]').textContent()).toBe("1");

    await message.locator(".raw summary").click();
    expect(JSON.parse((await message.locator(".raw pre").textContent()) as string)).toMatchObject({ id: sent.messageId, botId: "clinic-bot" });
    expect(incidents).toEqual({ dialogs: [], errors: [], foreignRequests: [] });
  });

  it("keeps every XSS payload inert: no dialog, no script, no navigation, the text shown as text", async () => {
    const { page, incidents } = await open();
    const url = page.url();
    const attack = {
      ...BASE,
      title: "<script>alert('title')</script>",
      text: '*<img src=x onerror="alert(\'img\');window.__pwned=1">* [tap](javascript:alert(\'link\')) <a href="javascript:alert(1)">a</a>',
      caption: '<svg onload="alert(\'svg\')">',
      parameters: {
        flow_name: '"><script>window.__pwned=2</script>',
        flow_cta: "<b onclick=alert(1)>",
        flow_action_payload: { screen: "<iframe src=javascript:alert(3)>", data: { x: "</pre><script>alert(4)</script>" } },
      },
      payload: { html: "<img src=x onerror=alert(5)>" },
    };
    const sent = await client.sendFlowMessage(attack);
    const message = page.locator(`.message[data-message-id="${sent.messageId}"]`);
    await message.waitFor({ timeout: 5000 });
    await message.locator(".bubble-body").click();
    await message.locator(".raw summary").click();
    await page.reload();
    await page.locator('[data-connection="live"]').waitFor();

    expect(await page.locator(".bubble-header").first().textContent()).toBe("<script>alert('title')</script>");
    expect(await page.locator(".bubble-body strong").first().textContent()).toBe('<img src=x onerror="alert(\'img\');window.__pwned=1">');
    const injected = await page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: number }).__pwned,
      scripts: Array.from(document.scripts).map((s) => s.getAttribute("src")),
      inMessages: document.querySelectorAll("#conversations img, #conversations svg, #conversations iframe, #conversations script, #conversations a, #conversations b").length,
      handlers: Array.from(document.querySelectorAll("*")).filter((el) => Array.from(el.attributes).some((a) => a.name.startsWith("on"))).length,
      jsLinks: document.querySelectorAll('a[href^="javascript:" i]').length,
    }));
    expect(injected).toEqual({ pwned: undefined, scripts: ["/__mock/ui/inbox.js"], inMessages: 0, handlers: 0, jsLinks: 0 });
    expect(page.url()).toBe(url);
    expect(incidents).toEqual({ dialogs: [], errors: [], foreignRequests: [] });
  });

  it("lists a rejected request live, with the reason and the field problem", async () => {
    const { page } = await open();
    const response = await fetch(`${server.url}/v1/bots/clinic-bot/users/${USER}/flow_message`, {
      method: "POST",
      headers: { authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64")}`, "content-type": "application/json" },
      body: JSON.stringify({ ...BASE, botId: undefined, userId: undefined, parameters: { ...BASE.parameters, flow_cta: "Book an appointment now" } }),
    });
    expect(response.status).toBe(422);
    const rejection = page.locator(".rejection").first();
    await rejection.waitFor({ timeout: 5000 });
    const text = await rejection.innerText();
    expect(text).toContain("422");
    expect(text).toContain("unprocessable_entity");
    expect(text).toMatch(/parameters\.flow_cta has 23 characters; the limit is 20/);
    expect(text).toContain("+593•••••4321");
    expect(text).not.toContain(USER);
    expect(await page.locator('[data-count="rejections"]').textContent()).toBe("1");
  });

  it("completes a flow from the keyboard and delivers a signed webhook with the cached payload", async () => {
    const { page } = await open();
    const sent = await client.sendFlowMessage(BASE);
    const message = page.locator(`.message[data-message-id="${sent.messageId}"]`);
    await message.waitFor({ timeout: 5000 });

    const summary = message.locator(".complete summary");
    await summary.focus();
    await page.keyboard.press("Enter");
    const answers = message.getByLabel("Answers, as a JSON object");
    await answers.fill("not json");
    await message.getByRole("button", { name: "Send reply" }).click();
    expect(await message.locator(".reply-result").textContent()).toMatch(/must be a JSON object/);
    expect(await answers.getAttribute("aria-invalid")).toBe("true");

    await answers.fill('{"date": "2026-02-01", "time": "10:30"}');
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    const [delivered] = await receiver.waitFor(1);
    expect(verifyJelouSignature(delivered!.body, delivered!.headers["x-jelou-signature"] as string, WEBHOOK_SECRET)).toBe(true);
    const event = JSON.parse(delivered!.body);
    expect(event).toMatchObject({ type: "flow_reply", simulated: true, messageId: sent.messageId, flowName: "book_appointment", payload: { orderId: "A-1001" } });
    expect(JSON.parse(event.message.interactive.nfm_reply.response_json)).toEqual({ flow_token: sent.messageId, date: "2026-02-01", time: "10:30" });

    await message.locator(".delivery-delivered").waitFor({ timeout: 5000 });
    expect(await message.locator(".reply").innerText()).toMatch(/delivered \(204\) after 1 attempt/);
    expect(await message.locator(".reply-result").textContent()).toContain(event.id);
  });

  it("masks phone numbers until asked, filters by bot, user and flow, and clears the inbox", async () => {
    await client.sendFlowMessage(BASE);
    await client.sendFlowMessage({ ...BASE, botId: "shop-bot", userId: "14155550123", parameters: { flow_name: "order_status", flow_cta: "Track" } });
    const { page } = await open();
    const first = page.locator(".conversation").filter({ hasText: "clinic-bot" });
    expect(await first.locator(".conversation-title").innerText()).toContain("+593•••••4321");
    expect(await page.getByText(`+${USER}`).first().isVisible()).toBe(false);
    const toggle = page.getByRole("button", { name: "Show phone numbers" });
    await toggle.click();
    expect(await page.getByText(`+${USER}`).first().isVisible()).toBe(true);
    expect(await page.getByRole("button", { name: "Hide phone numbers" }).getAttribute("aria-pressed")).toBe("true");

    await page.getByLabel("Flow", { exact: true }).fill("order");
    expect(await page.locator(".message:visible").count()).toBe(1);
    expect(await page.locator('[data-count="messages"]').textContent()).toBe("1 of 2");
    expect(page.url()).toContain("flow=order");
    await page.getByRole("button", { name: "Clear filters" }).click();
    await page.getByLabel("User", { exact: true }).fill("+593 98");
    expect(await page.locator(".message:visible").count()).toBe(1);
    await page.getByLabel("User", { exact: true }).fill("");
    await page.getByLabel("Bot", { exact: true }).fill("nobody");
    expect(await page.locator("[data-filtered-out]").isVisible()).toBe(true);
    await page.getByLabel("Bot", { exact: true }).fill("");

    const unlabelled = await page.evaluate(() =>
      Array.from(document.querySelectorAll("input, textarea, select, button")).filter(
        (el) => !((el as HTMLInputElement).labels?.length || el.getAttribute("aria-label") || el.textContent?.trim()),
      ).length,
    );
    expect(unlabelled).toBe(0);

    await page.getByRole("button", { name: "Clear inbox" }).click();
    await page.locator("[data-empty]").waitFor({ state: "visible", timeout: 5000 });
    expect(await page.locator(".message").count()).toBe(0);
    expect(mock.inbox.list()).toHaveLength(0);
  });

  it("never puts a secret on the page", async () => {
    await client.sendFlowMessage(BASE);
    mock.replies.reply("latest", { a: 1 });
    const { page } = await open();
    const html = await page.content();
    const served = await (await fetch(server.url)).text();
    for (const text of [html, served]) {
      expect(text).not.toContain(CLIENT_SECRET);
      expect(text).not.toContain(WEBHOOK_SECRET);
    }
  });

  it("saves wide and narrow screenshots of a busy inbox", async () => {
    await client.sendFlowMessage(BASE);
    await client.sendFlowMessage({
      ...BASE,
      botId: "shop-bot",
      userId: "14155550123",
      title: "Where is my order?",
      text: "Your order *#4411* ships today.\nTrack it or change the address:\n```ETA 2-3 days```",
      caption: "x".repeat(57),
      parameters: { flow_name: "order_status", flow_cta: "Track my order now" },
    });
    await fetch(`${server.url}/v1/bots/shop-bot/users/14155550123/flow_message`, {
      method: "POST",
      headers: { authorization: "Basic d3Jvbmc6d3Jvbmc=", "content-type": "application/json" },
      body: "{}",
    });
    mock.replies.reply("latest", { address: "Av. Amazonas 123" });
    await receiver.waitFor(1);
    await mock.replies.idle();
    for (const width of [1280, 400]) {
      const { page } = await open(width);
      await page.locator(".delivery-delivered").waitFor();
      await page.screenshot({ path: `${ARTIFACTS}/inbox-${width}.png`, fullPage: true });
      if (width === 400) await page.screenshot({ path: `${ARTIFACTS}/inbox-400-top.png` });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, "nothing is wider than the window").toBe(0);
    }
  });

  it("reconnects after the mock restarts and shows what the new mock receives", async () => {
    await client.sendFlowMessage(BASE);
    const { page, incidents } = await open();
    await page.locator(".message").waitFor();
    const port = server.port;
    mock.replies.close();
    await server.close();
    await page.locator('[data-connection="reconnecting"]').waitFor({ timeout: 5000 });

    server = await startMock(port);
    await page.locator('[data-connection="live"]').waitFor({ timeout: 15_000 });
    await page.locator(".message").waitFor({ state: "detached", timeout: 5000 });
    const sent = await client.sendFlowMessage({ ...BASE, title: "After the restart" });
    await page.locator(`.message[data-message-id="${sent.messageId}"]`).waitFor({ timeout: 5000 });
    expect(await page.locator(".bubble-header").allTextContents()).toEqual(["After the restart"]);
    expect(incidents.errors).toEqual([]);
  });
});

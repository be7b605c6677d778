/**
 * DNS rebinding against the mock, in a real Chromium. The attacker's name `rebind.test` resolves to 127.0.0.1 (Chromium's
 * host resolver rules), and the attacker's document at `http://rebind.test:PORT/attack.html` is served by playwright's
 * router, as the attacker's server would serve it before the name is rebound to loopback. The page's own same-origin
 * requests then reach the real mock on that port: Chromium sends them with `Host: rebind.test:PORT` and neither Origin
 * nor Sec-Fetch-Site (the origin is not secure), so only the Host can tell the mock that they come from a foreign page.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createMockJelou, type MockJelou, type MockServer } from "../../mock/index.js";
import { launchChromium } from "./browser.js";

const USER = "593987654321";
/** What the attacker's script reports of each same-origin GET it makes. */
interface Read {
  path: string;
  status: number;
  code: string | undefined;
  leaked: boolean;
}

const ATTACK_HTML = `<!doctype html><title>attack</title><script>
window.readAll = async (paths, user) => Promise.all(paths.map(async (path) => {
  const controller = new AbortController();
  const response = await fetch(path, { signal: controller.signal });
  const type = response.headers.get("content-type") || "";
  // An event stream never ends: its head is the answer.
  const text = type.startsWith("text/event-stream") ? "" : await response.text();
  controller.abort();
  let code;
  try { code = JSON.parse(text).code; } catch {}
  return { path, status: response.status, code, leaked: text.includes(user) };
}));
</script>`;
const PATHS = ["/__mock/messages", "/__mock/rejections", "/__mock/replies", "/__mock/faults", "/__mock/ui/events", "/"];

let browser: Browser;
const mocks: { mock: MockJelou; server: MockServer }[] = [];
let page: Page | undefined;

async function startMock(allowedHosts?: string[]): Promise<{ mock: MockJelou; server: MockServer }> {
  const mock = createMockJelou(allowedHosts === undefined ? { env: false } : { env: false, allowedHosts });
  const server = await mock.listen({ port: 0 });
  mocks.push({ mock, server });
  const sent = await mock.fetch(`/v1/bots/bot-1/users/${USER}/flow_message`, {
    method: "POST",
    headers: { authorization: `Basic ${btoa("id:secret")}`, "content-type": "application/json" },
    body: JSON.stringify({ title: "T", text: "x", caption: "c", parameters: { flow_name: "f", flow_cta: "Go" } }),
  });
  expect(sent.status).toBe(200);
  return { mock, server };
}

/** Opens the attacker's document on `rebind.test` at the mock's port and has it read every path. */
async function attack(port: number): Promise<Read[]> {
  page = await browser.newPage();
  const origin = `http://rebind.test:${port}`;
  await page.route(`${origin}/attack.html`, (route) => route.fulfill({ status: 200, contentType: "text/html", body: ATTACK_HTML }));
  await page.goto(`${origin}/attack.html`);
  return page.evaluate(([paths, user]) => (window as unknown as { readAll(p: string[], u: string): Promise<Read[]> }).readAll(paths, user), [
    PATHS,
    USER,
  ] as const);
}

beforeAll(async () => {
  browser = await launchChromium([
    "--host-resolver-rules=MAP rebind.test 127.0.0.1",
    // Chromium blocks a document of unknown address space (the routed one) from loopback: the mock must hold without it.
    "--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights",
  ]);
});

afterEach(async () => {
  await page?.close();
  page = undefined;
});

afterAll(async () => {
  await browser?.close();
  await Promise.all(mocks.map(({ server }) => server.close()));
});

describe("a page that rebinds its name to the mock's address", () => {
  it("gets 403 forbidden_host on the inspection API, the event stream and the inbox page, and reads nothing", async () => {
    const { server } = await startMock();
    const reads = await attack(server.port);
    expect(reads.map((r) => [r.path, r.status])).toEqual(PATHS.map((path) => [path, 403]));
    expect(reads.filter((r) => r.path !== "/__mock/ui/events").every((r) => r.code === "forbidden_host")).toBe(true);
    expect(reads.some((r) => r.leaked)).toBe(false);
    // Navigating the browser itself to the rebound name is refused the same way.
    const navigation = await page?.goto(`http://rebind.test:${server.port}/__mock/messages`);
    expect(navigation?.status()).toBe(403);
  });

  it("is served when the name is admitted with allowedHosts (a container or LAN name)", async () => {
    const { server } = await startMock(["rebind.test"]);
    const reads = await attack(server.port);
    expect(reads.map((r) => [r.path, r.status])).toEqual(PATHS.map((path) => [path, 200]));
    expect(reads.find((r) => r.path === "/__mock/messages")?.leaked).toBe(true);
  });
});

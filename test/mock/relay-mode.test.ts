/**
 * Relay mode, `jelou-flow mock --upstream URL`: each send that passes the mock's checks goes, once, to a stand-in for
 * Jelou on loopback with the caller's credentials; the caller gets its answer and the inbox keeps it, checked against
 * openapi.yaml, without the secret.
 */
import { afterEach, describe, expect, it } from "vitest";
import { runMockCli, type InboxUpstream } from "../../mock/index.js";
import { createJelouClient } from "../../src/index.js";
import { startJelouStandIn, type JelouStandIn } from "../helpers/jelou-stand-in.js";
import { STAND_IN_BOT, STAND_IN_CLIENT_ID, STAND_IN_SECRET } from "../helpers/jelou-stand-in.js";
import { MODES, startTarget, USER, validMessage, type Mode, type Target } from "./harness.js";
import type { MockJelouOptions } from "../../mock/index.js";

const PAIR = `${STAND_IN_CLIENT_ID}:${STAND_IN_SECRET}`;
const TOKEN = Buffer.from(PAIR).toString("base64");
const AUTH = `Basic ${TOKEN}`;
const PATH = `/v1/bots/${STAND_IN_BOT}/users/${USER}/flow_message`;
/** Every form in which the secret could leak: as is, in the Basic token, as the pair, percent-encoded. */
const SECRET_FORMS = [STAND_IN_SECRET, TOKEN, PAIR].flatMap((form) => [form, encodeURIComponent(form)]);

let standIn: JelouStandIn | undefined;
let target: Target | undefined;
afterEach(async () => {
  await target?.close();
  await standIn?.close();
  target = standIn = undefined;
});

/** A stand-in and a mock relaying to it, with no credentials configured unless the options give some. */
async function relayThrough(mode: Mode, behaviour: "contract" | "drift", options: MockJelouOptions & { echo?: boolean } = {}) {
  const { echo, ...mockOptions } = options;
  standIn = await startJelouStandIn(behaviour, { echo: echo ?? false });
  target = await startTarget(mode, { clientId: undefined, clientSecret: undefined, upstream: standIn.url, ...mockOptions });
  return { standIn, target };
}

function post(through: Target, authorization = AUTH, body: unknown = validMessage(), path = PATH): Promise<Response> {
  const headers = { authorization, "content-type": "application/json" };
  return through.call(`${path}?type=standard`, { method: "POST", headers, body: JSON.stringify(body) });
}

const upstreamOf = (through: Target): InboxUpstream | undefined => through.mock.inbox.get("latest")?.upstream;

describe.each(MODES)("relay mode (%s)", (mode) => {
  it("forwards a send once, with the caller's credentials, and the inbox marks the contract's answer as conforming", async () => {
    const { standIn, target } = await relayThrough(mode, "contract");
    const client = createJelouClient({
      clientId: STAND_IN_CLIENT_ID,
      clientSecret: STAND_IN_SECRET,
      ...(target.url === undefined ? { fetch: target.mock.fetch } : { baseUrl: target.url }),
    });
    const { title, text, caption, parameters } = validMessage() as Parameters<typeof client.sendFlowMessage>[0];
    await client.sendFlowMessage({ botId: STAND_IN_BOT, userId: USER, title, text, caption, parameters });
    expect(standIn.requests).toHaveLength(1);
    expect(standIn.requests[0]).toMatchObject({ method: "POST", botId: STAND_IN_BOT, userId: USER, authorization: AUTH });
    expect(JSON.parse(standIn.requests[0]?.body ?? "")).toMatchObject({ title, parameters });
    const message = target.mock.inbox.get("latest");
    expect(message).toMatchObject({ botId: STAND_IN_BOT, clientId: STAND_IN_CLIENT_ID });
    expect(message?.upstream).toEqual({ status: 200, body: "{}", truncated: false, conforms: true, differences: [] });
  });

  it("hands the caller the upstream's answer and flags the ones that break the contract", async () => {
    const { standIn, target } = await relayThrough(mode, "drift");
    const sent = await post(target);
    expect(sent.status).toBe(200);
    expect(await sent.json()).toEqual({ success: true, messageId: "msg_1" });
    const drifted = upstreamOf(target);
    expect(drifted).toMatchObject({ status: 200, body: JSON.stringify({ success: true, messageId: "msg_1" }), conforms: false });
    const suggestions = (drifted && "differences" in drifted ? drifted.differences : []).map((d) => d.suggestion);
    expect(suggestions).toContain("200 body has `messageId` (string): add it to FlowMessageSent");
    // Well-formed but wrong credentials are the upstream's to judge: it answers 401 as text/html.
    const refused = await post(target, `Basic ${Buffer.from("someone:else").toString("base64")}`);
    expect([refused.status, refused.headers.get("content-type")]).toEqual([401, "text/html"]);
    expect(upstreamOf(target)).toMatchObject({ status: 401, body: '{ "error": "Unauthorized" }', conforms: false });
    expect(standIn.requests).toHaveLength(2);
  });

  it("keeps the secret out of every inbox field, the inspection API and the page, even when the upstream echoes it", async () => {
    const lines: string[] = [];
    const { target } = await relayThrough(mode, "contract", { echo: true, logger: (line) => lines.push(line) });
    expect((await post(target)).status).toBe(401);
    await post(target, AUTH, { title: "no text" });
    const api = await (await target.call("/__mock/messages")).text();
    const page = await (await target.call("/")).text();
    const { inbox } = target.mock;
    const everything = [JSON.stringify(inbox.list()), JSON.stringify(inbox.rejections()), api, page, ...lines].join("\n");
    expect(everything).toContain("[REDACTED]");
    for (const form of SECRET_FORMS) expect(everything).not.toContain(form);
  });

  it("checks the send before forwarding it: refusals, faults, chaos and a configured pair stay here", async () => {
    const pair = { clientId: STAND_IN_CLIENT_ID, clientSecret: STAND_IN_SECRET };
    const { standIn, target } = await relayThrough(mode, "contract", pair);
    expect((await post(target, AUTH, { title: "no text" })).status).toBe(422);
    expect((await post(target, `Basic ${Buffer.from(`${STAND_IN_CLIENT_ID}:wrong`).toString("base64")}`)).status).toBe(401);
    target.mock.faults.add({ kind: "server_error", times: 1 });
    const faulted = await post(target);
    expect([faulted.status, (await faulted.json()).code]).toEqual([500, "internal_server_error"]);
    expect(target.mock.inbox.rejections({ limit: 1 })[0]).toMatchObject({ status: 500, fault: expect.any(String) });
    target.mock.faults.chaos({ probability: 1, seed: 1 });
    expect([429, 500, 503]).toContain((await post(target)).status);
    target.mock.faults.chaos(null);
    expect(standIn.requests).toHaveLength(0);
    expect((await post(target)).status).toBe(200);
    expect(standIn.requests).toHaveLength(1);
  });

  it("records why when no answer came, answers the contract's 500, and counts the answer in the retained bytes", async () => {
    const { target } = await relayThrough(mode, "contract");
    await standIn?.close();
    standIn = undefined;
    const lost = await post(target);
    expect(lost.status).toBe(500);
    const description = expect.stringMatching(/may or may not have been sent/);
    expect(await lost.json()).toMatchObject({ code: "internal_server_error", description });
    const upstream = upstreamOf(target);
    expect(upstream).toMatchObject({ error: "network", conforms: false, message: expect.stringMatching(/No connection/) });
    const bytes = Buffer.byteLength(JSON.stringify(validMessage())) + Buffer.byteLength(JSON.stringify(upstream));
    expect(target.mock.inbox.stats().retainedBytes).toBe(bytes);
    expect(await (await target.call("/")).text()).toContain("No answer from Jelou: No connection to the upstream");
  });
});

describe("jelou-flow mock --upstream", () => {
  async function cli(argv: string[], use: (url: string) => Promise<void> = async () => {}) {
    let out = "";
    let err = "";
    const controller = new AbortController();
    const code = await runMockCli(["--port", "0", ...argv], {
      stdout: (text) => void (out += text),
      stderr: (text) => void (err += text),
      signal: controller.signal,
      env: {},
      onListening: (url) => void use(url).finally(() => controller.abort()),
    });
    return { code, out, err };
  }

  it("refuses an upstream that is neither https: nor loopback, with exit code 2", async () => {
    const { code, err } = await cli(["--upstream", "http://example.com"]);
    expect(code).toBe(2);
    expect(err).toMatch(/--upstream must be https:\/\/ \(http:\/\/ only to a loopback host\)/);
  });

  it("relays over HTTP and names the upstream in the start banner, never the secret", async () => {
    standIn = await startJelouStandIn("contract");
    const upstream = standIn.url;
    let status = 0;
    const { code, out } = await cli(["--upstream", upstream, "--verbose"], async (url) => {
      const headers = { authorization: AUTH, "content-type": "application/json" };
      status = (await fetch(`${url}${PATH}`, { method: "POST", headers, body: JSON.stringify(validMessage()) })).status;
    });
    expect([code, status, standIn.requests.length]).toEqual([0, 200, 1]);
    expect(out).toContain(`Upstream     ${upstream}/`);
    expect(out).toMatch(/forwarded for the upstream to judge/);
    for (const form of SECRET_FORMS) expect(out).not.toContain(form);
  });
});

describe("relay mode against a hostile upstream", () => {
  type Answer = (res: import("node:http").ServerResponse) => void;
  let server: import("node:http").Server | undefined;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
    server = undefined;
  });

  /** Relays one send to an upstream that answers with `answer`; gives the caller's answer and the inbox record. */
  async function relayTo(answer: Answer, secret = STAND_IN_SECRET) {
    const { createServer } = await import("node:http");
    const { createMockJelou } = await import("../../mock/index.js");
    server = createServer((req, res) => req.resume().on("end", () => answer(res)));
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as import("node:net").AddressInfo;
    const mock = createMockJelou({ upstream: `http://127.0.0.1:${port}`, env: false, logger: () => undefined });
    const authorization = `Basic ${Buffer.from(`${STAND_IN_CLIENT_ID}:${secret}`).toString("base64")}`;
    const headers = { authorization, "content-type": "application/json" };
    const response = await mock.fetch(`http://mock${PATH}`, { method: "POST", headers, body: JSON.stringify(validMessage()) });
    const body = await response.text();
    return { response, body, upstream: mock.inbox.get("latest")?.upstream, record: JSON.stringify(mock.inbox.get("latest")) };
  }

  const json = (status: number, body: string, headers: Record<string, string> = {}): Answer => (res) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(body);
  };

  it("scrubs the secret in every form the client's scrubber knows, from the caller's answer and the inbox", async () => {
    const s = STAND_IN_SECRET;
    const forms = [
      JSON.stringify(s).slice(1, -1).replaceAll("/", "\\/"),
      [...s].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join(""),
      encodeURIComponent(s).toLowerCase(),
      s.replace(/[^\w]/g, (c) => `&#${c.charCodeAt(0)};`),
      Buffer.from(s).toString("base64"),
      Buffer.from(`${STAND_IN_CLIENT_ID}:${s}`).toString("base64url"),
    ];
    const body = JSON.stringify(Object.fromEntries(forms.map((form, i) => [`f${i}`, form]))).replaceAll("\\\\", "\\");
    const { response, body: text, record } = await relayTo(json(200, body, { "x-echo": forms[0]! }));
    expect(response.headers.get("x-echo")).toBe("[REDACTED]");
    for (const form of forms) {
      expect(text).not.toContain(form);
      expect(record).not.toContain(form);
    }
    expect(Object.values(JSON.parse(text) as Record<string, string>)).toEqual(forms.map(() => "[REDACTED]"));
  });

  it("scrubs a secret that the 64 KiB cut splits, and one lower-cased in the check", async () => {
    const head = '{"code":"unauthorized","d":"';
    const cut = await relayTo(json(401, `${head}${"x".repeat(65_536 - head.length - 9)}${STAND_IN_SECRET}"}`));
    expect(cut.upstream).toMatchObject({ truncated: true });
    expect(cut.record).not.toContain(STAND_IN_SECRET.slice(0, 9));
    const mixed = "AbCdEfGh-Mixed-Case-Secret";
    const lowered = await relayTo((res) => res.writeHead(200, { "content-type": `text/${mixed}` }).end("{}"), mixed);
    expect(lowered.record.toLowerCase()).not.toContain(mixed.toLowerCase());
  });

  it("records a 200 too deep to check as a difference, and hands the caller that 200", async () => {
    const { response, upstream } = await relayTo(json(200, `${"[".repeat(30_000)}${"]".repeat(30_000)}`));
    expect(response.status).toBe(200);
    expect(upstream).toMatchObject({ status: 200, conforms: false });
  });

  it("keeps about 20 differences of an answer that breaks the contract thousands of times", async () => {
    let body = "{";
    for (let i = 0; body.length < 65_000; i++) body += `${i ? "," : ""}"k${i}":1`;
    const { upstream, record } = await relayTo(json(200, `${body}}`));
    const differences = (upstream as { differences: { actual: string }[] }).differences;
    expect(differences.length).toBeLessThanOrEqual(21);
    expect(differences.at(-1)?.actual).toMatch(/^\.\.\.and \d+ more$/);
    expect(record.length).toBeLessThan(100_000);
  });

  it("answers the contract's 500 for a redirect off the upstream and for a status outside 200-599", async () => {
    const redirect = await relayTo((res) => res.writeHead(307, { location: "https://evil.example/steal" }).end());
    expect(redirect.response.status).toBe(500);
    expect(redirect.response.headers.get("location")).toBeNull();
    expect(JSON.parse(redirect.body)).toMatchObject({ code: "internal_server_error", description: /redirected/ });
    expect(redirect.upstream).toMatchObject({ status: 307, conforms: false });
    const { createServer } = await import("node:net");
    const raw = createServer((socket) => socket.once("data", () => {
      socket.end("HTTP/1.1 600 Weird\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}");
    }));
    await new Promise<void>((resolve) => raw.listen(0, "127.0.0.1", resolve));
    const { createMockJelou } = await import("../../mock/index.js");
    const { port } = raw.address() as import("node:net").AddressInfo;
    const mock = createMockJelou({ upstream: `http://127.0.0.1:${port}`, env: false, logger: () => undefined });
    const headers = { authorization: AUTH, "content-type": "application/json" };
    const weird = await mock.fetch(`http://mock${PATH}`, { method: "POST", headers, body: JSON.stringify(validMessage()) });
    raw.close();
    expect(weird.status).toBe(500);
    expect(JSON.parse(await weird.text())).toMatchObject({ code: "internal_server_error", description: /status 600/ });
  });
});

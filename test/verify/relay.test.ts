import { afterEach, describe, expect, it } from "vitest";
import { parseUpstream, relayResponse, relaySend, type RelayRequest } from "../../mock/send/relay.js";
import { startJelouStandIn, STAND_IN_BOT, STAND_IN_CLIENT_ID, STAND_IN_SECRET, type JelouStandIn } from "../helpers/jelou-stand-in.js";

const TOKEN = Buffer.from(`${STAND_IN_CLIENT_ID}:${STAND_IN_SECRET}`).toString("base64");
const MESSAGE = JSON.stringify({ title: "Hi", text: "Hello", caption: "Jelou", parameters: { flow_name: "f", flow_cta: "Go" } });
let standIn: JelouStandIn | undefined;

afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

function send(overrides: Partial<RelayRequest> = {}): RelayRequest {
  const path = `/v1/bots/${STAND_IN_BOT}/users/593987654321/flow_message?type=standard`;
  return { method: "POST", path, authorization: `Basic ${TOKEN}`, body: MESSAGE, ...overrides };
}

describe("the relay core of jelou-flow mock --upstream", () => {
  it("forwards one send once, with the caller's credentials, body and path, and hands back the upstream's answer", async () => {
    standIn = await startJelouStandIn("contract");
    const answer = await relaySend(send(), { upstream: parseUpstream(standIn.url) });
    expect(standIn.requests).toEqual([
      { method: "POST", path: send().path, botId: STAND_IN_BOT, userId: "593987654321", authorization: `Basic ${TOKEN}`, body: MESSAGE },
    ]);
    expect(answer).toMatchObject({ ok: true, status: 200, body: "{}", truncated: false, check: { conforms: true, differences: [] } });
    expect(answer.ok && answer.headers).toMatchObject({ "content-type": "application/json", "x-message-id": "msg_stand_in_1" });
  });

  it("flags the answers that break the contract, with the change openapi.yaml would need", async () => {
    standIn = await startJelouStandIn("drift");
    const upstream = parseUpstream(standIn.url);
    const sent = await relaySend(send(), { upstream });
    expect(sent.ok && sent.check.conforms).toBe(false);
    expect(sent.ok && sent.check.differences.map((d) => d.suggestion)).toContain("200 body has `messageId` (string): add it to FlowMessageSent");
    const refused = await relaySend(send({ authorization: "Basic d3Jvbmc6d3Jvbmc=" }), { upstream });
    expect(refused).toMatchObject({ ok: true, status: 401, body: '{ "error": "Unauthorized" }' });
    expect(refused.ok && refused.check.differences.map((d) => d.part)).toEqual(["content-type", "body", "body"]);
    expect(standIn.requests).toHaveLength(2);
  });

  it("puts the caller's secret in no returned field, even when the upstream echoes it", async () => {
    standIn = await startJelouStandIn("contract", { echo: true });
    const answer = await relaySend(send(), { upstream: parseUpstream(standIn.url) });
    const everything = JSON.stringify(answer);
    expect(everything).toContain("[REDACTED]");
    for (const form of [STAND_IN_SECRET, TOKEN, encodeURIComponent(STAND_IN_SECRET), `${STAND_IN_CLIENT_ID}:${STAND_IN_SECRET}`]) {
      expect(everything).not.toContain(form);
    }
  });

  it("reads at most maxBodyBytes of an answer", async () => {
    standIn = await startJelouStandIn("contract", { echo: true });
    const answer = await relaySend(send(), { upstream: parseUpstream(standIn.url), maxBodyBytes: 10 });
    expect(answer).toMatchObject({ ok: true, status: 401, truncated: true });
    expect(answer.ok && Buffer.byteLength(answer.body)).toBeLessThanOrEqual(10);
  });

  it("says why when the upstream does not answer, and retries nothing", async () => {
    standIn = await startJelouStandIn("contract");
    const upstream = parseUpstream(standIn.url);
    await standIn.close();
    standIn = undefined;
    const answer = await relaySend(send(), { upstream });
    expect(answer).toMatchObject({ ok: false, kind: "network" });
    const response = relayResponse(answer);
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ code: "internal_server_error", description: expect.stringMatching(/may or may not/) });
  });

  it("gives the caller the upstream's status, headers and body", async () => {
    standIn = await startJelouStandIn("drift");
    const response = relayResponse(await relaySend(send(), { upstream: parseUpstream(standIn.url) }));
    expect(response.status).toBe(200);
    expect(response.headers.get("x-request-id")).toBe("req_stand_in");
    expect(await response.text()).toBe(JSON.stringify({ success: true, messageId: "msg_1" }));
  });

  it("takes only https: upstreams, or http: on loopback, without credentials or query", () => {
    expect(parseUpstream("https://api.jelou.ai").href).toBe("https://api.jelou.ai/");
    expect(parseUpstream("http://127.0.0.1:4011").port).toBe("4011");
    expect(parseUpstream("http://localhost:4011").hostname).toBe("localhost");
    expect(() => parseUpstream("http://api.jelou.ai")).toThrow(/must be https:\/\//);
    expect(() => parseUpstream("ftp://127.0.0.1")).toThrow(/must be https:\/\//);
    expect(() => parseUpstream("https://me:pw@api.jelou.ai")).toThrow(/no user name, password/);
    expect(() => parseUpstream("https://api.jelou.ai/?token=1")).toThrow(/query/);
    expect(() => parseUpstream("not a url")).toThrow(/--upstream must be an https:\/\/ address/);
  });
});

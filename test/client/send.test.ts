import { describe, expect, it } from "vitest";
import { createJelouClient, JelouError, sendFlowMessage } from "../../src/index.js";
import { validMessage, useFakeJelou } from "./fake-jelou.js";

const jelou = useFakeJelou();

const credentials = { clientId: "my_client_id", clientSecret: "my_client_secret" };

describe("sendFlowMessage", () => {
  it("sends a valid message with Basic auth and JSON, and resolves with what Jelou answered", async () => {
    const client = createJelouClient({ ...credentials, baseUrl: jelou.url });
    const result = await client.sendFlowMessage(validMessage());

    expect(result).toEqual({ status: 200, body: {}, attempts: 1, requestId: "req_1", messageId: "msg_1" });
    expect(jelou.received).toHaveLength(1);
    const [request] = jelou.received;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe("/v1/bots/bot-1/users/593987654321/flow_message");
    // Jelou's own worked example of the encoding.
    expect(request?.headers.authorization).toBe("Basic bXlfY2xpZW50X2lkOm15X2NsaWVudF9zZWNyZXQ=");
    expect(request?.headers["content-type"]).toBe("application/json");
    const { botId: _b, userId: _u, ...body } = validMessage();
    expect(JSON.parse(request?.body ?? "")).toEqual(body);
  });

  it("normalises a phone number written with +, spaces and dashes", async () => {
    const client = createJelouClient({ ...credentials, baseUrl: jelou.url });
    await client.sendFlowMessage({ ...validMessage(), userId: "+593 98-765-4321" });
    expect(jelou.received[0]?.url).toBe("/v1/bots/bot-1/users/593987654321/flow_message");
  });

  it("sends the type query parameter only when given", async () => {
    const client = createJelouClient({ ...credentials, baseUrl: jelou.url });
    await client.sendFlowMessage(validMessage(), { type: "standard" });
    await client.sendFlowMessage(validMessage());
    expect(jelou.received.map((r) => r.url)).toEqual([
      "/v1/bots/bot-1/users/593987654321/flow_message?type=standard",
      "/v1/bots/bot-1/users/593987654321/flow_message",
    ]);
  });

  it("passes the body through untouched, payload and extra parameters included", async () => {
    const client = createJelouClient({ ...credentials, baseUrl: jelou.url });
    const message = {
      ...validMessage(),
      parameters: { flow_name: "f", flow_cta: "Go", mode: "draft", flow_action_payload: { screen: "S", data: { a: 1 } } },
      payload: { orderId: "A-1001" },
    };
    await client.sendFlowMessage(message);
    expect(JSON.parse(jelou.received[0]?.body ?? "")).toMatchObject({ parameters: message.parameters, payload: message.payload });
  });

  it("reads credentials and the base URL from JELOU_* when not given", async () => {
    const env = { JELOU_CLIENT_ID: "env_id", JELOU_CLIENT_SECRET: "env_secret", JELOU_BASE_URL: `${jelou.url}/` };
    const client = createJelouClient({ env });
    expect(client.baseUrl).toBe(jelou.url);
    await client.sendFlowMessage(validMessage());
    expect(jelou.received[0]?.headers.authorization).toBe(`Basic ${Buffer.from("env_id:env_secret").toString("base64")}`);
  });

  it("defaults the base URL to https://api.jelou.ai", () => {
    expect(createJelouClient({ ...credentials, env: {} }).baseUrl).toBe("https://api.jelou.ai");
  });

  it("fails at creation, not with a 401 later, when a credential is missing", () => {
    const attempt = (options: Parameters<typeof createJelouClient>[0]) => () => createJelouClient(options);
    expect(attempt({ clientId: "id", env: {} })).toThrow(/no clientSecret\. Pass \{ clientSecret \} or set JELOU_CLIENT_SECRET/);
    expect(attempt({ clientSecret: "s", env: {} })).toThrow(/no clientId\. Pass \{ clientId \} or set JELOU_CLIENT_ID/);
    expect(attempt({ clientId: "", clientSecret: "s", env: {} })).toThrow(JelouError);
    try {
      createJelouClient({ env: {} });
    } catch (error) {
      expect(JelouError.is(error) && error.kind).toBe("auth");
    }
  });

  it("refuses a malformed base URL or option at creation", () => {
    expect(() => createJelouClient({ ...credentials, baseUrl: "api.jelou.ai" })).toThrow(TypeError);
    expect(() => createJelouClient({ ...credentials, baseUrl: "https://u:p@api.jelou.ai" })).toThrow(/must not hold credentials/);
    // An address that does not parse, or has a query, is quoted in the error: never with what stands before an "@".
    expect(() => createJelouClient({ ...credentials, baseUrl: "https://me:pw@api jelou.ai" })).toThrow(/got "https:\/\/\[REDACTED\]@api jelou\.ai"/);
    expect(() => createJelouClient({ ...credentials, timeoutMs: -1 })).toThrow(RangeError);
    expect(() => createJelouClient({ ...credentials, retry: { limit: 1.5 } })).toThrow(RangeError);
  });

  it("sends through a custom fetch, one Request per attempt, without any network", async () => {
    const seen: Request[] = [];
    const client = createJelouClient({
      ...credentials,
      baseUrl: "http://jelou.test",
      fetch: async (request) => {
        seen.push(request);
        return new Response("{}", { status: 200, headers: { "x-message-id": "msg_x" } });
      },
    });
    const result = await client.sendFlowMessage(validMessage());
    expect(result.messageId).toBe("msg_x");
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url).toBe("http://jelou.test/v1/bots/bot-1/users/593987654321/flow_message");
    expect(jelou.received).toHaveLength(0);
  });

  it("resolves a 200 whose body is not JSON: the message was sent, so it must not look like a failure", async () => {
    const client = createJelouClient({
      ...credentials,
      baseUrl: "http://jelou.test",
      fetch: async () => new Response("OK", { status: 200 }),
    });
    await expect(client.sendFlowMessage(validMessage())).resolves.toMatchObject({ status: 200, body: {}, attempts: 1 });
  });

  it("exposes the openapi-fetch client as raw, with credentials, for { data, error } calls", async () => {
    const client = createJelouClient({ ...credentials, baseUrl: jelou.url });
    jelou.script((_request, res) => {
      res.writeHead(403, { "content-type": "application/json" });
      res.end(JSON.stringify({ code: "forbidden_bot", description: "You may not use this bot." }));
    });
    const { data, error, response } = await client.raw.POST("/v1/bots/{botId}/users/{userId}/flow_message", {
      params: { path: { botId: "bot-1", userId: "593987654321" } },
      body: { title: "t", text: "x", caption: "c", parameters: { flow_name: "f", flow_cta: "Go" } },
    });
    expect(data).toBeUndefined();
    expect(error).toEqual({ code: "forbidden_bot", description: "You may not use this bot." });
    expect(response.status).toBe(403);
    expect(jelou.received[0]?.headers.authorization).toMatch(/^Basic /);
    expect(JSON.parse(jelou.received[0]?.body ?? "")).toMatchObject({ title: "t" });
  });

  it("has a one-off sendFlowMessage that makes its client from the options", async () => {
    const result = await sendFlowMessage(validMessage(), { ...credentials, baseUrl: jelou.url });
    expect(result.status).toBe(200);
    expect(jelou.received).toHaveLength(1);
  });
});

import { describe, expect, it, vi } from "vitest";
import { createJelouClient, type RequestEvent, type ResponseEvent } from "../../src/index.js";
import { closedPort, json, validMessage, useFakeJelou } from "./fake-jelou.js";

const jelou = useFakeJelou();

function recordingClient(baseUrl = jelou.url) {
  const requests: RequestEvent[] = [];
  const responses: ResponseEvent[] = [];
  const client = createJelouClient({
    clientId: "id",
    clientSecret: "the-secret",
    baseUrl,
    retry: { baseDelayMs: 1, jitter: false },
    onRequest: (event) => requests.push(event),
    onResponse: (event) => responses.push(event),
  });
  return { client, requests, responses };
}

describe("onRequest and onResponse", () => {
  it("report every attempt: method, masked path, attempt, status, duration; headers redacted; body only on request", async () => {
    jelou.script(json(429, { code: "rate_limited" }, { "retry-after": "0", "set-cookie": "session=abc" }));
    const { client, requests, responses } = recordingClient();
    await client.sendFlowMessage({ ...validMessage(), userId: "+593 98 765 4321" });

    expect(requests.map((e) => e.attempt)).toEqual([1, 2]);
    expect(responses.map((e) => [e.attempt, e.status, e.retryInMs])).toEqual([
      [1, 429, 0],
      [2, 200, undefined],
    ]);
    const [request] = requests;
    expect(request).toMatchObject({
      method: "POST",
      path: "/v1/bots/bot-1/users/5939****4321/flow_message",
      url: `${jelou.url}/v1/bots/bot-1/users/5939****4321/flow_message`,
      headers: { authorization: "Basic [REDACTED]", "content-type": "application/json" },
    });
    const { botId: _b, userId: _u, ...body } = validMessage();
    expect(request?.body).toEqual(body);
    for (const event of responses) {
      expect(event.path).toBe("/v1/bots/bot-1/users/5939****4321/flow_message");
      expect(event.durationMs).toBeGreaterThanOrEqual(0);
      expect(event).not.toHaveProperty("body");
    }
    expect(responses[0]?.headers?.["set-cookie"]).toBe("[REDACTED]");
    expect(JSON.stringify([requests, responses])).not.toContain("the-secret");
    expect(JSON.stringify([requests, responses])).not.toContain("593987654321");
  });

  it("report failed attempts without an answer, with their error", async () => {
    const { client, responses } = recordingClient(`http://127.0.0.1:${await closedPort()}`);
    await client.sendFlowMessage(validMessage()).catch(() => undefined);
    expect(responses).toHaveLength(3);
    expect(responses.map((e) => e.status)).toEqual([undefined, undefined, undefined]);
    expect(responses[0]?.error).toMatchObject({ kind: "network", maybeSent: false });
    expect(responses[0]?.retryInMs).toBe(1);
    expect(responses[2]?.retryInMs).toBeUndefined();
  });

  it("cannot break a send: a hook that throws becomes a warning", async () => {
    const warn = vi.fn();
    process.on("warning", warn);
    try {
      const client = createJelouClient({
        clientId: "id",
        clientSecret: "s",
        baseUrl: jelou.url,
        onRequest: () => {
          throw new Error("logger down");
        },
        onResponse: () => {
          throw new Error("logger down");
        },
      });
      await expect(client.sendFlowMessage(validMessage())).resolves.toMatchObject({ status: 200 });
      await new Promise((resolve) => setImmediate(resolve));
      expect(warn).toHaveBeenCalled();
      expect(String(warn.mock.calls[0]?.[0])).toMatch(/jelou-flow: the onRequest hook threw: logger down/);
    } finally {
      process.off("warning", warn);
    }
  });
});

import { describe, expect, it } from "vitest";
import { createMockJelou, describeMock } from "../../mock/index.js";
import { AUTH, CLIENT_ID, CLIENT_SECRET, send, startTarget, validMessage } from "./harness.js";

const BASE64_OF_PAIR = AUTH.slice("Basic ".length);

describe("the secret appears nowhere", () => {
  it("not in the inbox, the rejections, the inspection API, nor the log", async () => {
    const lines: string[] = [];
    const target = await startTarget("http", { logger: (line) => lines.push(line) });
    try {
      await send(target);
      await send(target, { ...validMessage(), title: "" });
      await send(target, "{", { raw: true });
      // A wrong secret that contains the real one, and a header carrying it to a wrong route.
      const wrong = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}x`).toString("base64")}`;
      await send(target, validMessage(), { headers: { authorization: wrong } });
      await send(target, validMessage(), { path: "/v1/elsewhere" });
      target.mock.faults.add({ kind: "rate_limit" });
      await send(target);

      const seen = [
        JSON.stringify(target.mock.inbox.list()),
        JSON.stringify(target.mock.inbox.rejections()),
        ...(await Promise.all(
          ["/__mock/messages", "/__mock/rejections", "/__mock/messages/latest", "/__mock/health", "/__mock/faults", "/__mock/bots"].map(
            async (p) => (await target.call(p)).text(),
          ),
        )),
        lines.join("\n"),
        describeMock("http://127.0.0.1:1", target.mock.context).join("\n"),
      ].join("\n");
      expect(target.mock.inbox.stats()).toMatchObject({ received: 1, rejected: 5 });
      expect(seen).toContain(CLIENT_ID);
      expect(seen).not.toContain(CLIENT_SECRET);
      expect(seen).not.toContain(BASE64_OF_PAIR);
      expect(seen.toLowerCase()).not.toContain("authorization: basic");
      // Phone numbers are masked in the log.
      expect(lines.join("\n")).not.toContain("593987654321");
    } finally {
      await target.close();
    }
  });

  it("not even when a client swaps its id and secret: only the configured id is recorded from a wrong pair", async () => {
    const lines: string[] = [];
    const target = await startTarget("http", { logger: (line) => lines.push(line) });
    const events = new AbortController();
    try {
      // The page's live stream sees every rejection as it is recorded.
      const stream = await fetch(`${target.url}/__mock/ui/events`, { signal: events.signal });
      const streamed = (async () => {
        let text = "";
        const decoder = new TextDecoder();
        const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
        while (!text.includes("event: rejection")) {
          const { done, value } = await reader.read();
          if (done) break;
          text += decoder.decode(value);
        }
        return text;
      })();
      const pair = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;
      await send(target, validMessage(), { headers: { authorization: pair(CLIENT_SECRET, CLIENT_ID) } });
      const seen = [
        await streamed,
        JSON.stringify(target.mock.inbox.rejections()),
        await (await target.call("/__mock/rejections")).text(),
        await (await target.call("/")).text(),
        lines.join("\n"),
      ].join("\n");
      expect(seen).toContain("unauthorized");
      expect(seen).not.toContain(CLIENT_SECRET);
      expect(target.mock.inbox.rejections()[0]).not.toHaveProperty("clientId");

      // The right id with a wrong secret is worth naming: the id is not the problem.
      await send(target, validMessage(), { headers: { authorization: pair(CLIENT_ID, "not-the-secret") } });
      expect(target.mock.inbox.rejections()[0]).toMatchObject({ status: 401, clientId: CLIENT_ID });
    } finally {
      events.abort();
      await target.close();
    }
  });

  it("keeps no secret on the mock object itself", () => {
    const mock = createMockJelou({ env: false, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    const { inbox, faults, context } = mock;
    expect(JSON.stringify({ inbox, faults, context })).not.toContain(CLIENT_SECRET);
  });
});

describe("credential configuration", () => {
  it("says so in the log when any credentials pass", () => {
    const lines: string[] = [];
    createMockJelou({ env: false, logger: (line) => lines.push(line) });
    createMockJelou({ env: false, clientId: "a", clientSecret: "b", logger: (line) => lines.push(line) });
    expect(lines).toEqual(["No credentials configured: any well-formed Basic base64(clientId:clientSecret) passes."]);
  });

  it("refuses a client id without a secret, and the reverse", () => {
    expect(() => createMockJelou({ env: false, clientId: "a" })).toThrow(/both a client id and a client secret/);
    expect(() => createMockJelou({ env: false, clientSecret: "b" })).toThrow(/both a client id and a client secret/);
  });

  it("reads JELOU_CLIENT_ID and JELOU_CLIENT_SECRET unless told not to", async () => {
    const saved = { id: process.env.JELOU_CLIENT_ID, secret: process.env.JELOU_CLIENT_SECRET };
    process.env.JELOU_CLIENT_ID = "env-id";
    process.env.JELOU_CLIENT_SECRET = "env-secret";
    try {
      const fromEnv = createMockJelou();
      const ignoring = createMockJelou({ env: false });
      const post = (mock: ReturnType<typeof createMockJelou>, auth: string) =>
        mock.fetch("/v1/bots/b/users/593987654321/flow_message", {
          method: "POST",
          headers: { authorization: `Basic ${Buffer.from(auth).toString("base64")}`, "content-type": "application/json" },
          body: JSON.stringify(validMessage()),
        });
      expect((await post(fromEnv, "env-id:env-secret")).status).toBe(200);
      expect((await post(fromEnv, "any:thing")).status).toBe(401);
      expect((await post(ignoring, "any:thing")).status).toBe(200);
      expect(fromEnv.context.credentialsConfigured).toBe(true);
      expect(ignoring.context.credentialsConfigured).toBe(false);
    } finally {
      for (const [key, value] of [
        ["JELOU_CLIENT_ID", saved.id],
        ["JELOU_CLIENT_SECRET", saved.secret],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createJelouClient } from "../../src/index.js";
import { sendFlowMessages } from "../../src/bulk/send-flow-messages.js";
import { collect, rows, TEMPLATE } from "../bulk/helpers.js";
import { closedPort, failure, validMessage } from "./fake-jelou.js";

/** A server that answers every request with `status` and `Location: location(url)`, counting requests by method. */
async function redirecting(status: number, location: (self: string) => string) {
  const seen: string[] = [];
  let self = "";
  const server: Server = createServer((req, res) => {
    seen.push(req.method ?? "");
    req.resume();
    req.on("end", () => {
      res.writeHead(status, { location: location(self), "content-type": "text/html" });
      res.end("<html>moved</html>");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  self = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  servers.push(server);
  return { url: self, seen };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

const SECRET = "sec/ret";

describe("a redirect is an answer, never followed", () => {
  const targets: [string, (self: string) => Promise<string> | string][] = [
    ["a dead port", async () => `http://127.0.0.1:${await closedPort()}/v1/x`],
    ["an unresolvable host", () => "http://nowhere.invalid/v1/x"],
  ];
  for (const status of [301, 302, 303, 307, 308]) {
    for (const [name, target] of targets) {
      it(`${status} to ${name}: one POST, kind http, maybeSent, not retried`, async () => {
        const location = await target("");
        const server = await redirecting(status, () => location);
        const client = createJelouClient({ clientId: "id", clientSecret: SECRET, baseUrl: server.url, retry: { baseDelayMs: 1 } });
        const error = await failure(client.sendFlowMessage(validMessage()));
        expect(server.seen).toEqual(["POST"]);
        expect(error).toMatchObject({ kind: "http", status, maybeSent: true, retryable: false, attempts: 1 });
        expect(error.message).toMatch(/does not redirect/);
        expect(error.message).toMatch(/baseUrl/);
        expect(error.message).toContain(new URL(location).host);
      });
    }
  }

  it("a 307 loop to itself posts once, even with retry.unsafe", async () => {
    const server = await redirecting(307, (self) => `${self}/again`);
    const client = createJelouClient({ clientId: "id", clientSecret: SECRET, baseUrl: server.url, retry: { baseDelayMs: 1, unsafe: true } });
    const error = await failure(client.sendFlowMessage(validMessage()));
    expect(server.seen).toEqual(["POST"]);
    expect(error).toMatchObject({ kind: "http", status: 307, maybeSent: true, retryable: false, attempts: 1 });
  });

  it("names the Location's host without its credentials or query", async () => {
    const server = await redirecting(302, () => `http://me:${encodeURIComponent(SECRET)}@elsewhere.invalid/p?token=${SECRET}`);
    const client = createJelouClient({ clientId: "id", clientSecret: SECRET, baseUrl: server.url });
    const error = await failure(client.sendFlowMessage(validMessage()));
    expect(error.message).toContain("elsewhere.invalid");
    expect(JSON.stringify(error)).not.toContain("sec");
    expect(error.message).not.toContain("token");
  });

  it("the raw client does not follow a redirect either", async () => {
    const location = `http://127.0.0.1:${await closedPort()}/v1/x`;
    const server = await redirecting(307, () => location);
    const client = createJelouClient({ clientId: "id", clientSecret: SECRET, baseUrl: server.url, retry: { baseDelayMs: 1 } });
    const { userId, botId, ...body } = validMessage();
    const error = await failure(
      client.raw.POST("/v1/bots/{botId}/users/{userId}/flow_message", { params: { path: { botId, userId } }, body }),
    );
    expect(server.seen).toEqual(["POST"]);
    expect(error).toMatchObject({ kind: "http", status: 307, maybeSent: true, attempts: 1 });
  });

  it("a custom fetch is handed requests that do not follow redirects", async () => {
    const modes: string[] = [];
    const client = createJelouClient({
      clientId: "id",
      clientSecret: SECRET,
      baseUrl: "http://127.0.0.1:9",
      fetch: async (request) => {
        modes.push(request.redirect);
        return new Response("{}", { status: 200 });
      },
    });
    await client.sendFlowMessage(validMessage());
    expect(modes).toEqual(["manual"]);
  });

  it("a bulk run records a redirected recipient as unknown (maybe sent), never as failed-not-sent or sent", async () => {
    for (const status of [302, 307]) {
      const server = await redirecting(status, () => "http://nowhere.invalid/");
      const client = createJelouClient({ clientId: "id", clientSecret: SECRET, baseUrl: server.url, retry: { baseDelayMs: 1 } });
      const results = await collect(sendFlowMessages(client, rows(2), { template: TEMPLATE, botId: "b" }));
      expect(server.seen).toEqual(["POST", "POST"]);
      expect(results.map((r) => r.status)).toEqual(["unknown", "unknown"]);
      for (const r of results) expect(r).toMatchObject({ error: { kind: "http", status, maybeSent: true } });
    }
  });
});

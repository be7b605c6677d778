/**
 * The Host check of the inspection API and the inbox page (DNS rebinding), with the Host set by hand over real HTTP: the
 * parsing cases, the requests that carry no browser header at all, a missing Host, `allowedHosts` and `--allow-host`.
 * The real-browser attack is in test/page/dns-rebinding.browser.test.ts.
 */
import { request } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMockJelou, runMockCli, type MockServer } from "../../mock/index.js";
import { AUTH, SEND_PATH, validMessage } from "./harness.js";

/** A GET with exactly these headers (no Origin, no Sec-Fetch-Site unless given), over HTTP to 127.0.0.1. */
function get(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers, setHost: false }, (res) => {
      if (res.headers["content-type"]?.startsWith("text/event-stream")) {
        res.destroy();
        resolve({ status: res.statusCode ?? 0, body: "" });
        return;
      }
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** An HTTP/1.0 request with no Host header at all (HTTP/1.1 without one is refused by Node's parser itself). */
function withoutHost(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.end(`GET ${path} HTTP/1.0\r\n\r\n`));
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (text += chunk));
    socket.on("end", () => resolve(text));
    socket.on("error", reject);
  });
}

const INSPECTION = ["/__mock/messages", "/__mock/rejections", "/__mock/replies", "/__mock/bots", "/__mock/faults", "/__mock/ui/events", "/"];

describe("the Host check over HTTP", () => {
  const mock = createMockJelou({ env: false, allowedHosts: ["Jelou-Mock.internal."] });
  let server: MockServer;
  beforeAll(async () => {
    server = await mock.listen({ port: 0 });
  });
  afterAll(() => server.close());

  it.each(INSPECTION)("refuses GET %s for a foreign Host with no Origin nor Sec-Fetch-Site (403 forbidden_host)", async (path) => {
    const answer = await get(server.port, path, { host: `rebind.test:${server.port}` });
    expect(answer.status).toBe(403);
    if (path !== "/__mock/ui/events") {
      const body = JSON.parse(answer.body) as { code: string; description: string };
      expect(body.code).toBe("forbidden_host");
      expect(body.description).toContain("--allow-host");
    }
  });

  it.each([
    "localhost:PORT",
    "LOCALHOST",
    "localhost.:PORT",
    "inbox.localhost:PORT",
    "127.0.0.1",
    "127.0.0.1:PORT",
    "127.8.9.10:PORT",
    "[::1]:PORT",
    "jelou-mock.internal:PORT",
    "JELOU-MOCK.INTERNAL.",
  ])("serves Host %s", async (host) => {
    const answer = await get(server.port, "/__mock/messages", { host: host.replace("PORT", String(server.port)) });
    expect(answer.status).toBe(200);
  });

  it.each([
    "rebind.test",
    "localhost.rebind.test:PORT",
    "127.0.0.1.rebind.test",
    "10.0.0.1:PORT",
    "[::2]:PORT",
    "",
    "other.internal",
  ])("refuses Host %j", async (host) => {
    const answer = await get(server.port, "/__mock/messages", { host: host.replace(/PORT/g, String(server.port)) });
    expect(answer.status).toBe(403);
    expect(answer.body).toContain("forbidden_host");
  });

  it("refuses a request without a Host header", async () => {
    const text = await withoutHost(server.port, "/__mock/messages");
    expect(text).toMatch(/^HTTP\/1\.1 403/);
    expect(text).toContain("forbidden_host");
    expect(text).toContain("without a Host header");
  });

  it("leaves the send route open to any Host", async () => {
    const body = JSON.stringify(validMessage());
    const status = await new Promise<number>((resolve, reject) => {
      const headers = { host: "rebind.test", authorization: AUTH, "content-type": "application/json", "content-length": String(body.length) };
      const req = request({ host: "127.0.0.1", port: server.port, method: "POST", path: SEND_PATH, headers }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end(body);
    });
    expect(status).toBe(200);
  });

  it("trusts in-process calls whatever their URL's host (no network, no browser)", async () => {
    expect((await mock.fetch("http://rebind.test/__mock/messages")).status).toBe(200);
  });

  it("refuses an allowedHosts entry that is not a plain hostname, naming it", () => {
    expect(() => createMockJelou({ env: false, allowedHosts: ["ok", "jelou-mock:4010"] })).toThrow(/allowedHosts\[1\].*without scheme or port/);
    expect(() => createMockJelou({ env: false, allowedHosts: ["http://x"] })).toThrow(/allowedHosts\[0\]/);
    expect(createMockJelou({ env: false, allowedHosts: ["::1", "[::1]"] }).context.allowedHosts).toEqual(new Set(["[::1]"]));
  });
});

describe("jelou-flow mock --allow-host", () => {
  it("admits each name given (repeatable), and only those", async () => {
    const statuses: number[] = [];
    const controller = new AbortController();
    let failure: unknown;
    const code = await runMockCli(["--port", "0", "--allow-host", "jelou-mock", "--allow-host", "lan.example"], {
      stdout: () => undefined,
      stderr: () => undefined,
      env: {},
      signal: controller.signal,
      onListening: (url) => {
        const port = Number(new URL(url).port);
        Promise.all(["jelou-mock", "lan.example:80", "other.example"].map((host) => get(port, "/__mock/messages", { host })))
          .then((answers) => statuses.push(...answers.map((a) => a.status)))
          .catch((error: unknown) => (failure = error))
          .finally(() => controller.abort());
      },
    });
    if (failure !== undefined) throw failure;
    expect(code).toBe(0);
    expect(statuses).toEqual([200, 200, 403]);
  });
});

/**
 * Over HTTP, plain sends are answered by the mock's own listener and everything else by the Hono app. These tests pin
 * down that split: the direct path is taken, and both paths give the same answers and records as the in-process app.
 */
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createMockJelou, type MockJelou, type MockServer } from "../../mock/index.js";
import { AUTH, BOT, CLIENT_ID, CLIENT_SECRET, SEND_PATH, USER, validMessage } from "./harness.js";

const opened: MockServer[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

function newMock(): MockJelou {
  return createMockJelou({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, env: false });
}

/** Starts a mock over HTTP, counting the requests that reach the Hono app. */
async function listening(mock = newMock()): Promise<{ mock: MockJelou; url: string; port: number; honoCalls: () => number }> {
  let calls = 0;
  const honoFetch = mock.app.fetch;
  mock.app.fetch = (...args: Parameters<typeof honoFetch>) => {
    calls++;
    return honoFetch(...args);
  };
  const server = await mock.listen({ port: 0 });
  opened.push(server);
  return { mock, url: server.url, port: server.port, honoCalls: () => calls };
}

interface Case {
  name: string;
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  stream?: boolean;
  /** Whether the mock's listener answers it itself (true) or hands it to the Hono app. */
  direct: boolean;
}

const json = { authorization: AUTH, "content-type": "application/json" };
const body = JSON.stringify(validMessage());
const CASES: Case[] = [
  { name: "a valid send", headers: json, body, direct: true },
  { name: "multi-byte text", headers: json, body: JSON.stringify({ ...validMessage(), text: "Señor Müller, ¿listo? 日本語" }), direct: true },
  { name: "no Authorization", headers: { "content-type": "application/json" }, body, direct: true },
  { name: "a wrong secret", headers: { ...json, authorization: `Basic ${Buffer.from("test-client:nope").toString("base64")}` }, body, direct: true },
  { name: "text/plain", headers: { ...json, "content-type": "text/plain" }, body, direct: true },
  { name: "broken JSON", headers: json, body: '{"title": ', direct: true },
  { name: "a body after a UTF-8 byte order mark", headers: json, body: `\uFEFF${body}`, direct: true },
  { name: "a body with bytes that are not UTF-8", headers: json, body: Buffer.concat([Buffer.from(body.slice(0, -2)), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]), direct: true },
  { name: "an empty body", headers: json, body: "", direct: true },
  { name: "rules broken", headers: json, body: JSON.stringify({ title: "x".repeat(61), text: "" }), direct: true },
  { name: "an invalid phone number", path: `/v1/bots/${BOT}/users/0123/flow_message`, headers: json, body, direct: true },
  { name: "a type query", path: `${SEND_PATH}?type=text`, headers: json, body, direct: false },
  { name: "a percent-escaped user id", path: `/v1/bots/${BOT}/users/%35${USER.slice(1)}/flow_message`, headers: json, body, direct: false },
  { name: "a chunked body", headers: json, body, stream: true, direct: false },
  { name: "a trailing slash", path: `${SEND_PATH}/`, headers: json, body, direct: false },
  { name: "GET", method: "GET", headers: { authorization: AUTH }, direct: false },
];

function init(c: Case): RequestInit {
  const request: RequestInit & { duplex?: string } = { method: c.method ?? "POST" };
  if (c.headers !== undefined) request.headers = c.headers;
  if (c.body !== undefined) {
    const bytes = typeof c.body === "string" ? new TextEncoder().encode(c.body) : new Uint8Array(c.body);
    request.body = c.stream === true ? new Blob([bytes]).stream() : bytes;
    if (c.stream === true) request.duplex = "half";
  }
  return request;
}

/** An answer with the parts that differ by nature (ids, dates, connection handling) left out. */
async function comparable(response: Response) {
  const ignored = new Set(["date", "connection", "keep-alive", "content-length", "transfer-encoding"]);
  const headers = [...response.headers.keys()].filter((name) => !ignored.has(name)).sort();
  const text = await response.text();
  return { status: response.status, headers, body: text.replace(/(msg|req|rej)_[0-9a-z]{16}/g, "$1_ID") };
}

describe("the mock's HTTP listener", () => {
  it.each(CASES)("answers $name as the in-process app does, on the path it should take", async (c) => {
    const inProcess = newMock();
    const http = await listening();
    const expected = await comparable(await inProcess.fetch(c.path ?? SEND_PATH, init(c)));
    const actual = await comparable(await fetch(`${http.url}${c.path ?? SEND_PATH}`, init(c)));
    expect(actual).toEqual(expected);
    expect(http.honoCalls()).toBe(c.direct ? 0 : 1);
    // The same records: what was accepted, and why a request was refused.
    const strip = <T extends { id: string; receivedAt: string }>({ id, receivedAt, ...rest }: T) => rest;
    expect(http.mock.inbox.list().map(strip)).toEqual(inProcess.inbox.list().map(strip));
    expect(http.mock.inbox.rejections().map(strip)).toEqual(inProcess.inbox.rejections().map(strip));
  });

  it("hands a body over the limit to the app, which refuses it with 413 before reading it", async () => {
    const http = await listening(createMockJelou({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, env: false, bodyLimitBytes: 100 }));
    const response = await fetch(`${http.url}${SEND_PATH}`, { method: "POST", headers: json, body });
    expect(response.status).toBe(413);
    expect(http.honoCalls()).toBe(1);
  });

  /** Writes raw bytes to the mock and collects what comes back until `until` matches or the socket closes. */
  function raw(port: number, parts: (string | ((socket: Socket) => void))[], until: RegExp): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, "127.0.0.1");
      let received = "";
      socket.setEncoding("utf8");
      socket.on("data", (chunk: string) => {
        received += chunk;
        if (until.test(received)) {
          socket.destroy();
          resolve(received);
        }
      });
      socket.on("close", () => resolve(received));
      socket.on("error", reject);
      socket.on("connect", async () => {
        for (const part of parts) {
          if (typeof part === "function") part(socket);
          else socket.write(part);
          await new Promise((r) => setTimeout(r, 20));
        }
      });
    });
  }

  function head(length: number, authorization = AUTH): string {
    return `POST ${SEND_PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: ${authorization}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;
  }

  it.each([
    { name: "two Authorization lines, the right one first", lines: [`Authorization: ${AUTH}`, "Authorization: Basic Zm9vOmJhcg==", "Content-Type: application/json"], status: 401 },
    { name: "two Content-Type lines", lines: [`Authorization: ${AUTH}`, "Content-Type: application/json", "Content-Type: application/json"], status: 415 },
  ])("reads $name joined, as the in-process app and the Fetch API do, on both paths", async ({ lines, status }) => {
    const headers = new Headers();
    for (const line of lines) headers.append(line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1).trim());
    const inProcess = await newMock().fetch(SEND_PATH, { method: "POST", headers, body });
    const expected = { status: inProcess.status, code: ((await inProcess.json()) as { code: string }).code };
    expect(expected.status).toBe(status);

    const http = await listening();
    for (const [path, viaHono] of [[SEND_PATH, 0], [`${SEND_PATH}?type=text`, 1]] as const) {
      const request = `POST ${path} HTTP/1.1\r\nHost: x\r\n${lines.join("\r\n")}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
      const answer = await raw(http.port, [request], /\r\n\r\n\{.*\}$/s);
      const [head = "", json = ""] = answer.split("\r\n\r\n");
      expect({ status: Number(head.split(" ")[1]), code: (JSON.parse(json) as { code: string }).code }).toEqual(expected);
      expect(http.honoCalls()).toBe(viaHono);
    }
    expect(http.mock.inbox.list()).toEqual([]);
  });

  it("joins a body that arrives in several pieces", async () => {
    const http = await listening();
    const bytes = Buffer.from(body);
    const text = await raw(http.port, [head(bytes.length), bytes.subarray(0, 50).toString(), bytes.subarray(50).toString()], /\r\n\r\n\{\}/);
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(http.mock.inbox.get("latest")?.body).toEqual(validMessage());
    expect(http.honoCalls()).toBe(0);
  });

  it("keeps the connection usable after refusing a request that carried a body", async () => {
    const http = await listening();
    const wrong = `Basic ${Buffer.from("test-client:nope").toString("base64")}`;
    const text = await raw(http.port, [`${head(body.length, wrong)}${body}`, `${head(body.length)}${body}`], /200 OK[\s\S]*\{\}/);
    expect(text).toMatch(/^HTTP\/1\.1 401 [\s\S]*HTTP\/1\.1 200 /);
    expect(http.mock.inbox.stats()).toMatchObject({ received: 1, rejected: 1 });
  });

  it("records nothing and stays up when a client leaves in the middle of its body", async () => {
    const http = await listening();
    const text = await raw(http.port, [head(body.length), body.slice(0, 40), (socket) => socket.destroy()], /never/);
    expect(text).toBe("");
    await new Promise((r) => setTimeout(r, 50));
    expect(http.mock.inbox.stats()).toMatchObject({ received: 0, rejected: 0 });
    const after = await fetch(`${http.url}${SEND_PATH}`, { method: "POST", headers: json, body });
    expect(after.status).toBe(200);
  });

  it("still records a send whose client gave up during a scripted hang, as Jelou would", async () => {
    const http = await listening();
    http.mock.faults.add({ kind: "hang", delayMs: 300, times: 1 });
    const gaveUp = await fetch(`${http.url}${SEND_PATH}`, { method: "POST", headers: json, body, signal: AbortSignal.timeout(50) }).catch(
      (error: unknown) => error,
    );
    expect(gaveUp).toBeInstanceOf(Error);
    const recorded = await http.mock.inbox.waitFor({ userId: USER, timeoutMs: 2000 });
    expect(recorded?.body).toEqual(validMessage());
  });
});

/**
 * The mock answers a request the same whether it comes in-process (`app.fetch`, the Fetch API's view of it) or over HTTP
 * (Node's parser, then @hono/node-server). Generated requests bend what the two read differently: repeated and
 * odd-cased header lines, byte order marks, bytes that are not UTF-8, chunked bodies, escapes and queries in the path.
 * Each request goes to both, and the answers and the records must agree.
 */
import { request as httpRequest } from "node:http";
import { connect, type Socket } from "node:net";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createMockJelou, type MockJelou, type MockServer } from "../../mock/index.js";
import { AUTH, BOT, CLIENT_ID, CLIENT_SECRET, SEND_PATH, USER, validMessage } from "./harness.js";

interface RawRequest {
  method: string;
  path: string;
  /** Header lines in order, repeats allowed. */
  lines: [string, string][];
  body: Buffer | undefined;
  chunked: boolean;
}

const caseOf = (name: string) => fc.constantFrom(name, name.toUpperCase(), name[0]!.toUpperCase() + name.slice(1));
const printable = fc.string({ maxLength: 30 }).filter((s) => /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(s));

const headerLine: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.tuple(caseOf("authorization"), fc.oneof(fc.constant(AUTH), fc.constant("Basic Zm9vOmJhcg=="), printable)),
  fc.tuple(
    caseOf("content-type"),
    fc.oneof(fc.constantFrom("application/json", "application/json; charset=utf-8", "Application/JSON", "text/plain"), printable),
  ),
  fc.tuple(fc.constantFrom("x-extra", "accept", "user-agent"), printable),
);

/** The usual good headers, sometimes repeated, dropped or joined by others. */
const headerLines = fc.oneof(
  { arbitrary: fc.constant<[string, string][]>([["authorization", AUTH], ["content-type", "application/json"]]), weight: 2 },
  fc.array(headerLine, { maxLength: 5 }),
  fc.tuple(fc.array(headerLine, { maxLength: 2 }), fc.array(headerLine, { maxLength: 2 })).map(([before, after]) => [
    ...before,
    ["authorization", AUTH] as [string, string],
    ["content-type", "application/json"] as [string, string],
    ...after,
  ]),
);

const valid = Buffer.from(JSON.stringify(validMessage()));
const bodies = fc.oneof(
  { arbitrary: fc.constant(valid), weight: 3 },
  fc.constant(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), valid])),
  fc.nat({ max: valid.length - 1 }).map((at) => Buffer.concat([valid.subarray(0, at), Buffer.from([0xff]), valid.subarray(at)])),
  fc.string({ maxLength: 40 }).map((text) => Buffer.from(JSON.stringify({ ...validMessage(), text }))),
  fc.json({ maxDepth: 3 }).map((text) => Buffer.from(text)),
  fc.uint8Array({ maxLength: 60 }).map((bytes) => Buffer.from(bytes)),
  fc.constant(Buffer.alloc(0)),
);

const segment = fc.oneof(fc.constantFrom("bot-1", "593987654321", "0123", "%35", "%2F", "a%20b", "+593"), fc.string({ maxLength: 12 }).map(encodeURIComponent));
const paths = fc.oneof(
  { arbitrary: fc.constant(SEND_PATH), weight: 4 },
  fc.tuple(segment, segment).map(([bot, user]) => `/v1/bots/${bot}/users/${user}/flow_message`),
  fc.constantFrom(`${SEND_PATH}?type=text`, `${SEND_PATH}?`, `${SEND_PATH}/`, `${SEND_PATH.toUpperCase()}`),
);

const requests: fc.Arbitrary<RawRequest> = fc
  .record({
    method: fc.constantFrom("POST", "POST", "POST", "POST", "PUT", "GET"),
    path: paths,
    lines: headerLines,
    body: bodies,
    chunked: fc.boolean(),
  })
  .map((r) => (r.method === "GET" ? { ...r, body: undefined, chunked: false } : r));

/** Sends the request over HTTP exactly as generated: each header line on its own, the body whole or chunked. */
function overHttp(port: number, r: RawRequest): Promise<{ status: number; headers: string[]; body: string }> {
  const lines = r.lines.flat();
  if (r.body !== undefined) lines.push(...(r.chunked ? ["transfer-encoding", "chunked"] : ["content-length", String(r.body.length)]));
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, method: r.method, path: r.path, headers: ["host", `127.0.0.1:${port}`, ...lines] }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: Object.keys(res.headers), body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    if (r.body !== undefined && r.chunked) {
      const half = r.body.length >> 1;
      req.write(r.body.subarray(0, half));
      req.end(r.body.subarray(half));
    } else req.end(r.body);
  });
}

/** Sends the request in-process, as a Fetch API caller builds it: repeated header lines appended. */
async function inProcess(mock: MockJelou, r: RawRequest): Promise<{ status: number; headers: string[]; body: string }> {
  const headers = new Headers();
  for (const [name, value] of r.lines) headers.append(name, value);
  const init: RequestInit & { duplex?: string } = { method: r.method, headers };
  if (r.body !== undefined) {
    init.body = r.chunked ? new Blob([new Uint8Array(r.body)]).stream() : new Uint8Array(r.body);
    if (r.chunked) init.duplex = "half";
  }
  const response = await mock.app.fetch(new Request(`http://mock.test${r.path}`, init));
  return { status: response.status, headers: [...response.headers.keys()], body: await response.text() };
}

/** What must agree: the parts that differ by nature (ids, dates, connection handling) are left out. */
function comparable(answer: { status: number; headers: string[]; body: string }) {
  const ignored = new Set(["date", "connection", "keep-alive", "content-length", "transfer-encoding"]);
  return {
    status: answer.status,
    headers: answer.headers.filter((name) => !ignored.has(name)).sort(),
    body: answer.body.replace(/(msg|req|rej)_[0-9a-z]{16}/g, "$1_ID"),
  };
}

describe("the same request in-process and over HTTP", () => {
  const options = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, env: false, maxMessages: 10_000, maxRejections: 10_000 };
  const local = createMockJelou(options);
  const remote = createMockJelou(options);
  let server: MockServer;
  beforeAll(async () => {
    server = await remote.listen({ port: 0 });
  });
  afterAll(() => server.close());

  it("gets the same answer and leaves the same records", async () => {
    await fc.assert(
      fc.asyncProperty(requests, async (r) => {
        const [http, fetched] = await Promise.all([overHttp(server.port, r), inProcess(local, r)]);
        expect(comparable(http)).toEqual(comparable(fetched));
      }),
      { numRuns: 300, seed: 20_261_124 },
    );
    const strip = <T extends { id: string; receivedAt: string }>({ id, receivedAt, ...rest }: T) => rest;
    expect(remote.inbox.list({ limit: 10_000 }).map(strip)).toEqual(local.inbox.list({ limit: 10_000 }).map(strip));
    expect(remote.inbox.rejections({ limit: 10_000 }).map(strip)).toEqual(local.inbox.rejections({ limit: 10_000 }).map(strip));
    // The run reached both outcomes.
    expect(local.inbox.list({ limit: 10_000 }).length).toBeGreaterThan(40);
    expect(local.inbox.rejections({ limit: 10_000 }).length).toBeGreaterThan(40);
  });
});

const opened: MockServer[] = [];
afterEach(() => Promise.all(opened.splice(0).map((s) => s.close())));
const newMock = () => createMockJelou({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, env: false });

async function listening(mock = newMock()): Promise<{ mock: MockJelou; url: string; port: number }> {
  const server = await mock.listen({ port: 0 });
  opened.push(server);
  return { mock, url: server.url, port: server.port };
}

type Case = { name: string; path?: string; method?: string; headers?: Record<string, string>; body?: string | Buffer; stream?: boolean };

const json = { authorization: AUTH, "content-type": "application/json" };
const body = JSON.stringify(validMessage());
const CASES: Case[] = [
  { name: "a valid send", headers: json, body },
  { name: "multi-byte text", headers: json, body: JSON.stringify({ ...validMessage(), text: "Señor Müller, ¿listo? 日本語" }) },
  { name: "no Authorization", headers: { "content-type": "application/json" }, body },
  { name: "a wrong secret", headers: { ...json, authorization: `Basic ${Buffer.from("test-client:nope").toString("base64")}` }, body },
  { name: "text/plain", headers: { ...json, "content-type": "text/plain" }, body },
  { name: "broken JSON", headers: json, body: '{"title": ' },
  { name: "a body after a UTF-8 byte order mark", headers: json, body: `\uFEFF${body}` },
  { name: "a body with bytes that are not UTF-8", headers: json, body: Buffer.concat([Buffer.from(body.slice(0, -2)), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]) },
  { name: "an empty body", headers: json, body: "" },
  { name: "rules broken", headers: json, body: JSON.stringify({ title: "x".repeat(61), text: "" }) },
  { name: "an invalid phone number", path: `/v1/bots/${BOT}/users/0123/flow_message`, headers: json, body },
  { name: "a type query", path: `${SEND_PATH}?type=text`, headers: json, body },
  { name: "a percent-escaped user id", path: `/v1/bots/${BOT}/users/%35${USER.slice(1)}/flow_message`, headers: json, body },
  { name: "a chunked body", headers: json, body, stream: true },
  { name: "a trailing slash", path: `${SEND_PATH}/`, headers: json, body },
  { name: "GET", method: "GET", headers: { authorization: AUTH } },
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

const comparableResponse = async (response: Response) =>
  comparable({ status: response.status, headers: [...response.headers.keys()], body: await response.text() });

describe("the mock over HTTP", () => {
  it.each(CASES)("answers $name as the in-process app does", async (c) => {
    const inProcess = newMock();
    const http = await listening();
    const expected = await comparableResponse(await inProcess.fetch(c.path ?? SEND_PATH, init(c)));
    const actual = await comparableResponse(await fetch(`${http.url}${c.path ?? SEND_PATH}`, init(c)));
    expect(actual).toEqual(expected);
    // The same records: what was accepted, and why a request was refused.
    const strip = <T extends { id: string; receivedAt: string }>({ id, receivedAt, ...rest }: T) => rest;
    expect(http.mock.inbox.list().map(strip)).toEqual(inProcess.inbox.list().map(strip));
    expect(http.mock.inbox.rejections().map(strip)).toEqual(inProcess.inbox.rejections().map(strip));
  });

  it("refuses a body over the limit with 413 and Connection: close", async () => {
    const http = await listening(createMockJelou({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, env: false, bodyLimitBytes: 100 }));
    const response = await fetch(`${http.url}${SEND_PATH}`, { method: "POST", headers: json, body });
    expect(response.status).toBe(413);
    expect(response.headers.get("connection")).toBe("close");
    expect(response.headers.get("x-request-id")).toMatch(/^req_/);
    expect(((await response.json()) as { description: string }).description).toBe(
      `The body is ${Buffer.byteLength(body)} bytes; the limit is 100. Send a smaller message.`,
    );
  });

  /** Writes raw bytes to the mock and collects what comes back until `until` matches or the socket closes. */
  function raw(port: number, parts: (string | ((socket: Socket) => void))[], until: RegExp): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, "127.0.0.1");
      let received = "";
      socket.setEncoding("utf8");
      socket.on("data", (chunk: string) => {
        received += chunk;
        if (until.test(received)) socket.destroy();
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
  ])("reads $name joined, as the in-process app and the Fetch API do", async ({ lines, status }) => {
    const headers = new Headers();
    for (const line of lines) headers.append(line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1).trim());
    const inProcess = await newMock().fetch(SEND_PATH, { method: "POST", headers, body });
    const expected = { status: inProcess.status, code: ((await inProcess.json()) as { code: string }).code };
    expect(expected.status).toBe(status);

    const http = await listening();
    for (const path of [SEND_PATH, `${SEND_PATH}?type=text`]) {
      const request = `POST ${path} HTTP/1.1\r\nHost: x\r\n${lines.join("\r\n")}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
      const answer = await raw(http.port, [request], /\r\n\r\n\{.*\}$/s);
      const [head = "", json = ""] = answer.split("\r\n\r\n");
      expect({ status: Number(head.split(" ")[1]), code: (JSON.parse(json) as { code: string }).code }).toEqual(expected);
    }
    expect(http.mock.inbox.list()).toEqual([]);
  });

  it("joins a body that arrives in several pieces", async () => {
    const http = await listening();
    const bytes = Buffer.from(body);
    const text = await raw(http.port, [head(bytes.length), bytes.subarray(0, 50).toString(), bytes.subarray(50).toString()], /\r\n\r\n\{\}/);
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(http.mock.inbox.get("latest")?.body).toEqual(validMessage());
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

/**
 * The mock answers a request the same whether it comes in-process (`app.fetch`, the Fetch API's view of it) or over HTTP
 * (Node's parser, then the mock's own listener or the Hono app). Generated requests bend what the two transports read
 * differently: repeated and odd-cased header lines, byte order marks, bytes that are not UTF-8, chunked bodies,
 * escapes and queries in the path. Each request goes to both, and the answers and the records must agree.
 */
import { request as httpRequest } from "node:http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMockJelou, type MockJelou, type MockServer } from "../../mock/index.js";
import { AUTH, CLIENT_ID, CLIENT_SECRET, SEND_PATH, validMessage } from "./harness.js";

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
    // The run reached both paths of the listener and both outcomes.
    expect(local.inbox.list({ limit: 10_000 }).length).toBeGreaterThan(40);
    expect(local.inbox.rejections({ limit: 10_000 }).length).toBeGreaterThan(40);
  });
});

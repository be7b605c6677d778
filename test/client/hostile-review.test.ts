import { createServer, type Server } from "node:http";
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from "node:net";
import { inspect } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { createJelouClient, type JelouError, type ResponseEvent } from "../../src/index.js";
import { parseRetryAfter } from "../../src/errors/retry-after.js";
import { closedPort, failure, json, useFakeJelou, validMessage, type Handler } from "./fake-jelou.js";

const jelou = useFakeJelou();

const CLIENT_ID = "my-id";
/** Regex metacharacters, JSON, URL and HTML specials, and a character beyond ASCII. */
const SECRET = `p$s/"r+.*?(x)[y]{2}|^\\<&>'é`;
const BASE64 = Buffer.from(`${CLIENT_ID}:${SECRET}`, "utf8").toString("base64");

const utf8Percent = (c: string, upper: boolean) =>
  [...Buffer.from(c, "utf8")].map((b) => `%${upper ? b.toString(16).toUpperCase() : b.toString(16)}`.padStart(3, "%0")).join("");
const jsonU = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** Encodings a serialiser may apply to each character on its own: every character, or only some, mixed. */
const MIXED: [string, (s: string) => string][] = [
  ["every character as \\uXXXX", (s) => [...s].map(jsonU).join("")],
  ["every character as \\uXXXX, upper hex", (s) => [...s].map((c) => jsonU(c).toUpperCase().replace("\\U", "\\u")).join("")],
  ["only the first character as \\uXXXX", (s) => jsonU(s[0] ?? "") + JSON.stringify(s.slice(1)).slice(1, -1)],
  ["every byte percent-encoded", (s) => [...s].map((c) => utf8Percent(c, true)).join("")],
  ["percent-encoded in mixed case", (s) => [...s].map((c, i) => (/[A-Za-z0-9]/.test(c) ? c : utf8Percent(c, i % 2 === 0))).join("")],
  ["only the first character percent-encoded", (s) => utf8Percent(s[0] ?? "", true) + s.slice(1)],
  ["every character a decimal entity with leading zeros", (s) => [...s].map((c) => `&#000${c.codePointAt(0)};`).join("")],
  ["every character a hex entity with leading zeros", (s) => [...s].map((c) => `&#x00${c.codePointAt(0)?.toString(16)};`).join("")],
  ["only the first character a decimal entity", (s) => `&#${s.codePointAt(0)};${s.slice(1)}`],
];

/** The encoded form put into a JSON string, as a server writing JSON would. */
const inJson = (form: string) => form.replace(/\\(?!u[0-9a-fA-F]{4})/g, "\\\\").replace(/"/g, '\\"');

function expectClean(text: string, where: string): void {
  for (const value of [SECRET, BASE64]) {
    for (const [name, encode] of MIXED) expect(text, `${name} in ${where}`).not.toContain(encode(value));
    expect(text, where).not.toContain(value);
  }
}

function everyPrint(error: JelouError): string {
  return [
    error.message,
    String(error),
    JSON.stringify(error),
    inspect(error, { depth: Infinity, showHidden: true }),
    error.stack ?? "",
    JSON.stringify(error.problems),
  ].join("\n");
}

describe("the secret never shows, whatever mix of encodings a server echoes it in", () => {
  const client = (events: ResponseEvent[] = []) =>
    createJelouClient({ clientId: CLIENT_ID, clientSecret: SECRET, baseUrl: jelou.url, retry: false, onResponse: (e) => events.push(e) });

  for (const [name, encode] of MIXED) {
    it(`${name}: scrubbed from a 200, its hook headers and a 422`, async () => {
      for (const value of [SECRET, BASE64]) {
        const form = encode(value);
        // Header values must be visible ASCII: a character beyond it goes percent-encoded there.
        const header = form.replace(/[^\x20-\x7e]/g, (c) => encodeURIComponent(c));
        const echo = { "x-request-id": header, "x-message-id": header, "x-echo": `Basic ${header}` };
        const raw: Handler = (_request, res) => {
          res.writeHead(200, { "content-type": "application/json", ...echo });
          res.end(`{"echo":"${inJson(form)}","${inJson(form)}":["${inJson(form)}"]}`);
        };
        jelou.script(raw);
        const events: ResponseEvent[] = [];
        const result = await client(events).sendFlowMessage(validMessage());
        expectClean(JSON.stringify(result), "the result");
        expectClean(JSON.stringify(events[0]?.headers), "onResponse headers");
        expect(result.requestId).toContain("[REDACTED]");

        jelou.script(json(422, { code: form, description: `bad ${form}`, errors: [{ path: form, rule: "r", message: `m ${form}` }] }, echo));
        const error = await failure(client().sendFlowMessage(validMessage()));
        expect(error.status).toBe(422);
        expectClean(everyPrint(error), "the 422 error");
      }
    });
  }
});

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** Answers a POST with `status` and `Location: /page`, a GET with an HTML 200; counts both. */
async function redirectingToPage(status: number) {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.method ?? "");
    req.resume();
    req.on("end", () => {
      if (req.method === "POST") res.writeHead(status, { location: "/page" }).end();
      else res.writeHead(200, { "content-type": "text/html" }).end("<html>a page</html>");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe("a custom fetch that follows a redirect anyway", () => {
  // It ignores the request's redirect: "manual", as a fetch that copies only method, headers and body does.
  const following = async (request: Request) =>
    fetch(request.url, { method: request.method, headers: request.headers, body: await request.text(), redirect: "follow" });

  for (const status of [302, 303]) {
    it(`${status} followed to a GET's 200 is no send: maybe sent, not retryable, never retried`, async () => {
      const server = await redirectingToPage(status);
      const client = createJelouClient({ clientId: CLIENT_ID, clientSecret: "s", baseUrl: server.url, fetch: following, retry: { unsafe: true } });
      const error = await failure(client.sendFlowMessage(validMessage()));
      expect(error.kind).toBe("http");
      expect(error.maybeSent).toBe(true);
      expect(error.retryable).toBe(false);
      expect(error.message).toMatch(/redirect/);
      expect(server.seen).toEqual(["POST", "GET"]);
    });
  }
});

describe("Retry-After", () => {
  it("an HTTP-date that names no real day (30 February) is unreadable, not a date past", () => {
    expect(parseRetryAfter("Mon, 30 Feb 2026 00:00:00 GMT")).toBeUndefined();
    expect(parseRetryAfter("Sunday, 31-Apr-26 00:00:00 GMT")).toBeUndefined();
    expect(parseRetryAfter("Mon Feb 30 00:00:00 2026")).toBeUndefined();
    expect(parseRetryAfter("Sat, 28 Feb 2026 00:00:02 GMT", Date.parse("2026-02-28T00:00:00Z"))).toBe(2000);
  });

  it("a 503 with such a date is a server error that may have been sent: one POST, not retried", async () => {
    jelou.script(json(503, { code: "service_unavailable" }, { "retry-after": "Mon, 30 Feb 2026 00:00:00 GMT" }));
    const client = createJelouClient({ clientId: CLIENT_ID, clientSecret: "s", baseUrl: jelou.url, retry: { baseDelayMs: 1 } });
    const error = await failure(client.sendFlowMessage(validMessage()));
    expect(error.status).toBe(503);
    expect(error.maybeSent).toBe(true);
    expect(jelou.received).toHaveLength(1);
  });
});

/** A raw TCP server that reads one request and answers it with `answer` as bytes, for answers node:http will not write. */
async function rawAnswer(answer: string) {
  let posts = 0;
  const server = createNetServer((socket) => {
    socket.on("error", () => undefined);
    let text = "";
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("latin1");
      const head = text.indexOf("\r\n\r\n");
      const length = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? 0);
      if (head === -1 || text.length < head + 4 + length) return;
      posts++;
      text = "";
      socket.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  netServers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, posts: () => posts };
}

const netServers: NetServer[] = [];
afterEach(async () => {
  for (const server of netServers.splice(0)) await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("an answer fetch accepts but a Response cannot be built with keeps its outcome", () => {
  const chunked = (status: string, header: string) =>
    `HTTP/1.1 ${status}\r\n${header}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n`;

  it("a 200 with a header name Headers refuses (a space in it) is a send", async () => {
    const server = await rawAnswer(chunked("200 OK", "Bad Header: x"));
    const client = createJelouClient({ clientId: CLIENT_ID, clientSecret: "s3cret", baseUrl: server.url });
    const result = await client.sendFlowMessage(validMessage());
    expect(result.status).toBe(200);
    expect(server.posts()).toBe(1);
  });

  it("a 422 with such a header, read for shouldRetry, is still a validation error", async () => {
    const server = await rawAnswer(chunked("422 Unprocessable", "Bad Header: x"));
    const client = createJelouClient({ clientId: CLIENT_ID, clientSecret: "s3cret", baseUrl: server.url, retry: { shouldRetry: () => false } });
    const error = await failure(client.sendFlowMessage(validMessage()));
    expect(error.kind).toBe("validation");
    expect(error.status).toBe(422);
  });

  it("a status beyond 599 is a server error with its status", async () => {
    const server = await rawAnswer(chunked("600 Odd", "X-A: b"));
    const client = createJelouClient({ clientId: CLIENT_ID, clientSecret: "s3cret", baseUrl: server.url });
    const error = await failure(client.sendFlowMessage(validMessage()));
    expect(error.kind).toBe("server");
    expect(error.status).toBe(600);
    expect(error.maybeSent).toBe(true);
  });
});

describe("the cause of a network failure", () => {
  it("holds no secret a server echoed into the bytes fetch could not parse, and keeps its codes", async () => {
    const server = await rawAnswer(`HTTP/1.1 200 OK\r\nX-Echo: a\x01${SECRET} Basic ${BASE64}\r\nConnection: close\r\n\r\n`);
    const client = createJelouClient({ clientId: CLIENT_ID, clientSecret: SECRET, baseUrl: server.url, retry: false });
    const error = await failure(client.sendFlowMessage(validMessage()));
    expect(error.kind).toBe("network");
    const cause = error.cause as Error & { cause?: Error & { code?: string } };
    expect(cause).toBeInstanceOf(TypeError);
    expect(cause.cause?.code).toMatch(/^HPE_/);
    const printed = [inspect(cause, { depth: Infinity, showHidden: true }), JSON.stringify(cause.cause), cause.stack ?? ""].join("\n");
    expect(printed).not.toContain(SECRET);
    expect(printed).not.toContain(BASE64);
  });
});

describe("a custom fetch that follows a redirect to where no connection can be made", () => {
  const following = async (request: Request) =>
    fetch(request.url, { method: request.method, headers: request.headers, body: await request.text(), redirect: "follow" });

  for (const [name, location] of [
    ["a dead port", async () => `http://127.0.0.1:${await closedPort()}/v1/x`],
    ["an unresolvable host", async () => "http://nowhere.invalid/v1/x"],
  ] as const) {
    it(`${name}: that failure is not the attempt's own connection, so one POST, maybe sent, not retried`, async () => {
      const target = await location();
      jelou.script((_request, res) => res.writeHead(307, { location: target }).end());
      const client = createJelouClient({ clientId: CLIENT_ID, clientSecret: "s3cret", baseUrl: jelou.url, fetch: following, retry: { baseDelayMs: 1 } });
      const error = await failure(client.sendFlowMessage(validMessage()));
      expect(error.kind).toBe("network");
      expect(error.maybeSent).toBe(true);
      expect(error.retryable).toBe(false);
      expect(jelou.received).toHaveLength(1);
    });
  }
});

describe("an answer whose body never lets go", () => {
  // A custom fetch's body whose cancel never settles: dropping it must not hold the send.
  const stuck = (status: number) => async () =>
    new Response(new ReadableStream({ pull: () => new Promise<void>(() => undefined), cancel: () => new Promise<void>(() => undefined) }), {
      status,
      headers: { "retry-after": "0" },
    });

  // The last 429's body is read for its error, and never comes: the attempt's timeout ends that read.
  for (const [status, kind] of [[307, "http"], [429, "timeout"]] as const) {
    it(`a ${status} ends the send in time though its body's cancel never settles`, async () => {
      const client = createJelouClient({ clientId: CLIENT_ID, clientSecret: "s3cret", fetch: stuck(status), timeoutMs: 200, retry: { baseDelayMs: 1 } });
      const outcome = await Promise.race([
        failure(client.sendFlowMessage(validMessage())),
        new Promise<"hung">((resolve) => setTimeout(resolve, 1500, "hung")),
      ]);
      expect(outcome).not.toBe("hung");
      expect((outcome as JelouError).kind).toBe(kind);
    });
  }
});

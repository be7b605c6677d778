/**
 * Points 9 to 11 of the hostile review, tried with hand-written requests on raw sockets to a mock on 127.0.0.1 (port
 * 0): request shapes that no fetch client sends (two Host lines, an absolute-form target, bytes Node's parser refuses)
 * and bodies that are not UTF-8 on every inspection route that reads JSON.
 */
import { type AddressInfo, connect, createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateMockError } from "../../generated/mock/validators.js";
import { createMockJelou, type MockServer } from "../../mock/index.js";
import { AUTH, SEND_PATH, validMessage } from "./harness.js";

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Writes the bytes as they are to `address` (default 127.0.0.1), reads until the server closes, and parses the first answer. */
function exchange(port: number, bytes: Buffer, address = "127.0.0.1"): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, address, () => socket.end(bytes));
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("latin1");
      const end = text.indexOf("\r\n\r\n");
      const [statusLine = "", ...lines] = text.slice(0, end).split("\r\n");
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(":");
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = Number(headers["content-length"] ?? Number.NaN);
      const body = text.slice(end + 4);
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body: Number.isNaN(length) ? body : body.slice(0, length) });
    });
  });
}

/** A request with these head lines (no Connection: close added, the socket's end closes it) and an optional body. */
function request(port: number, head: string[], body: Buffer = Buffer.alloc(0)): Promise<RawAnswer> {
  return exchange(port, Buffer.concat([Buffer.from(`${head.join("\r\n")}\r\n\r\n`, "latin1"), body]));
}

/** `{"kind":"drop","botId":"é"}` and alike, with the é as Latin-1 (0xE9): not UTF-8. */
function latin1(json: string): Buffer {
  return Buffer.from(json.replace("é", "\u00e9"), "latin1");
}

describe("hostile requests on raw sockets", () => {
  const mock = createMockJelou({ env: false });
  let server: MockServer;
  let port: number;
  beforeAll(async () => {
    server = await mock.listen({ port: 0 });
    port = server.port;
    const sent = await fetch(`${server.url}${SEND_PATH}`, {
      method: "POST",
      headers: { authorization: AUTH, "content-type": "application/json" },
      body: JSON.stringify(validMessage()),
    });
    expect(sent.status).toBe(200);
  });
  afterAll(() => server.close());

  it.each([
    ["POST", "/__mock/faults", '{"kind":"drop","botId":"é"}'],
    ["PUT", "/__mock/chaos", '{"probability":0,"seed":1,"kinds":["é"]}'],
    ["PUT", "/__mock/latency", '{"latencyMs":0,"x":"é"}'],
    ["POST", "/__mock/messages/latest/reply", '{"answers":{"name":"é"}}'],
  ])("answers %s %s with a body that is not UTF-8 by 400 invalid_json naming UTF-8, not 413", async (method, path, json) => {
    const body = latin1(json);
    const answer = await request(
      port,
      [`${method} ${path} HTTP/1.1`, "Host: 127.0.0.1", "Content-Type: application/json", `Content-Length: ${body.length}`],
      body,
    );
    expect(answer.status).toBe(400);
    const error = JSON.parse(answer.body) as { code: string; description: string };
    expect(validateMockError(error)).toBe(true);
    expect(error.code).toBe("invalid_json");
    expect(error.description).toContain("UTF-8");
    expect(answer.headers["x-request-id"]).toMatch(/^req_/);
    expect(mock.faults.list()).toEqual([]);
    expect(mock.faults.chaosState().enabled).toBe(false);
    expect(mock.replies.list()).toEqual([]);
  });

  it.each([
    ["a Content-Length that is not a number", ["POST /__mock/faults HTTP/1.1", "Host: 127.0.0.1", "Content-Length: abc"]],
    ["a header with a control character", ["GET /__mock/messages HTTP/1.1", "Host: 127.0.0.1", "X-Note: a\u0001b"]],
    ["a port out of range", ["GET /__mock/messages HTTP/1.1", "Host: localhost:99999"]],
    ["OPTIONS *", ["OPTIONS * HTTP/1.1", "Host: 127.0.0.1"]],
  ])("answers a request Node's parser refuses (%s) with an X-Request-Id and a Jelou error body", async (_, head) => {
    const answer = await request(port, head);
    expect(answer.status).toBe(400);
    expect(answer.headers["x-request-id"]).toMatch(/^req_/);
    const error = JSON.parse(answer.body) as { code: string };
    expect(validateMockError(error)).toBe(true);
    expect(error.code).toBe("bad_request");
  });

  it.each([
    ["localhost, then a foreign name", ["Host: localhost", "Host: rebind.test"]],
    ["twice localhost", ["Host: localhost", "Host: localhost"]],
  ])("refuses an inspection request with two Host lines (%s)", async (_, hosts) => {
    const answer = await request(port, ["GET /__mock/messages HTTP/1.1", ...hosts]);
    expect(answer.status).toBe(403);
    expect(answer.body).not.toContain("Hello");
    expect((JSON.parse(answer.body) as { code: string }).code).toBe("forbidden_host");
    expect(answer.headers["x-request-id"]).toMatch(/^req_/);
  });

  it.each(["/__mock/messages", "/"])("refuses an absolute-form GET %s naming a foreign host, whatever the Host line", async (path) => {
    const answer = await request(port, [`GET http://rebind.test:${port}${path} HTTP/1.1`, "Host: localhost"]);
    expect(answer.status).toBe(403);
    expect(answer.body).not.toContain("Hello");
    expect((JSON.parse(answer.body) as { code: string }).code).toBe("forbidden_host");
  });

  it("answers headers past Node's limit with 431 headers_too_large with an X-Request-Id, naming the limit", async () => {
    const answer = await request(port, ["GET /__mock/messages HTTP/1.1", "Host: 127.0.0.1", `X-Pad: ${"a".repeat(20_000)}`]);
    expect(answer.status).toBe(431);
    expect(answer.headers["x-request-id"]).toMatch(/^req_/);
    const error = JSON.parse(answer.body) as { code: string; description: string };
    expect(error).toMatchObject({ code: "headers_too_large" });
    expect(error.description).toContain("16 KiB");
  });

  it.each(["?type=%zz", "?type=%C3%28", "?%zz=standard"])(
    "refuses a send whose query %s has an escape that does not decode with 422, and records nothing",
    async (query) => {
      const before = mock.inbox.stats().received;
      const body = Buffer.from(JSON.stringify(validMessage()));
      const answer = await request(
        port,
        [
          `POST ${SEND_PATH}${query} HTTP/1.1`,
          "Host: 127.0.0.1",
          `Authorization: ${AUTH}`,
          "Content-Type: application/json",
          `Content-Length: ${body.length}`,
        ],
        body,
      );
      expect(answer.status).toBe(422);
      const error = JSON.parse(answer.body) as { errors: { path: string; rule: string; message: string }[] };
      expect(error.errors[0]).toMatchObject({ rule: "format" });
      expect(error.errors[0]?.message).toContain("does not decode");
      expect(mock.inbox.stats().received).toBe(before);
    },
  );

  it.each(["/__mock/messages?botId=%zz", "/__mock/rejections?userId=%C3%28", "/__mock/messages/wait?flowName=%zz&timeoutMs=1"])(
    "refuses GET %s, whose escape does not decode, with the contract's 400 invalid_query",
    async (path) => {
      const answer = await request(port, [`GET ${path} HTTP/1.1`, "Host: 127.0.0.1"]);
      expect(answer.status).toBe(400);
      const error = JSON.parse(answer.body) as { code: string; errors: { rule: string }[] };
      expect(validateMockError(error)).toBe(true);
      expect(error).toMatchObject({ code: "invalid_query", errors: [{ rule: "format" }] });
    },
  );

  it.each(["/__mock/messages", SEND_PATH])("answers an Expect it cannot meet on %s with 417 and an X-Request-Id", async (path) => {
    const answer = await request(port, [`POST ${path} HTTP/1.1`, "Host: 127.0.0.1", "Expect: 200-ok", "Content-Length: 0"]);
    expect(answer.status).toBe(417);
    expect(answer.headers["x-request-id"]).toMatch(/^req_/);
    const error = JSON.parse(answer.body) as { code: string; description: string };
    expect(error.code).toBe("expectation_failed");
    expect(error.description).toContain("100-continue");
  });

  it("caps chaos kinds at 64 entries with a 422 naming the field, so a 1 MiB list is not kept and echoed", async () => {
    const put = (kinds: string[]) =>
      fetch(`${server.url}/__mock/chaos`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ probability: 0, seed: 1, kinds }),
      });
    const tooMany = await put(Array.from({ length: 100_000 }, () => "drop"));
    expect(tooMany.status).toBe(422);
    const error = (await tooMany.json()) as { errors: { path: string; rule: string }[] };
    expect(error.errors[0]).toMatchObject({ path: "kinds", rule: "maxItems" });
    expect(mock.faults.chaosState().enabled).toBe(false);
    expect((await put(Array.from({ length: 64 }, (_, i) => (i % 2 === 0 ? "drop" : "hang")))).status).toBe(200);
    mock.faults.chaos(null);
  });

  it("still serves an absolute-form GET naming a loopback host", async () => {
    const answer = await request(port, [`GET http://127.0.0.1:${port}/__mock/messages HTTP/1.1`, `Host: 127.0.0.1:${port}`]);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain("Hello");
  });
});

describe("the replies' byte bound", () => {
  const mock = createMockJelou({ env: false });
  let server: MockServer;
  beforeAll(async () => {
    server = await mock.listen({ port: 0 });
  });
  afterAll(() => server.close());

  it("keeps at most 64 MiB of reply events, newest first, when each carries a 1 MB payload", async () => {
    const message = { ...validMessage(), payload: { blob: "p".repeat(1_000_000) } };
    const sent = await fetch(`${server.url}${SEND_PATH}`, {
      method: "POST",
      headers: { authorization: AUTH, "content-type": "application/json" },
      body: JSON.stringify(message),
    });
    expect(sent.status).toBe(200);
    // 80 events of about 1.2 MB: 96 MB, which 1000 replies to the same message would make 1.2 GB.
    for (let i = 0; i < 80; i++) mock.replies.reply("latest", { n: i, note: "a".repeat(200_000) });
    const kept = mock.replies.list();
    const bytes = kept.reduce((sum, record) => sum + JSON.stringify(record.event).length, 0);
    expect(bytes).toBeLessThanOrEqual(64 * 1024 * 1024);
    expect(kept.length).toBeGreaterThan(40);
    expect(kept[0]?.event.message.interactive.nfm_reply.response_json).toContain('"n":79');
    const listed = await fetch(`${server.url}/__mock/replies`);
    expect(listed.status).toBe(200);
  });
});

describe("the connection's own IP on a dual-stack listener", () => {
  // A mock listening on :: sees a connection to a.b.c.d as ::ffff:a.b.c.d. The request is handed to the app as Node's
  // adapter hands it (env.incoming), so no traffic leaves loopback: 192.0.2.2 is a documentation address, never dialled.
  function asIfFrom(localAddress: string, host: string) {
    const incoming = { rawHeaders: ["Host", host], url: "/__mock/messages", headers: { host }, socket: { localAddress, localPort: 4010 } };
    return createMockJelou({ env: false }).app.fetch(new Request(`http://${host}/__mock/messages`), { incoming } as never);
  }

  it("serves Host a.b.c.d to a connection whose socket says ::ffff:a.b.c.d, and still refuses another address", async () => {
    expect((await asIfFrom("::ffff:192.0.2.2", "192.0.2.2:4010")).status).toBe(200);
    expect((await asIfFrom("::ffff:192.0.2.2", "192.0.2.3:4010")).status).toBe(403);
  });
});

describe("webhook deliveries to a receiver that never answers", () => {
  // Reads every request and never answers: each delivery stays in flight until its timeout.
  const sink = createServer((socket) => socket.resume());
  let mock: ReturnType<typeof createMockJelou>;
  beforeAll(async () => {
    await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", resolve));
    const { port } = sink.address() as AddressInfo;
    mock = createMockJelou({ env: false, webhook: { url: `http://127.0.0.1:${port}/hook`, secret: "hook-secret" } });
  });
  afterAll(async () => {
    mock.replies.close();
    await new Promise<void>((resolve) => sink.close(() => resolve()));
  });

  it("hold at most 64 MiB of event bodies in flight: past it a delivery fails at once, saying why", async () => {
    const message = { ...validMessage(), payload: { blob: "p".repeat(1_000_000) } };
    const sent = await mock.fetch(SEND_PATH, {
      method: "POST",
      headers: { authorization: AUTH, "content-type": "application/json" },
      body: JSON.stringify(message),
    });
    expect(sent.status).toBe(200);
    // 80 bodies of 1 MB in flight: 80 MB, which a page completing the Flow in a loop would make gigabytes.
    const deliveries = Array.from({ length: 80 }, (_, i) => mock.replies.reply("latest", { n: i })?.delivery);
    const inFlight = deliveries.filter((d) => d?.status === "pending");
    expect(inFlight.length * 1_000_000).toBeLessThanOrEqual(64 * 1024 * 1024);
    const refused = deliveries.filter((d) => d?.status === "failed");
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]?.error).toMatch(/in flight.*not keeping up/);
  });
});

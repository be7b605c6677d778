import { connect } from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AUTH, readAnswer, SEND_PATH, useTarget, validMessage } from "./harness.js";

/** Anything a confused or hostile client might send to the send route. */
const bodies = fc.oneof(
  fc.json().map((text) => ({ text })),
  fc.string({ unit: "binary", maxLength: 200 }).map((text) => ({ text })),
  fc.jsonValue().map((value) => ({ text: JSON.stringify({ ...validMessage(), payload: { value } }) })),
  fc.record({ key: fc.string(), value: fc.jsonValue() }).map(({ key, value }) => ({ text: JSON.stringify({ ...validMessage(), [key]: value }) })),
  fc.integer({ min: 1, max: 3000 }).map((depth) => ({ text: `${"[".repeat(depth)}${"]".repeat(depth)}` })),
  fc
    .integer({ min: 900, max: 5000 })
    .map((depth) => ({ text: JSON.stringify({ ...validMessage(), payload: {} }).replace('"payload":{}', `"payload":${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`) })),
);

const segment = fc.oneof(
  fc.constantFrom("bot-1", "593987654321", "%00", "%E0%A4%A", "..", "%2F", "a b", "+593", "0"),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
);

const paths = fc.oneof(
  fc.constant(SEND_PATH),
  fc.tuple(segment, segment).map(([bot, user]) => `/v1/bots/${bot}/users/${user}/flow_message`),
  fc.tuple(segment, segment, fc.string({ maxLength: 10 })).map(([bot, user, q]) => `/v1/bots/${bot}/users/${user}/flow_message?type=${encodeURIComponent(q)}&x=${q.length}`),
  fc.array(segment, { maxLength: 6 }).map((parts) => `/${parts.join("/")}`),
);

const headers = fc.record({
  authorization: fc.oneof(fc.constant(AUTH), fc.string({ maxLength: 40 }), fc.string({ maxLength: 30 }).map((s) => `Basic ${s}`)),
  "content-type": fc.oneof(fc.constant("application/json"), fc.string({ maxLength: 30 }).filter((s) => /^[\x20-\x7e]*$/.test(s))),
});

const requests = fc.record({
  method: fc.constantFrom("POST", "POST", "POST", "GET", "PUT", "DELETE", "PATCH"),
  path: paths,
  headers,
  body: bodies,
});

describe.each(["in-process", "http"] as const)("fuzzing the send route (%s)", (mode) => {
  const target = useTarget(mode, { maxMessages: 50, maxRejections: 50 });

  it("never answers 5xx nor breaks the contract, and the inspection API keeps working", async () => {
    await fc.assert(
      fc.asyncProperty(requests, async ({ method, path, headers: h, body }) => {
        const init: RequestInit = { method, headers: h };
        if (method !== "GET") init.body = body.text;
        const response = await target.call(path, init);
        expect(response.status).toBeLessThan(500);
        // The Jelou API and unknown routes answer JSON of the contract; a GET may also land on the inbox page.
        const isPage = method === "GET" && response.status === 200 && !path.startsWith("/v1/");
        if (isPage) await response.arrayBuffer();
        else await readAnswer(response, { allow405: true });
      }),
      { numRuns: mode === "http" ? 150 : 400, seed: 20_261_124 },
    );
    for (const p of ["/__mock/messages?limit=100", "/__mock/rejections?limit=100", "/__mock/health"]) {
      expect((await target.call(p)).status).toBe(200);
    }
  });
});

/** Writes raw bytes to the server and reads until it closes the connection (or 2 s pass). */
function rawExchange(url: string, bytes: Uint8Array | string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let answer = "";
    const timer = setTimeout(() => socket.destroy(), 2000);
    socket.on("data", (chunk) => (answer += chunk.toString("latin1")));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(answer);
    });
    socket.end(bytes);
  });
}

describe("bytes that are not HTTP", () => {
  const target = useTarget("http");

  it("are refused with 400 or a closed connection, and the server keeps serving", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 300 }), async (bytes) => {
        const answer = await rawExchange(target.url as string, bytes);
        expect(answer === "" || /^HTTP\/1\.1 [45]\d\d /.test(answer)).toBe(true);
        expect(answer).not.toMatch(/^HTTP\/1\.1 5/);
      }),
      { numRuns: 40, seed: 7 },
    );
    const broken = await rawExchange(target.url as string, "POST /v1/bots/b/users/1/flow_message HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello");
    expect(broken).toMatch(/^HTTP\/1\.1 400/);
    expect((await target.call("/__mock/health")).status).toBe(200);
  });
});

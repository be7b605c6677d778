import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { createJelouClient, JelouError } from "../../src/index.js";
import { closedPort, json, validMessage, useFakeJelou } from "./fake-jelou.js";

const jelou = useFakeJelou();

const SECRET = "s3cr3t-value-never-shown";
const ENCODED = Buffer.from(`my_id:${SECRET}`).toString("base64");

function client() {
  return createJelouClient({ clientId: "my_id", clientSecret: SECRET, baseUrl: jelou.url, retry: { baseDelayMs: 1 } });
}

async function failure(): Promise<JelouError> {
  const outcome = await client()
    .sendFlowMessage({ ...validMessage(), userId: "+593 98-765-4321" })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(JelouError.is(outcome)).toBe(true);
  return outcome as JelouError;
}

describe("HTTP errors", () => {
  const table = [
    [400, "message_could_not_be_send", "The message could not be sent.", "http", false],
    [401, "unauthorized", "Not authorized.", "auth", false],
    [403, "forbidden_bot", "You may not use this bot.", "forbidden", false],
    [404, "bot_not_found", "The company may not use this bot.", "not_found", false],
    [413, "payload_too_large", "The body is too large.", "http", false],
    [422, "unprocessable_entity", "A field is missing or wrong.", "validation", false],
    [500, "internal_server_error", "Internal server error.", "server", true],
  ] as const;

  for (const [status, code, description, kind, maybeSent] of table) {
    it(`maps ${status} ${code} to kind ${kind} with Jelou's code and description`, async () => {
      jelou.script(json(status, { code, description }, { "x-request-id": "req_abc" }));
      const error = await failure();
      expect(error).toMatchObject({ kind, status, code, description, requestId: "req_abc", attempts: 1, maybeSent, retryable: false });
      expect(error.message).toMatch(
        new RegExp(`^POST /v1/bots/bot-1/users/5939\\*\\*\\*\\*4321/flow_message answered ${status} \\(${code}: ${description.replace(/\./g, "\\.")}\\)`),
      );
      expect(error.message).not.toContain("593987654321");
      expect(error.message).toMatch(maybeSent ? /may have been sent/ : /Nothing was sent/);
      expect(jelou.received).toHaveLength(1);
    });
  }

  it("maps 429 to rate_limited, retryable, with Retry-After in milliseconds", async () => {
    jelou.script(...Array.from({ length: 3 }, () => json(429, { code: "rate_limited", description: "Slow down." }, { "retry-after": "0" })));
    const error = await failure();
    expect(error).toMatchObject({ kind: "rate_limited", status: 429, code: "rate_limited", retryAfterMs: 0, retryable: true, maybeSent: false, attempts: 3 });
    expect(error.message).toMatch(/after 3 attempts/);
  });

  it("says what to do for each kind", async () => {
    jelou.script(json(401, { code: "unauthorized" }));
    expect((await failure()).message).toMatch(/Check clientId and clientSecret \(or JELOU_CLIENT_ID and JELOU_CLIENT_SECRET\)/);
    jelou.script(json(403, { code: "forbidden_bot" }));
    expect((await failure()).message).toMatch(/check botId, or use the credentials of the company that owns the bot/);
    jelou.script(json(404, { code: "bot_not_found" }));
    expect((await failure()).message).toMatch(/Check botId, and that baseUrl points at Jelou/);
    jelou.script(json(500, { code: "internal_server_error" }));
    expect((await failure()).message).toMatch(/check before sending it again/);
  });

  it("reads the problems of a 422 and Jelou's older `message` field", async () => {
    const problem = { path: "parameters.flow_cta", rule: "maxLength", message: "parameters.flow_cta has 23 characters; the limit is 20." };
    jelou.script(json(422, { code: "unprocessable_entity", description: "1 rule broken", errors: [problem] }));
    expect((await failure()).problems).toEqual([problem]);
    jelou.script(json(401, { code: "unauthorized", message: "Unauthorized" }));
    expect((await failure()).description).toBe("Unauthorized");
  });

  it("keeps a body that is not JSON as the description", async () => {
    jelou.script((_r, res) => {
      res.writeHead(502, { "content-type": "text/html" });
      res.end("<html>Bad gateway</html>");
    });
    const error = await failure();
    expect(error).toMatchObject({ kind: "server", status: 502, description: "<html>Bad gateway</html>", maybeSent: true });
    expect(error.code).toBeUndefined();
  });
});

describe("secrets in errors", () => {
  it("never shows the secret or the Authorization header in message, String, JSON, inspect or stack", async () => {
    // A server that echoes the credentials back must not get them into the error either.
    jelou.script((request, res) => {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ code: "unauthorized", description: `bad credentials: ${request.headers.authorization} (${SECRET})` }));
    });
    const error = await failure();
    const renderings = [
      error.message,
      String(error),
      JSON.stringify(error),
      inspect(error, { depth: 10, showHidden: true }),
      error.stack ?? "",
      JSON.stringify(error.toJSON()),
      `${error.description}`,
    ];
    for (const text of renderings) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(ENCODED);
    }
    expect(error.description).toBe("bad credentials: Basic [REDACTED] ([REDACTED])");
  });

  it("has no secret in network errors nor in the client object", async () => {
    const client = createJelouClient({ clientId: "my_id", clientSecret: SECRET, baseUrl: `http://127.0.0.1:${await closedPort()}`, retry: false });
    const error = await client.sendFlowMessage(validMessage()).then(() => undefined, (e: unknown) => e as JelouError);
    if (error === undefined) throw new Error("expected a failure");
    for (const text of [String(error), JSON.stringify(error), inspect(error, { depth: 10, showHidden: true }), inspect(client, { depth: 10, showHidden: true })]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(ENCODED);
    }
  });

  it("scrubs the secret from a failure that echoes it (a proxy's error) and from every field of a 422's problems", async () => {
    const echoingProxy = async (request: Request) => {
      const header = request.headers.get("authorization");
      throw new TypeError("fetch failed", { cause: new Error(`proxy refused Authorization: ${header} (my_id:${SECRET})`) });
    };
    const throughProxy = createJelouClient({ clientId: "my_id", clientSecret: SECRET, fetch: echoingProxy, retry: false });
    const network = await throughProxy.sendFlowMessage(validMessage()).then(() => undefined, (e: unknown) => e as JelouError);
    const echoed = { path: SECRET, rule: ENCODED, message: `bad ${SECRET}`, received: SECRET, params: { [SECRET]: [`Basic ${ENCODED}`] } };
    jelou.script(json(422, { code: "unprocessable_entity", errors: [echoed] }, { "x-request-id": `req_${SECRET}` }));
    const validation = await failure();
    for (const error of [network, validation]) {
      if (error === undefined) throw new Error("expected a failure");
      for (const text of [error.message, JSON.stringify(error), inspect(error, { depth: 10, showHidden: true }), error.stack ?? ""]) {
        expect(text).not.toContain(SECRET);
        expect(text).not.toContain(ENCODED);
      }
    }
    expect(network?.message).toContain("proxy refused Authorization: Basic [REDACTED] (my_id:[REDACTED])");
    expect(network?.toJSON().cause).toContain("[REDACTED]");
    expect(validation.problems).toEqual([
      { path: "[REDACTED]", rule: "[REDACTED]", message: "bad [REDACTED]", received: "[REDACTED]", params: { "[REDACTED]": ["Basic [REDACTED]"] } },
    ]);
    expect(validation.requestId).toBe("req_[REDACTED]");
  });

  it("prints the fields and a summary of the cause in inspect and toJSON", async () => {
    const client = createJelouClient({ clientId: "id", clientSecret: SECRET, baseUrl: `http://127.0.0.1:${await closedPort()}`, retry: false });
    const error = await client.sendFlowMessage(validMessage()).then(() => undefined, (e: unknown) => e as JelouError);
    if (error === undefined) throw new Error("expected a failure");
    expect(error.toJSON()).toMatchObject({ name: "JelouError", kind: "network", attempts: 1, maybeSent: false, retryable: true });
    expect(error.toJSON().cause).toMatch(/fetch failed/);
    expect(inspect(error)).toMatch(/kind: "network"/);
  });
});

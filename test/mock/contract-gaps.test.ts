/**
 * What independent validators of the contract found the mock let through: a repeated single-valued query parameter, a
 * body that is not UTF-8, a path escape that cannot be decoded, and answers without `X-Request-Id`. Each case runs
 * in-process and over real HTTP (127.0.0.1, port 0).
 */
import { describe, expect, it } from "vitest";
import { validateMockError } from "../../generated/mock/validators.js";
import { createMockJelou } from "../../mock/index.js";
import { AUTH, BOT, MODES, readAnswer, send, SEND_PATH, USER, useTarget, validMessage } from "./harness.js";

/** `{"title":"é…` with the é as Latin-1 (0xE9): a byte that never stands alone in UTF-8. */
function latin1Body(): Uint8Array {
  const json = JSON.stringify(validMessage());
  const bytes = new TextEncoder().encode(json);
  const at = json.indexOf('"text":"') + 8;
  bytes[at] = 0xe9;
  return bytes;
}

describe.each(MODES)("contract gaps (%s)", (mode) => {
  const target = useTarget(mode);

  it("refuses a repeated `type` on the send route with 422 naming the parameter, and records nothing", async () => {
    const before = target.mock.inbox.stats().received;
    const answer = await readAnswer(await send(target, validMessage(), { path: `${SEND_PATH}?type=a&type=b` }));
    expect(answer.status).toBe(422);
    expect(answer.body.code).toBe("unprocessable_entity");
    expect(answer.body.errors?.map((e) => e.path)).toContain("type");
    expect(target.mock.inbox.stats().received).toBe(before);
  });

  it.each(["/__mock/messages?limit=1&limit=2", "/__mock/rejections?botId=a&botId=b", "/__mock/messages/wait?timeoutMs=1&timeoutMs=2"])(
    "refuses the repeated query of GET %s with the contract's 400 invalid_query",
    async (path) => {
      const response = await target.call(path);
      expect(response.status).toBe(400);
      const body = (await response.json()) as { code: string; errors: { path: string; rule: string }[] };
      expect(validateMockError(body)).toBe(true);
      expect(body.code).toBe("invalid_query");
      expect(body.errors[0]).toMatchObject({ rule: "maxItems" });
      expect(response.headers.get("x-request-id")).toMatch(/^req_/);
    },
  );

  it.each([
    ["with Content-Length", SEND_PATH, false],
    ["with a query", `${SEND_PATH}?type=standard`, false],
    ["streamed", SEND_PATH, true],
  ])("refuses a body that is not UTF-8 (%s) with 400 invalid_json naming UTF-8", async (_, path, streamed) => {
    const bytes = latin1Body();
    const body = streamed
      ? new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(bytes), c.close()) })
      : bytes;
    const before = target.mock.inbox.stats().received;
    const answer = await readAnswer(
      await target.call(path, {
        method: "POST",
        headers: { authorization: AUTH, "content-type": "application/json" },
        body,
        duplex: "half",
      } as RequestInit),
    );
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe("invalid_json");
    expect(answer.body.description).toMatch(/UTF-8.*RFC 8259/);
    expect(target.mock.inbox.stats().received).toBe(before);
  });

  it.each([
    ["botId", `/v1/bots/%zz/users/${USER}/flow_message`],
    ["userId", `/v1/bots/${BOT}/users/%C3%28/flow_message`],
  ])("refuses an undecodable %s escape on the send route with 422, and records nothing", async (name, path) => {
    const before = target.mock.inbox.stats().received;
    const answer = await readAnswer(await send(target, validMessage(), { path }));
    expect(answer.status).toBe(422);
    expect(answer.body.errors).toContainEqual(expect.objectContaining({ path: name, rule: "format" }));
    expect(target.mock.inbox.stats().received).toBe(before);
  });

  it.each([
    ["GET", "/__mock/messages/%zz"],
    ["POST", "/__mock/messages/%E0%A4%A/reply"],
  ])("refuses an undecodable id in %s %s with 422", async (method, path) => {
    const response = await target.call(path, { method });
    expect(response.status).toBe(422);
    const body = (await response.json()) as { code: string; errors: { path: string; rule: string }[] };
    expect(validateMockError(body)).toBe(true);
    expect(body.errors).toEqual([expect.objectContaining({ path: "id", rule: "format" })]);
  });

  it.each([
    ["GET", "/nowhere"],
    ["POST", "/v1/bots/b/users/u/elsewhere"],
    ["GET", "/__mock/nowhere"],
    ["PUT", "/__mock/messages"],
    ["GET", "/__mock/messages/msg_none"],
    ["GET", "/__mock/health"],
    ["GET", "/"],
  ])("answers %s %s with an X-Request-Id", async (method, path) => {
    const response = await target.call(path, { method });
    await response.arrayBuffer();
    expect(response.headers.get("x-request-id")).toMatch(/^req_/);
  });

  it("answers an internal error (onError) with an X-Request-Id", async () => {
    // A fresh mock: Hono takes no routes once it has matched one.
    const mock = createMockJelou({ env: false });
    mock.app.get("/__test/boom", () => {
      throw new Error("a bug");
    });
    const server = mode === "http" ? await mock.listen({ port: 0 }) : undefined;
    try {
      const response = server === undefined ? await mock.fetch("/__test/boom") : await fetch(`${server.url}/__test/boom`);
      expect(response.status).toBe(500);
      expect(response.headers.get("x-request-id")).toMatch(/^req_/);
    } finally {
      await server?.close();
    }
  });
});

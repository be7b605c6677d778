import { beforeEach, describe, expect, it } from "vitest";
import { AUTH, BOT, MODES, readAnswer, send, SEND_PATH, sendStream, startTarget, useTarget, USER, validMessage } from "./harness.js";

function withParameters(parameters: Record<string, unknown>): Record<string, unknown> {
  const message = validMessage();
  return { ...message, parameters: { ...(message.parameters as object), ...parameters } };
}

/** One case per rule of openapi.yaml: the body or path that breaks it, and the field and rule the answer must name. */
const RULES: { name: string; body?: Record<string, unknown>; path?: string; field: string; rule: string }[] = [
  { name: "title missing", body: { ...validMessage(), title: undefined }, field: "title", rule: "required" },
  { name: "text missing", body: { ...validMessage(), text: undefined }, field: "text", rule: "required" },
  { name: "caption missing", body: { ...validMessage(), caption: undefined }, field: "caption", rule: "required" },
  { name: "parameters missing", body: { ...validMessage(), parameters: undefined }, field: "parameters", rule: "required" },
  { name: "title over 60", body: { ...validMessage(), title: "t".repeat(61) }, field: "title", rule: "maxLength" },
  { name: "title empty", body: { ...validMessage(), title: "" }, field: "title", rule: "minLength" },
  { name: "text over 1024", body: { ...validMessage(), text: "x".repeat(1025) }, field: "text", rule: "maxLength" },
  { name: "caption over 60", body: { ...validMessage(), caption: "c".repeat(61) }, field: "caption", rule: "maxLength" },
  { name: "title not a string", body: { ...validMessage(), title: 5 }, field: "title", rule: "type" },
  { name: "unknown top-level key", body: { ...validMessage(), paylod: {} }, field: "paylod", rule: "additionalProperties" },
  { name: "payload not an object", body: { ...validMessage(), payload: "x" }, field: "payload", rule: "type" },
  { name: "flow_name missing", body: withParameters({ flow_name: undefined }), field: "parameters.flow_name", rule: "required" },
  { name: "flow_name empty", body: withParameters({ flow_name: "" }), field: "parameters.flow_name", rule: "minLength" },
  { name: "flow_cta missing", body: withParameters({ flow_cta: undefined }), field: "parameters.flow_cta", rule: "required" },
  { name: "flow_cta over 20", body: withParameters({ flow_cta: "Start, please, right now" }), field: "parameters.flow_cta", rule: "maxLength" },
  { name: "flow_cta with emoji", body: withParameters({ flow_cta: "Start 🚀" }), field: "parameters.flow_cta", rule: "pattern" },
  { name: "screen missing", body: withParameters({ flow_action_payload: {} }), field: "parameters.flow_action_payload.screen", rule: "required" },
  {
    name: "data empty",
    body: withParameters({ flow_action_payload: { screen: "A", data: {} } }),
    field: "parameters.flow_action_payload.data",
    rule: "minProperties",
  },
  { name: "body an array", body: [] as unknown as Record<string, unknown>, field: "", rule: "type" },
  { name: "userId with +", path: `/v1/bots/${BOT}/users/+${USER}/flow_message`, field: "userId", rule: "pattern" },
  { name: "userId with leading 0", path: `/v1/bots/${BOT}/users/0${USER}/flow_message`, field: "userId", rule: "pattern" },
  { name: "userId of 16 digits", path: `/v1/bots/${BOT}/users/1234567890123456/flow_message`, field: "userId", rule: "pattern" },
  { name: "botId with a space", path: `/v1/bots/a%20b/users/${USER}/flow_message`, field: "botId", rule: "pattern" },
  { name: "type empty", path: `${SEND_PATH}?type=`, field: "type", rule: "minLength" },
];

describe.each(MODES)("the send route (%s)", (mode) => {
  const target = useTarget(mode);
  beforeEach(() => {
    target.mock.inbox.clear();
  });

  it("accepts a valid message, answers {} with X-Message-Id, and records it exactly once", async () => {
    const answer = await readAnswer(await send(target, validMessage(), { path: `${SEND_PATH}?type=standard` }));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({});
    const id = answer.headers.get("x-message-id") as string;
    const recorded = target.mock.inbox.list();
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({
      id,
      botId: BOT,
      userId: USER,
      type: "standard",
      conversation: `${BOT}:${USER}`,
      clientId: "test-client",
      body: validMessage(),
    });
    expect(Date.parse(recorded[0]?.receivedAt ?? "")).not.toBeNaN();
  });

  it("leaves `type` out of the record when it was not sent", async () => {
    await readAnswer(await send(target));
    expect(target.mock.inbox.get("latest")).not.toHaveProperty("type");
  });

  it.each(RULES)("rejects $name with 422 naming $field ($rule), and records nothing", async ({ body, path, field, rule }) => {
    const answer = await readAnswer(await send(target, body ?? validMessage(), { path: path ?? SEND_PATH }));
    expect(answer.status).toBe(422);
    expect(answer.body.code).toBe("unprocessable_entity");
    expect(answer.body.errors).toContainEqual(expect.objectContaining({ path: field, rule }));
    expect(answer.body.description).toContain(field === "" ? "the body" : field);
    expect(target.mock.inbox.list()).toHaveLength(0);
    const [rejection] = target.mock.inbox.rejections();
    expect(rejection).toMatchObject({ status: 422, code: "unprocessable_entity" });
    expect(rejection?.problems).toEqual(answer.body.errors);
  });

  it("lists every problem at once, not only the first", async () => {
    const answer = await readAnswer(await send(target, { ...validMessage(), title: "", caption: "c".repeat(61), paylod: 1 }));
    expect(answer.body.errors?.map((e) => e.path).sort()).toEqual(["caption", "paylod", "title"]);
  });

  describe("credentials", () => {
    const wrong = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;
    it.each([
      ["missing", undefined],
      ["empty", ""],
      ["not Basic", "Bearer abc"],
      ["not base64", "Basic %%%"],
      ["without a colon", `Basic ${Buffer.from("nocolon").toString("base64")}`],
      ["with an empty secret", wrong("test-client", "")],
      ["with a wrong secret", wrong("test-client", "guess")],
      ["with a wrong client id", wrong("someone", "s3cr3t-Value-That-Must-Not-Leak")],
      ["with a longer secret", wrong("test-client", "s3cr3t-Value-That-Must-Not-Leak!")],
    ])("answers 401 when the Authorization header is %s", async (_name, header) => {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (header !== undefined) headers.authorization = header;
      const response = await target.call(SEND_PATH, { method: "POST", headers, body: JSON.stringify(validMessage()) });
      const answer = await readAnswer(response);
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe("unauthorized");
      expect(answer.headers.get("www-authenticate")).toBe('Basic realm="jelou"');
      expect(target.mock.inbox.list()).toHaveLength(0);
    });

    it("accepts the scheme name in any case", async () => {
      const answer = await readAnswer(await send(target, validMessage(), { headers: { authorization: AUTH.replace("Basic", "basic") } }));
      expect(answer.status).toBe(200);
    });

    it("checks credentials before the body: a bad body with bad credentials is a 401", async () => {
      const answer = await readAnswer(await send(target, "{not json", { raw: true, headers: { authorization: "Basic eDp5" } }));
      expect(answer.status).toBe(401);
    });
  });

  describe("bad input of every other kind", () => {
    it("answers 400 invalid_json to malformed JSON, with the parser's reason", async () => {
      const answer = await readAnswer(await send(target, '{"title": "Hello",', { raw: true }));
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe("invalid_json");
      expect(answer.body.description).toMatch(/not valid JSON: .+\. Send a JSON object\./);
      expect(target.mock.inbox.rejections()[0]?.body).toBe('{"title": "Hello",');
    });

    it("answers 400 invalid_json to an empty body", async () => {
      const answer = await readAnswer(await send(target, "", { raw: true }));
      expect(answer.status).toBe(400);
    });

    it.each([["text/plain"], ["application/x-www-form-urlencoded"], ["application/jsonx"]])(
      "answers 415 to Content-Type %s",
      async (contentType) => {
        const answer = await readAnswer(await send(target, validMessage(), { headers: { "content-type": contentType } }));
        expect(answer.status).toBe(415);
        expect(answer.body.code).toBe("unsupported_media_type");
        expect(answer.body.description).toContain(contentType);
      },
    );

    it("answers 415 when Content-Type is missing", async () => {
      const response = await target.call(SEND_PATH, { method: "POST", headers: { authorization: AUTH }, body: new Uint8Array([123, 125]) });
      const answer = await readAnswer(response);
      expect(answer.status).toBe(415);
    });

    it("accepts Content-Type with parameters and another case", async () => {
      const answer = await readAnswer(await send(target, validMessage(), { headers: { "content-type": "Application/JSON; charset=utf-8" } }));
      expect(answer.status).toBe(200);
    });

    it("answers 413 to a 2 MB body and records no message", async () => {
      const big = JSON.stringify({ ...validMessage(), payload: { blob: "x".repeat(2 * 1024 * 1024) } });
      const answer = await readAnswer(await send(target, big, { raw: true }));
      expect(answer.status).toBe(413);
      expect(answer.body.code).toBe("payload_too_large");
      expect(answer.body.description).toContain("1048576");
      expect(target.mock.inbox.list()).toHaveLength(0);
    });

    it("answers 413 to a streamed 2 MB body without a Content-Length", async () => {
      const chunk = new Uint8Array(64 * 1024).fill(32);
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= 2 * 1024 * 1024) controller.close();
          else {
            sent += chunk.byteLength;
            controller.enqueue(chunk);
          }
        },
      });
      expect((await readAnswer(await sendStream(target, body))).status).toBe(413);
    });

    it("accepts a valid body streamed without a Content-Length", async () => {
      const bytes = new TextEncoder().encode(JSON.stringify(validMessage()));
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes.slice(0, 10));
          controller.enqueue(bytes.slice(10));
          controller.close();
        },
      });
      expect((await readAnswer(await sendStream(target, body))).status).toBe(200);
      expect(target.mock.inbox.get("latest")?.body).toEqual(validMessage());
    });

    it("answers 404 not_found to an unknown route, and keeps it as a rejection", async () => {
      const answer = await readAnswer(await send(target, validMessage(), { path: `/v1/bots/${BOT}/users/${USER}/flow_messages` }));
      expect(answer.status).toBe(404);
      expect(answer.body.code).toBe("not_found");
      expect(answer.body.description).toContain("/v1/bots/{botId}/users/{userId}/flow_message");
      expect(target.mock.inbox.rejections()[0]).toMatchObject({ status: 404, method: "POST" });
    });

    it("answers 405 with Allow: POST to another method on the send route", async () => {
      const answer = await readAnswer(await target.call(SEND_PATH, { method: "GET", headers: { authorization: AUTH } }), { allow405: true });
      expect(answer.status).toBe(405);
      expect(answer.body.code).toBe("method_not_allowed");
      expect(answer.headers.get("allow")).toBe("POST");
    });
  });
});

describe("the app's routing", () => {
  it("stays on Hono's RegExpRouter: a route that forces the TrieRouter slows every request, the send route included", async () => {
    const target = await startTarget("in-process");
    await target.call("/__mock/health");
    expect((target.mock.app.router as { name: string }).name).toBe("SmartRouter + RegExpRouter");
  });
});

describe("in-process and HTTP give identical answers", () => {
  const requests: { name: string; body: unknown; raw?: boolean; headers?: Record<string, string>; path?: string }[] = [
    { name: "valid", body: validMessage() },
    { name: "invalid fields", body: { ...validMessage(), title: "", parameters: { flow_cta: "🚀" } } },
    { name: "malformed JSON", body: "{", raw: true },
    { name: "wrong content type", body: validMessage(), headers: { "content-type": "text/plain" } },
    { name: "no credentials", body: validMessage(), headers: { authorization: "" } },
    { name: "unknown route", body: validMessage(), path: "/v1/nope" },
    { name: "bad phone", body: validMessage(), path: `/v1/bots/${BOT}/users/abc/flow_message` },
  ];
  const inProcess = useTarget("in-process");
  const http = useTarget("http");

  it.each(requests)("$name", async ({ body, raw, headers, path }) => {
    const options = { raw: raw ?? false, headers: headers ?? {}, path: path ?? SEND_PATH };
    const [a, b] = await Promise.all([send(inProcess, body, options), send(http, body, options)]);
    const [x, y] = [await a.text(), await b.text()];
    expect(a.status).toBe(b.status);
    expect(x).toBe(y);
    for (const header of ["content-type", "retry-after", "www-authenticate", "allow"]) {
      expect(a.headers.get(header)).toBe(b.headers.get(header));
    }
    expect(a.headers.has("x-message-id")).toBe(b.headers.has("x-message-id"));
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { validateFlowReplyList, validateFlowReplyRecord, validateMockError } from "../../generated/mock/validators.js";
import { createMockJelou, type MockJelou } from "../../mock/index.js";
import { verifyJelouSignature } from "../../src/index.js";
import { startWebhookReceiver, type WebhookReceiver } from "./webhook-receiver.js";

const AUTH = `Basic ${Buffer.from("id:secret").toString("base64")}`;
const BODY = {
  title: "Your appointment",
  text: "Pick a time",
  caption: "Clinic",
  parameters: { flow_name: "book_appointment", flow_cta: "Book now", flow_action_payload: { screen: "PICK_TIME" } },
  payload: { orderId: "A-1001" },
};

let receiver: WebhookReceiver | undefined;
let mock: MockJelou | undefined;
afterEach(async () => {
  mock?.replies.close();
  await receiver?.close();
  receiver = undefined;
  mock = undefined;
});

async function send(m: MockJelou): Promise<string> {
  const response = await m.fetch("/v1/bots/bot-1/users/593987654321/flow_message", {
    method: "POST",
    headers: { authorization: AUTH, "content-type": "application/json" },
    body: JSON.stringify(BODY),
  });
  expect(response.status).toBe(200);
  return response.headers.get("x-message-id") as string;
}

function reply(m: MockJelou, id: string, body?: string, type = "application/json"): Promise<Response> {
  return m.fetch(`/__mock/messages/${encodeURIComponent(id)}/reply`, {
    method: "POST",
    headers: body === undefined ? {} : { "content-type": type },
    ...(body === undefined ? {} : { body }),
  });
}

describe("POST /__mock/messages/{id}/reply", () => {
  it("answers the reply event with the cached payload, as mock/inspection/openapi.yaml describes it", async () => {
    mock = createMockJelou({ env: false });
    const id = await send(mock);
    const response = await reply(mock, id, JSON.stringify({ answers: { date: "2026-02-01" } }));
    expect(response.status).toBe(200);
    const record = await response.json();
    expect(validateFlowReplyRecord(record), JSON.stringify(validateFlowReplyRecord.errors)).toBe(true);
    expect(record.event).toMatchObject({ messageId: id, flowName: "book_appointment", payload: { orderId: "A-1001" } });
    expect(JSON.parse(record.event.message.interactive.nfm_reply.response_json)).toEqual({ flow_token: id, date: "2026-02-01" });
    expect(record).not.toHaveProperty("delivery");

    const list = await (await mock.fetch("/__mock/replies")).json();
    expect(validateFlowReplyList(list)).toBe(true);
    expect(list.replies).toEqual([record]);
  });

  it("empties the replies with the inbox, and keeps replying to messages sent after", async () => {
    mock = createMockJelou({ env: false });
    expect((await reply(mock, await send(mock), "{}")).status).toBe(200);
    expect((await mock.fetch("/__mock/messages", { method: "DELETE" })).status).toBe(200);
    expect((await (await mock.fetch("/__mock/replies")).json()).replies).toEqual([]);
    const next = await send(mock);
    expect((await reply(mock, next, "{}")).status).toBe(200);
    mock.inbox.clear();
    expect(mock.replies.list()).toEqual([]);
    expect((await reply(mock, await send(mock), "{}")).status).toBe(200);
    expect(mock.replies.list().map((r) => r.event.flowName)).toEqual(["book_appointment"]);
  });

  it("takes `latest` and an empty body (no answers)", async () => {
    mock = createMockJelou({ env: false });
    const id = await send(mock);
    const record = await (await reply(mock, "latest")).json();
    expect(record.event.messageId).toBe(id);
    expect(JSON.parse(record.event.message.interactive.nfm_reply.response_json)).toEqual({ flow_token: id });
  });

  it("refuses an unknown message, bad JSON, a wrong content type and answers that are not an object", async () => {
    mock = createMockJelou({ env: false });
    const id = await send(mock);
    const cases: Array<[Response, number, string]> = [
      [await reply(mock, "msg_nope", "{}"), 404, "not_found"],
      [await reply(mock, id, "{nope"), 400, "invalid_json"],
      [await reply(mock, id, "answers=1", "application/x-www-form-urlencoded"), 415, "unsupported_media_type"],
      [await reply(mock, id, JSON.stringify({ answers: [1] })), 422, "unprocessable_entity"],
      [await reply(mock, id, JSON.stringify({ answer: {} })), 422, "unprocessable_entity"],
    ];
    for (const [response, status, code] of cases) {
      const body = await response.json();
      expect(response.status).toBe(status);
      expect(validateMockError(body)).toBe(true);
      expect(body.code).toBe(code);
    }
    expect(mock.replies.list()).toHaveLength(0);
  });

  it("refuses a reply asked for by a web page of another origin", async () => {
    mock = createMockJelou({ env: false });
    await send(mock);
    const foreign = await mock.fetch("http://127.0.0.1:4010/__mock/messages/latest/reply", {
      method: "POST",
      headers: { origin: "https://evil.example" },
    });
    expect(foreign.status).toBe(403);
    expect((await foreign.json()).code).toBe("forbidden_origin");
    const own = await mock.fetch("http://127.0.0.1:4010/__mock/messages/latest/reply", {
      method: "POST",
      headers: { origin: "http://127.0.0.1:4010" },
    });
    expect(own.status).toBe(200);
    expect(mock.replies.list()).toHaveLength(1);
  });

  it("POSTs the event, signed, to the webhook, and reports the delivery", async () => {
    receiver = await startWebhookReceiver();
    const secret = "whsec_route";
    mock = createMockJelou({ env: false, webhook: { url: receiver.url, secret } });
    const id = await send(mock);
    const record = await (await reply(mock, id, JSON.stringify({ answers: { ok: true } }))).json();
    expect(record.delivery).toMatchObject({ status: "pending", url: receiver.url, eventId: record.event.id });
    const [request] = await receiver.waitFor(1);
    expect(verifyJelouSignature(request!.body, request!.headers["x-jelou-signature"] as string, secret)).toBe(true);
    expect(JSON.parse(request!.body)).toEqual(record.event);
    await mock.replies.idle();
    expect(mock.replies.list()[0]?.delivery).toMatchObject({ status: "delivered", attempts: 1, responseStatus: 204 });
    const all = JSON.stringify(await (await mock.fetch("/__mock/replies")).json());
    expect(all).not.toContain(secret);
  });
});

/**
 * Listings and the inbox page are bounded by bytes as well as by count, at the default limits: 100 held messages of
 * 64 KB (6.4 MB) make GET /__mock/messages?limit=1000 carry at most the 4 MiB budget, and the answer says what it left
 * out (`omitted`, `omittedIds`, each readable on its own). The same holds for rejections, replies and the page.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateFlowReplyList, validateMessageList, validateRejectionList } from "../../generated/mock/validators.js";
import { LIST_BYTE_BUDGET } from "../../mock/inbox/inbox-query.js";
import { createMockJelou, type MockJelou } from "../../mock/index.js";
import { AUTH, CLIENT_ID, CLIENT_SECRET, SEND_PATH, validMessage } from "./harness.js";

const MESSAGES = 100;
const PAYLOAD_BYTES = 64 * 1024;
/** The answer's envelope and per-entry fields on top of the budgeted bytes. */
const MARGIN = 256 * 1024;

let mock: MockJelou;
const ids: string[] = [];

beforeAll(async () => {
  mock = createMockJelou({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, env: false });
  for (let i = 0; i < MESSAGES; i++) {
    const body = { ...validMessage(), payload: { n: i, blob: "x".repeat(PAYLOAD_BYTES) } };
    const sent = await mock.fetch(SEND_PATH, {
      method: "POST",
      headers: { authorization: AUTH, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(sent.status).toBe(200);
    ids.unshift(sent.headers.get("x-message-id") as string);
  }
});
afterAll(() => mock.replies.close());

async function bytesAndJson(path: string): Promise<{ bytes: number; value: Record<string, unknown> }> {
  const response = await mock.fetch(path);
  expect(response.status).toBe(200);
  const text = await response.text();
  return { bytes: Buffer.byteLength(text), value: JSON.parse(text) as Record<string, unknown> };
}

describe("listing byte budget (default 4 MiB)", () => {
  it("GET /__mock/messages?limit=1000 stays within the budget and names every message it left out", async () => {
    const { bytes, value } = await bytesAndJson("/__mock/messages?limit=1000");
    expect(validateMessageList(value)).toBe(true);
    const list = value as { messages: { id: string }[]; total: number; omitted: number; omittedIds: string[] };
    expect(bytes).toBeLessThanOrEqual(LIST_BYTE_BUDGET + MARGIN);
    expect(list.total).toBe(MESSAGES);
    expect(list.omitted).toBeGreaterThan(0);
    expect(list.messages.length + list.omitted).toBe(MESSAGES);
    expect([...list.messages.map((m) => m.id), ...list.omittedIds]).toEqual(ids);
    const rest = await mock.fetch(`/__mock/messages/${list.omittedIds.at(-1)}`);
    expect(rest.status).toBe(200);
  });

  it("a listing within the budget says nothing was left out", async () => {
    const { value } = await bytesAndJson("/__mock/messages?limit=3");
    expect(value).not.toHaveProperty("omitted");
    expect((value as { messages: unknown[] }).messages).toHaveLength(3);
  });

  it("GET /__mock/replies carries the budget too (each reply holds its message's payload)", async () => {
    for (const id of ids) {
      const reply = await mock.fetch(`/__mock/messages/${id}/reply`, { method: "POST" });
      expect(reply.status).toBe(200);
    }
    const { bytes, value } = await bytesAndJson("/__mock/replies");
    expect(validateFlowReplyList(value)).toBe(true);
    const list = value as { replies: unknown[]; omitted: number };
    expect(bytes).toBeLessThanOrEqual(LIST_BYTE_BUDGET + MARGIN);
    expect(list.omitted).toBeGreaterThan(0);
    expect(list.replies.length + list.omitted).toBe(MESSAGES);
  });

  it("the inbox page renders within the budget and says how many messages it did not render", async () => {
    const response = await mock.fetch("/");
    const html = await response.text();
    const omitted = Number(/data-omitted="(\d+)"/.exec(html)?.[1]);
    expect(omitted).toBeGreaterThan(0);
    expect(html).toContain(`${omitted} older messages are not shown`);
    expect(Buffer.byteLength(html)).toBeLessThanOrEqual(1.5 * LIST_BYTE_BUDGET);
  });

  it("GET /__mock/rejections stays within the budget", async () => {
    const big = JSON.stringify({ title: "x".repeat(8000) });
    for (let i = 0; i < 1000; i++) {
      const refused = await mock.fetch(SEND_PATH, {
        method: "POST",
        headers: { authorization: AUTH, "content-type": "application/json" },
        body: big,
      });
      expect(refused.status).toBe(422);
    }
    const { bytes, value } = await bytesAndJson("/__mock/rejections?limit=1000");
    expect(validateRejectionList(value)).toBe(true);
    const list = value as { rejections: unknown[]; total: number; omitted: number };
    expect(bytes).toBeLessThanOrEqual(LIST_BYTE_BUDGET + MARGIN);
    expect(list.rejections.length + list.omitted).toBe(list.total);
  });
});

describe("in-process listing", () => {
  it("inbox.list() returns every message within limit: the byte budget bounds answers on the wire only", () => {
    expect(mock.inbox.list({ limit: 1000 })).toHaveLength(MESSAGES);
    expect(mock.inbox.query({ limit: 1000 }).omitted).toBeGreaterThan(0);
  });
});

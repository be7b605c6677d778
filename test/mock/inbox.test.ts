import { describe, expect, it, vi } from "vitest";
import { validateHealth } from "../../generated/mock/validators.js";
import { createMockJelou, Inbox, type InboxEvent, type InboxMessage } from "../../mock/index.js";
import { readAnswer, send, startTarget, validMessage } from "./harness.js";

function entry(userId: string, flowName = "welcome_flow"): Omit<InboxMessage, "id" | "receivedAt"> {
  const body = { ...validMessage(), parameters: { flow_name: flowName, flow_cta: "Go" } } as InboxMessage["body"];
  return { conversation: `bot-1:${userId}`, botId: "bot-1", userId, body, clientId: "c" };
}

describe("the inbox", () => {
  it("evicts the oldest messages when full, and counts every eviction", () => {
    const inbox = new Inbox(3, 2);
    const ids = ["1", "2", "3", "4", "5"].map((n) => inbox.record(entry(`59398765432${n}`)).id);
    expect(inbox.list().map((m) => m.id)).toEqual([ids[4], ids[3], ids[2]]);
    expect(inbox.stats()).toMatchObject({ messages: 3, received: 5, evicted: 2, maxMessages: 3 });
    expect(inbox.get(ids[0] as string)).toBeUndefined();
    expect(inbox.get(ids[2] as string)?.id).toBe(ids[2]);
    expect(inbox.get("latest")?.id).toBe(ids[4]);
  });

  it("finds every held message by id after the log wraps many times", () => {
    const inbox = new Inbox(7);
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) ids.push(inbox.record(entry("593987654321")).id);
    for (const id of ids.slice(-7)) expect(inbox.get(id)?.id).toBe(id);
    for (const id of ids.slice(0, -7)) expect(inbox.get(id)).toBeUndefined();
    expect(inbox.list({ since: ids[45] }).map((m) => m.id)).toEqual(ids.slice(46).reverse());
  });

  it("bounds and counts rejections the same way", () => {
    const inbox = new Inbox(10, 2);
    for (let i = 0; i < 5; i++) inbox.reject({ method: "POST", path: "/x", status: 404, code: "not_found" });
    expect(inbox.stats()).toMatchObject({ rejections: 2, rejected: 5, rejectionsEvicted: 3 });
  });

  it("counts evictions over HTTP too, in the health answer", async () => {
    const target = await startTarget("http", { maxMessages: 2 });
    try {
      for (let i = 0; i < 5; i++) expect((await readAnswer(await send(target))).status).toBe(200);
      const health = (await (await target.call("/__mock/health")).json()) as { inbox: { evicted: number } };
      expect(validateHealth(health)).toBe(true);
      expect(health.inbox).toMatchObject({ messages: 2, received: 5, evicted: 3 });
    } finally {
      await target.close();
    }
  });

  it("tells subscribers of messages, rejections and clearing, until they unsubscribe", () => {
    const inbox = new Inbox();
    const events: InboxEvent["type"][] = [];
    const stop = inbox.subscribe((e) => events.push(e.type));
    inbox.subscribe(() => {
      throw new Error("a broken listener must not break recording");
    });
    inbox.record(entry("593987654321"));
    inbox.reject({ method: "POST", path: "/x", status: 401, code: "unauthorized" });
    inbox.clear();
    stop();
    inbox.record(entry("593987654321"));
    expect(events).toEqual(["message", "rejection", "cleared"]);
  });

  it("tells a subscriber only of the event types it asked for", () => {
    const inbox = new Inbox();
    const cleared: string[] = [];
    const messages: string[] = [];
    const stopCleared = inbox.subscribe((e) => cleared.push(e.type), ["cleared"]);
    const stopMessages = inbox.subscribe((e) => messages.push(e.message.userId), ["message"]);
    inbox.record(entry("593987654321"));
    inbox.reject({ method: "POST", path: "/x", status: 401, code: "unauthorized" });
    inbox.clear();
    stopMessages();
    stopMessages();
    inbox.record(entry("593987654322"));
    inbox.clear();
    stopCleared();
    inbox.clear();
    expect(cleared).toEqual(["cleared", "cleared"]);
    expect(messages).toEqual(["593987654321"]);
  });

  it("builds no message object for a send while nobody listens to messages (the replies listen to clearings only)", () => {
    const mock = createMockJelou({ env: false });
    // Each message object a send builds for its watchers formats the message's id once more.
    const format = vi.spyOn(mock.inbox.ids, "format");
    mock.inbox.recordId(entry("593987654321"));
    expect(format).toHaveBeenCalledTimes(1);
    const stop = mock.inbox.subscribe(() => undefined, ["message"]);
    mock.inbox.recordId(entry("593987654321"));
    expect(format).toHaveBeenCalledTimes(3);
    stop();
    mock.inbox.recordId(entry("593987654321"));
    expect(format).toHaveBeenCalledTimes(4);
  });

  it("waits for the next matching message, ignoring others", async () => {
    const inbox = new Inbox();
    const waiting = inbox.waitFor({ flowName: "pay", timeoutMs: 2000 });
    inbox.record(entry("593987654321", "other"));
    const wanted = inbox.record(entry("593987654321", "pay"));
    expect(await waiting).toEqual(wanted);
  });

  it("resolves undefined on timeout and on abort", async () => {
    const inbox = new Inbox();
    expect(await inbox.waitFor({ timeoutMs: 20 })).toBeUndefined();
    const controller = new AbortController();
    const waiting = inbox.waitFor({ timeoutMs: 10_000, signal: controller.signal });
    controller.abort();
    expect(await waiting).toBeUndefined();
  });

  it("waits only for later messages when given `since`", async () => {
    const inbox = new Inbox();
    const old = inbox.record(entry("593987654321"));
    expect(await inbox.waitFor({ timeoutMs: 0 })).toEqual(old);
    expect(await inbox.waitFor({ since: old.id, timeoutMs: 10 })).toBeUndefined();
  });

  it("holds `since` for messages that arrive while it waits", async () => {
    const inbox = new Inbox();
    const future = inbox.waitFor({ since: new Date(Date.now() + 3_600_000), timeoutMs: 50 });
    const laterRun = inbox.waitFor({ since: "msg_zzzzzzzzz0000001", timeoutMs: 50 });
    const held = inbox.record(entry("593987654321"));
    const afterHeld = inbox.waitFor({ since: held.id, timeoutMs: 2000 });
    const next = inbox.record(entry("593987654321"));
    expect(await future).toBeUndefined();
    expect(await laterRun).toBeUndefined();
    expect(await afterHeld).toEqual(next);
  });

  it("waits without a limit for timeoutMs Infinity, and refuses one no timer can keep", async () => {
    const inbox = new Inbox();
    expect(() => inbox.waitFor({ timeoutMs: 2 ** 31 })).toThrow(/timeoutMs must be at most 2147483647 .*Infinity/);
    expect(() => inbox.waitFor({ timeoutMs: Number.NaN })).toThrow(RangeError);
    const controller = new AbortController();
    const forever = inbox.waitFor({ timeoutMs: Number.POSITIVE_INFINITY, signal: controller.signal });
    // A timer past 2^31 - 1 ms fires after 1 ms: a wait still pending well after that has no timer.
    const pending = new Promise((resolve) => setTimeout(() => resolve("pending"), 50));
    expect(await Promise.race([forever, pending])).toBe("pending");
    const wanted = inbox.record(entry("593987654321"));
    expect(await forever).toEqual(wanted);
    const aborted = inbox.waitFor({ timeoutMs: Number.POSITIVE_INFINITY, since: wanted.id, signal: controller.signal });
    controller.abort();
    expect(await aborted).toBeUndefined();
  });

  it("refuses a `since` that is neither a time nor an id, and a bad capacity", () => {
    const inbox = new Inbox();
    expect(() => inbox.list({ since: "yesterday" })).toThrow(TypeError);
    expect(() => inbox.list({ since: new Date(Number.NaN) })).toThrow(TypeError);
    expect(() => inbox.list({ limit: 0 })).toThrow(TypeError);
    expect(() => new Inbox(0)).toThrow(RangeError);
  });

  it("filters by conversation and by Date", () => {
    const inbox = new Inbox();
    inbox.record(entry("111"));
    const b = inbox.record(entry("222"));
    expect(inbox.list({ conversation: "bot-1:222" })).toEqual([b]);
    expect(inbox.list({ since: new Date(Date.now() + 1000) })).toEqual([]);
  });
});

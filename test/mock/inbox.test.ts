import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it, vi } from "vitest";
import { validateHealth } from "../../generated/mock/validators.js";
import { createMockJelou, Inbox, type InboxEvent, type InboxMessage } from "../../mock/index.js";
import { readAnswer, send, startTarget, validMessage } from "./harness.js";

const MB = 1_000_000;

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

function seeded(i: number): InboxMessage["body"] {
  return { title: `T${i}`, text: "x", caption: "c", parameters: { flow_name: `flow_${i % 3}`, flow_cta: "Go" } };
}

describe("the inbox's held messages", () => {
  it("reads back every field after wrapping around, evicting oldest first, and filters what it holds", () => {
    const inbox = new Inbox(150);
    const ids: string[] = [];
    for (let i = 0; i < 400; i++) {
      const userId = i % 7 === 0 ? `user-${i}` : String(593900000000 + i);
      const message = { botId: `bot-${i % 2}`, userId, body: seeded(i), clientId: "c1" };
      ids.push(inbox.recordId(i % 5 === 0 ? { ...message, type: "flow" } : message));
    }
    expect(inbox.stats()).toMatchObject({ messages: 150, received: 400, evicted: 250 });
    expect(inbox.get(ids[249] as string)).toBeUndefined();
    for (const i of [250, 251, 300, 399]) {
      const got = inbox.get(ids[i] as string);
      const userId = i % 7 === 0 ? `user-${i}` : String(593900000000 + i);
      expect(got).toMatchObject({ id: ids[i], botId: `bot-${i % 2}`, userId, body: seeded(i), clientId: "c1" });
      expect(got?.type).toBe(i % 5 === 0 ? "flow" : undefined);
    }
    expect(inbox.list({ limit: 1000 }).map((m) => m.id)).toEqual(ids.slice(250).reverse());
    expect(inbox.list({ flowName: "flow_1", botId: "bot-0", limit: 1000 }).map((m) => m.body.title)).toEqual(
      [...Array(400).keys()].filter((i) => i >= 250 && i % 3 === 1 && i % 2 === 0).reverse().map((i) => `T${i}`),
    );
    expect(inbox.list({ userId: "user-392" })).toHaveLength(1);
    expect(inbox.list({ since: ids[397] }).map((m) => m.id)).toEqual([ids[399], ids[398]]);
  });

  it("starts over cleanly after clear", () => {
    const inbox = new Inbox(100);
    for (let i = 0; i < 250; i++) inbox.record({ botId: "b", userId: String(1000 + i), body: seeded(i) });
    inbox.clear();
    expect(inbox.list()).toEqual([]);
    const id = inbox.recordId({ botId: "b", userId: "5939", body: seeded(1) });
    expect(inbox.list().map((m) => [m.id, m.userId, m.body.title])).toEqual([[id, "5939", "T1"]]);
  });

  it("gives back user ids that only look like numbers exactly as they were sent", () => {
    const inbox = new Inbox(10);
    const odd = ["0593987654321", "1e3", "+593", "12345678901234567890", " 42", "-0", "593987654321"];
    for (const userId of odd) inbox.record({ botId: "b", userId, body: seeded(0) });
    expect(inbox.list().map((m) => m.userId).reverse()).toEqual(odd);
  });

  it("gives back every body exactly, in any script and of any size, given as text or as received bytes", () => {
    const inbox = new Inbox(5000);
    const texts = Array.from({ length: 3000 }, (_, i) => `{"n":${i},"t":"${"héllo 👋 مرحبا ñandú 日本 ".repeat(1 + (i % 40))}"}`);
    texts.push(JSON.stringify({ t: "x".repeat(400_000) }), JSON.stringify({ t: "ü".repeat(300_000) }));
    const ids = texts.map((text, i) => {
      const message = { botId: "b", userId: "593987654321", body: JSON.parse(text) as InboxMessage["body"] };
      if (i % 2 === 0) return inbox.recordId(message, text);
      // Bytes given as a view into a larger buffer, as Node's HTTP parser hands out body chunks.
      const pool = Buffer.from(`garbage${text}garbage`);
      return inbox.recordId(message, text, pool.subarray(7, pool.length - 7));
    });
    ids.forEach((id, i) => expect(inbox.get(id)?.body).toEqual(JSON.parse(texts[i] as string)));
    expect(inbox.stats().retainedBytes).toBe(texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0));
  });

  it("reads back every held body exactly after eviction has let the oldest go", () => {
    const inbox = new Inbox(500);
    const bodies: InboxMessage["body"][] = [];
    for (let i = 0; i < 5000; i++) {
      const parameters = { flow_name: `flow_${i % 7}`, flow_cta: "Go" };
      const body = { title: `Título ${i} ✅`, text: "ñ".repeat(i % 1000), caption: "Jelou", parameters, payload: { i } };
      bodies.push(body);
      inbox.record({ botId: "b", userId: "593987654321", body, clientId: "c" });
    }
    expect(inbox.list({ limit: 500 }).reverse().map((m) => m.body)).toEqual(bodies.slice(-500));
    expect(inbox.list({ flowName: "flow_3", limit: 1000 }).every((m) => m.body.parameters.flow_name === "flow_3")).toBe(true);
  });

  it("lets go of evicted bodies, and of all of them on clear", () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const heap = () => {
      gc();
      return process.memoryUsage().heapUsed;
    };
    const inbox = new Inbox(10);
    const before = heap();
    for (let i = 0; i < 400; i++) {
      inbox.record({ botId: `bot-${i}`, userId: `u${i}`, body: { ...seeded(i), text: `${i}`.repeat(50_000) } });
    }
    // 400 bodies of about 100 KB would hold 40 MB; the 10 held ones hold 1 MB.
    expect(heap() - before).toBeLessThan(10 * MB);
    inbox.clear();
    expect(heap() - before).toBeLessThan(MB);
  });
});

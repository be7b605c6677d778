/**
 * The inbox bounds the bytes it holds as well as the count: past `maxRetainedBytes` of bodies it evicts its oldest
 * messages (never the newest) and counts them. Checked against a model of that rule over a run that wraps the ring
 * several times, with every held message still found by id, by `since` and in the listing.
 */
import { describe, expect, it } from "vitest";
import { createMockJelou } from "../../mock/index.js";
import { Inbox, MAX_RETAINED_BYTES } from "../../mock/inbox/inbox.js";
import { validateHealth } from "../../generated/mock/validators.js";

function body(bytes: number) {
  return { title: "t", text: "x".repeat(bytes), caption: "c", parameters: { flow_name: "f", flow_cta: "Go", flow_action_payload: { screen: "S" } } };
}

/** A deterministic spread of sizes, small and large. */
function sizes(n: number): number[] {
  let a = 7;
  return Array.from({ length: n }, () => {
    a = (a * 1103515245 + 12345) % 2147483648;
    return a % 5 === 0 ? 3000 + (a % 2000) : 50 + (a % 400);
  });
}

describe("the inbox's retained-bytes bound", () => {
  it("holds at most maxRetainedBytes of bodies, evicting oldest first, as a model of the rule says", () => {
    const maxMessages = 8;
    const maxBytes = 6000;
    const inbox = new Inbox(maxMessages, 10, maxBytes);
    const model: { id: string; bytes: number }[] = [];
    for (const size of sizes(200)) {
      const text = JSON.stringify(body(size));
      const { id } = inbox.record({ botId: "b", userId: "1", body: body(size) as never }, text);
      model.push({ id, bytes: Buffer.byteLength(text) });
      if (model.length > maxMessages) model.shift();
      while (model.reduce((sum, m) => sum + m.bytes, 0) > maxBytes && model.length > 1) model.shift();
      const held = inbox.list({ limit: 100 }).map((m) => m.id);
      expect(held).toEqual(model.map((m) => m.id).reverse());
      const stats = inbox.stats();
      expect(stats.retainedBytes).toBe(model.reduce((sum, m) => sum + m.bytes, 0));
      expect(stats.retainedBytes).toBeLessThanOrEqual(Math.max(maxBytes, model.at(-1)?.bytes ?? 0));
      expect(stats.messages + stats.evicted).toBe(stats.received);
      for (const m of model) expect(inbox.get(m.id)?.id).toBe(m.id);
      const oldest = model[0] as { id: string };
      expect(inbox.list({ since: oldest.id, limit: 100 })).toHaveLength(model.length - 1);
    }
  });

  it("100 messages of 64 KB under a 1 MiB bound: about 15 held, the rest evicted and counted, the newest always held", () => {
    const inbox = new Inbox(1000, 1000, 1024 * 1024);
    let last = "";
    for (let i = 0; i < 100; i++) last = inbox.record({ botId: "b", userId: "1", body: body(64 * 1024) as never }).id;
    const stats = inbox.stats();
    expect(stats.retainedBytes).toBeLessThanOrEqual(1024 * 1024);
    expect(stats.messages).toBeGreaterThan(10);
    expect(stats.messages).toBeLessThan(17);
    expect(stats.evicted).toBe(100 - stats.messages);
    expect(inbox.get("latest")?.id).toBe(last);
    const huge = inbox.record({ botId: "b", userId: "1", body: body(2 * 1024 * 1024) as never });
    expect(inbox.stats().messages).toBe(1);
    expect(inbox.get(huge.id)?.id).toBe(huge.id);
    inbox.clear();
    expect(inbox.stats().retainedBytes).toBe(0);
  });

  it("the mock's default bound is MAX_RETAINED_BYTES, reported by /__mock/health", async () => {
    const mock = createMockJelou({ env: false });
    const health = (await (await mock.fetch("/__mock/health")).json()) as { inbox: { maxRetainedBytes: number; retainedBytes: number } };
    expect(validateHealth(health)).toBe(true);
    expect(health.inbox.maxRetainedBytes).toBe(MAX_RETAINED_BYTES);
    expect(health.inbox.retainedBytes).toBe(0);
    mock.replies.close();
  });

  it("createMockJelou's maxRetainedBytes sets the bound, and a bad value is refused at creation", async () => {
    const mock = createMockJelou({ env: false, maxRetainedBytes: 300_000 });
    const health = (await (await mock.fetch("/__mock/health")).json()) as { inbox: { maxRetainedBytes: number } };
    expect(health.inbox.maxRetainedBytes).toBe(300_000);
    mock.replies.close();
    expect(() => createMockJelou({ env: false, maxRetainedBytes: 0 })).toThrow(/maxRetainedBytes/);
  });
});

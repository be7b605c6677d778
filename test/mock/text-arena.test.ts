import { describe, expect, it } from "vitest";
import { Inbox, type InboxMessage } from "../../mock/index.js";
import { TextArena } from "../../mock/text-arena.js";

describe("the text arena", () => {
  it("gives back every text as it was put, across slabs, in any script, and large ones too", () => {
    const arena = new TextArena();
    const texts = Array.from({ length: 3000 }, (_, i) => `{"n":${i},"t":"${"héllo 👋 مرحبا ".repeat(1 + (i % 40))}"}`);
    texts.push("x".repeat(400_000), "", "ü".repeat(300_000));
    const refs = texts.map((t) => arena.put(t));
    expect(new Set(refs.map((r) => r.slab)).size).toBeGreaterThan(2);
    refs.forEach((ref, i) => expect(arena.get(ref)).toBe(texts[i]));
  });

  it("keeps received bytes as they are, mixed with texts, across slabs and in buffers of their own", () => {
    const arena = new TextArena();
    const texts = Array.from({ length: 3000 }, (_, i) => `{"n":${i},"t":"${"ñandú 日本 ".repeat(1 + (i % 50))}"}`);
    texts.push("y".repeat(300_000));
    // Bytes given as a view into a larger buffer, as Node's HTTP parser hands out body chunks.
    const refs = texts.map((t, i) => {
      if (i % 2 === 0) return arena.put(t);
      const pool = Buffer.from(`garbage${t}garbage`);
      return arena.putBytes(pool.subarray(7, pool.length - 7));
    });
    expect(new Set(refs.map((r) => r.slab)).size).toBeGreaterThan(2);
    refs.forEach((ref, i) => expect(arena.get(ref)).toBe(texts[i]));
  });
});

describe("an inbox over many slabs", () => {
  it("reads back every held body exactly, after eviction has freed the oldest", () => {
    const inbox = new Inbox(500);
    const bodies: InboxMessage["body"][] = [];
    for (let i = 0; i < 5000; i++) {
      const body = {
        title: `Título ${i} ✅`,
        text: "ñ".repeat(i % 1000),
        caption: "Jelou",
        parameters: { flow_name: `flow_${i % 7}`, flow_cta: "Go" },
        payload: { i },
      };
      bodies.push(body);
      inbox.record({ botId: "b", userId: "593987654321", body, clientId: "c" });
    }
    const held = inbox.list({ limit: 500 }).reverse();
    expect(held.map((m) => m.body)).toEqual(bodies.slice(-500));
    expect(inbox.list({ flowName: "flow_3", limit: 1000 }).every((m) => m.body.parameters.flow_name === "flow_3")).toBe(true);
  });
});

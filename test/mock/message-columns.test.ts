/**
 * The inbox keeps messages in columns that grow by doubling and then wrap around; these tests cross both boundaries
 * and read every field back.
 */
import { describe, expect, it } from "vitest";
import { Inbox } from "../../mock/index.js";
import { MessageColumns } from "../../mock/message-columns.js";

function body(i: number) {
  return { title: `T${i}`, text: "x", caption: "c", parameters: { flow_name: `flow_${i % 3}`, flow_cta: "Go" } };
}

describe("the inbox's message columns", () => {
  it("reads back every field after growing past its first allocation and wrapping around", () => {
    const inbox = new Inbox(150);
    const ids: string[] = [];
    for (let i = 0; i < 400; i++) {
      const userId = i % 7 === 0 ? `user-${i}` : String(593900000000 + i);
      const message = { botId: `bot-${i % 2}`, userId, body: body(i), clientId: "c1" };
      ids.push(inbox.recordId(i % 5 === 0 ? { ...message, type: "flow" } : message));
    }
    expect(inbox.stats()).toMatchObject({ messages: 150, received: 400, evicted: 250 });
    expect(inbox.get(ids[249] as string)).toBeUndefined();
    for (const i of [250, 251, 300, 399]) {
      const got = inbox.get(ids[i] as string);
      expect(got).toMatchObject({
        id: ids[i],
        botId: `bot-${i % 2}`,
        userId: i % 7 === 0 ? `user-${i}` : String(593900000000 + i),
        body: body(i),
        clientId: "c1",
      });
      expect(got?.type).toBe(i % 5 === 0 ? "flow" : undefined);
    }
    const listed = inbox.list({ limit: 1000 });
    expect(listed.map((m) => m.id)).toEqual(ids.slice(250).reverse());
    expect(inbox.list({ flowName: "flow_1", botId: "bot-0", limit: 1000 }).map((m) => m.body.title)).toEqual(
      [...Array(400).keys()].filter((i) => i >= 250 && i % 3 === 1 && i % 2 === 0).reverse().map((i) => `T${i}`),
    );
    expect(inbox.list({ userId: "user-392" })).toHaveLength(1);
    expect(inbox.list({ since: ids[397] }).map((m) => m.id)).toEqual([ids[399], ids[398]]);
  });

  it("starts over cleanly after clear", () => {
    const inbox = new Inbox(100);
    for (let i = 0; i < 250; i++) inbox.record({ botId: "b", userId: String(1000 + i), body: body(i) });
    inbox.clear();
    expect(inbox.list()).toEqual([]);
    const id = inbox.recordId({ botId: "b", userId: "5939", body: body(1) });
    expect(inbox.list().map((m) => [m.id, m.userId, m.body.title])).toEqual([[id, "5939", "T1"]]);
  });

  it("gives back user ids that only look like numbers exactly as they were sent", () => {
    const inbox = new Inbox(10);
    const odd = ["0593987654321", "1e3", "+593", "12345678901234567890", " 42", "-0", "593987654321"];
    for (const userId of odd) inbox.record({ botId: "b", userId, body: body(0) });
    expect(inbox.list().map((m) => m.userId).reverse()).toEqual(odd);
  });

  it("lets go of the strings and buffers of evicted rows, and of all of them on clear", () => {
    const columns = new MessageColumns(10);
    for (let i = 0; i < 1000; i++) {
      // A buffer of its own per row, and strings that never repeat: every evicted row must give them back.
      columns.push({
        seq: i + 1,
        at: i,
        botId: `bot-${i}`,
        userId: i % 2 === 0 ? String(593900000000 + i) : `u${i}`,
        flowName: `flow-${i}`,
        type: i % 3 === 0 ? `type-${i}` : undefined,
        clientId: "shared-client",
        slab: Buffer.from(`{"i":${i}}`),
        start: 0,
        end: `{"i":${i}}`.length,
      });
    }
    expect(columns.size).toBe(10);
    // 10 rows: 10 bot ids, 10 flow names, at most 4 types, and the one shared client id.
    expect(columns.heldValues.strings).toBeLessThanOrEqual(10 + 10 + 4 + 1);
    expect(columns.heldValues.slabs).toBe(10);
    expect(columns.at(0)).toMatchObject({ seq: 991, botId: "bot-990", userId: "593900000990", flowName: "flow-990", type: "type-990" });
    expect(columns.at(9)).toMatchObject({ seq: 1000, userId: "u999", type: "type-999", clientId: "shared-client" });
    expect(columns.at(8)).toMatchObject({ seq: 999, userId: "593900000998", type: undefined });
    expect(columns.at(9)?.slab.toString()).toBe('{"i":999}');
    columns.clear();
    expect(columns.heldValues).toEqual({ strings: 0, slabs: 0 });
  });
});

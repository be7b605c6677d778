import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { writeFile } from "node:fs/promises";
import { JournalInUseError, JournalMismatchError } from "../../src/bulk/journal.js";
import { BulkValidationError, sendFlowMessages } from "../../src/bulk/send-flow-messages.js";
import type { BulkPlan, BulkResult, PlannedSend } from "../../src/bulk/types.js";
import { collect, fakeSender, jelouError, rows, tempDir, TEMPLATE } from "./helpers.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

const byStatus = (results: BulkResult[]) =>
  results.reduce<Record<string, number>>((acc, r) => ((acc[r.status] = (acc[r.status] ?? 0) + 1), acc), {});

describe("sendFlowMessages", () => {
  it("sends every valid row once, with the template filled, and yields each outcome", async () => {
    const sender = fakeSender();
    const results = await collect(sendFlowMessages(sender, rows(20), { template: TEMPLATE, botId: "bot-1", concurrency: 3 }));
    expect(byStatus(results)).toEqual({ sent: 20 });
    expect(sender.calls).toHaveLength(20);
    expect(sender.calls[0]).toMatchObject({ botId: "bot-1", userId: "593900000000", title: "Hi Name 0", payload: { order: "A-0" } });
    expect(sender.maxInFlight).toBeLessThanOrEqual(3);
    expect(sender.maxInFlight).toBeGreaterThan(1);
  });

  it("reports every invalid row before sending anything, then throws without sending", async () => {
    const list = rows(10);
    list[2]!.userId = "0123"; // leading zero
    list[5]!.name = "x".repeat(60); // title over 60 characters
    list[9]!.userId = "";
    const sender = fakeSender();
    const seen: BulkResult[] = [];
    const run = async () => {
      for await (const r of sendFlowMessages(sender, list, { template: TEMPLATE, botId: "bot-1", firstRowNumber: 2 })) seen.push(r);
    };
    await expect(run()).rejects.toThrow(BulkValidationError);
    expect(sender.calls).toHaveLength(0);
    expect(seen.map((r) => [r.status, r.row])).toEqual([["invalid", 4], ["invalid", 7], ["invalid", 11]]);
    const problems = seen.flatMap((r) => (r.status === "invalid" ? r.problems.map((p) => p.path) : []));
    expect(problems).toEqual(["userId", "title", "userId"]);
  });

  it("with skipInvalid sends the valid rows and still reports the invalid ones", async () => {
    const list = rows(5);
    list[1]!.userId = "abc";
    const sender = fakeSender();
    const results = await collect(sendFlowMessages(sender, list, { template: TEMPLATE, botId: "bot-1", skipInvalid: true }));
    expect(byStatus(results)).toEqual({ invalid: 1, sent: 4 });
    expect(results[0]!.status).toBe("invalid");
  });

  it("reports duplicates (the same phone written two ways) and sends them once", async () => {
    const list = [...rows(3), { userId: "+593 900-000-001", name: "Again", order: "A-9" }];
    const sender = fakeSender();
    let plan: BulkPlan | undefined;
    const results = await collect(sendFlowMessages(sender, list, { template: TEMPLATE, botId: "bot-1", onPlan: (p) => (plan = p) }));
    expect(results.find((r) => r.status === "duplicate")).toMatchObject({ row: 4, firstRow: 2, key: "bot-1:593900000001" });
    expect(sender.calls.map((c) => c.userId).sort()).toEqual(["593900000000", "593900000001", "593900000002"]);
    expect(plan).toMatchObject({ rows: 4, duplicates: 1, toSend: 3 });
  });

  it("journals each send as started before it goes out, and its outcome after", async () => {
    const journal = join(dir, "j.jsonl");
    const onDiskWhenSent: string[] = [];
    const sender = fakeSender(async (m) => {
      onDiskWhenSent.push(await readFile(journal, "utf8"));
      void m;
    });
    await collect(sendFlowMessages(sender, rows(3), { template: TEMPLATE, botId: "bot-1", journal, concurrency: 1 }));
    expect(onDiskWhenSent).toHaveLength(3);
    onDiskWhenSent.forEach((text, i) => {
      const last = JSON.parse(text.trim().split("\n").at(-1)!);
      expect(last).toMatchObject({ type: "started", key: `bot-1:59390000000${i}` });
    });
    const lines = (await readFile(journal, "utf8")).trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(["run", "started", "sent", "started", "sent", "started", "sent"]);
  });

  it("an onSendStart that throws stops the run, and leaves its recipient failed (not sent), so a resume sends it", async () => {
    const journal = join(dir, "j.jsonl");
    const first = fakeSender();
    const boom = new Error("progress bar broke");
    const onSendStart = (row: number) => {
      if (row === 3) throw boom;
    };
    const run = collect(sendFlowMessages(first, rows(5), { template: TEMPLATE, botId: "bot-1", journal, concurrency: 1, onSendStart }));
    await expect(run).rejects.toBe(boom);
    expect(first.calls.map((c) => c.userId)).toEqual(["593900000000", "593900000001"]);
    const lines = (await readFile(journal, "utf8")).trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.at(-1)).toMatchObject({ type: "failed", row: 3, key: "bot-1:593900000002", kind: "callback" });
    expect(lines.at(-1).message).toContain("not sent: onSendStart threw before the send (progress bar broke)");

    const second = fakeSender();
    const resumed = await collect(sendFlowMessages(second, rows(5), { template: TEMPLATE, botId: "bot-1", journal, resume: true }));
    expect(second.calls.map((c) => c.userId).sort()).toEqual(["593900000002", "593900000003", "593900000004"]);
    expect(byStatus(resumed)).toEqual({ skipped: 2, sent: 3 });
  });

  it("marks maybe-sent errors unknown and provable failures failed; resume retries only the failed", async () => {
    const journal = join(dir, "j.jsonl");
    const first = fakeSender((m) => {
      if (m.userId.endsWith("1")) throw jelouError("timeout", true);
      if (m.userId.endsWith("2")) throw jelouError("rate_limited", false, 429);
      if (m.userId.endsWith("3")) throw new TypeError("a bug");
    });
    const run1 = await collect(sendFlowMessages(first, rows(5), { template: TEMPLATE, botId: "bot-1", journal }));
    expect(byStatus(run1)).toEqual({ sent: 2, unknown: 2, failed: 1 });

    await expect(collect(sendFlowMessages(fakeSender(), rows(5), { template: TEMPLATE, botId: "bot-1", journal }))).rejects.toThrow(JournalInUseError);

    const second = fakeSender();
    const run2 = await collect(sendFlowMessages(second, rows(5), { template: TEMPLATE, botId: "bot-1", journal, resume: true }));
    expect(second.calls.map((c) => c.userId)).toEqual(["593900000002"]);
    expect(byStatus(run2)).toEqual({ skipped: 4, sent: 1 });
    expect(run2.filter((r) => r.status === "skipped" && r.reason === "unknown_before").map((r) => r.row)).toEqual([2, 4]);

    const third = fakeSender();
    await collect(sendFlowMessages(third, rows(5), { template: TEMPLATE, botId: "bot-1", journal, resume: true, resendUnknown: true }));
    expect(third.calls.map((c) => c.userId).sort()).toEqual(["593900000001", "593900000003"]);
  });

  it("refuses to resume with another template, bot or type unless the change is allowed, and sends nothing then", async () => {
    const journal = join(dir, "j.jsonl");
    const refuse = (last: string[]) =>
      fakeSender((m) => {
        if (last.some((digit) => m.userId.endsWith(digit))) throw jelouError("rate_limited", false, 429);
      });
    await collect(sendFlowMessages(refuse(["3", "4"]), rows(5), { template: TEMPLATE, botId: "bot-1", journal }));
    const edited = { ...TEMPLATE, title: "Hello {{name}}" };
    const refused = [
      { template: edited, botId: "bot-1" },
      { template: TEMPLATE, botId: "bot-2" },
      { template: TEMPLATE, botId: "bot-1", type: "survey" },
    ];
    for (const changed of refused) {
      const sender = fakeSender();
      const run = collect(sendFlowMessages(sender, rows(5), { ...changed, journal, resume: true }));
      await expect(run).rejects.toThrow(JournalMismatchError);
      await expect(run).rejects.toThrow(/different message.*--allow-template-change/s);
      expect(sender.calls).toHaveLength(0);
    }

    // The same template with its keys in another order is the same message.
    const reordered = { payload: TEMPLATE.payload, parameters: TEMPLATE.parameters, caption: TEMPLATE.caption, text: TEMPLATE.text, title: TEMPLATE.title };
    const same = refuse(["4"]);
    await collect(sendFlowMessages(same, rows(5), { template: reordered, botId: "bot-1", journal, resume: true }));
    expect(same.calls.map((c) => c.userId)).toEqual(["593900000003", "593900000004"]);

    // Opting in sends the rest the new message, and the journal's latest run is then the new one.
    const allowed = fakeSender();
    await collect(sendFlowMessages(allowed, rows(5), { template: edited, botId: "bot-1", journal, resume: true, allowTemplateChange: true }));
    expect(allowed.calls.map((c) => [c.userId, c.title])).toEqual([["593900000004", "Hello Name 4"]]);
    const again = fakeSender();
    await collect(sendFlowMessages(again, rows(5), { template: edited, botId: "bot-1", journal, resume: true }));
    expect(again.calls).toHaveLength(0);
    await expect(collect(sendFlowMessages(fakeSender(), rows(5), { template: TEMPLATE, botId: "bot-1", journal, resume: true }))).rejects.toThrow(
      JournalMismatchError,
    );
  });

  it("resumes a journal written before runs carried a fingerprint", async () => {
    const journal = join(dir, "j.jsonl");
    const at = new Date().toISOString();
    const lines = [
      { type: "run", at, version: 1 },
      { type: "started", at, key: "bot-1:593900000000", row: 1 },
      { type: "sent", at, key: "bot-1:593900000000", row: 1, status: 200, attempts: 1 },
    ];
    await writeFile(journal, lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
    const sender = fakeSender();
    await collect(sendFlowMessages(sender, rows(3), { template: { ...TEMPLATE, title: "Other {{name}}" }, botId: "bot-1", journal, resume: true }));
    expect(sender.calls.map((c) => c.userId)).toEqual(["593900000001", "593900000002"]);
  });

  it("stops taking rows when the signal aborts, lets sends in flight finish and journals them", async () => {
    const journal = join(dir, "j.jsonl");
    const stop = new AbortController();
    const sender = fakeSender(async (_m, call) => {
      if (call >= 5) stop.abort();
      await new Promise((r) => setTimeout(r, 20));
    });
    const results = await collect(sendFlowMessages(sender, rows(100), { template: TEMPLATE, botId: "bot-1", journal, concurrency: 4, signal: stop.signal }));
    expect(sender.calls.length).toBeLessThan(10);
    expect(results.filter((r) => r.status === "sent")).toHaveLength(sender.calls.length);
    const lines = (await readFile(journal, "utf8")).trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.type === "started")).toHaveLength(sender.calls.length);
    expect(lines.filter((l) => l.type === "sent")).toHaveLength(sender.calls.length);
  });

  it("refuses a one-shot iterator unless checkFirst is off, and then validates row by row", async () => {
    async function* once() {
      yield* rows(3);
      yield { userId: "x", name: "n", order: "o" };
    }
    await expect(sendFlowMessages(fakeSender(), once(), { template: TEMPLATE, botId: "b" }).next()).rejects.toThrow(TypeError);
    const sender = fakeSender();
    const results = await collect(sendFlowMessages(sender, once(), { template: TEMPLATE, botId: "b", checkFirst: false }));
    expect(byStatus(results)).toEqual({ sent: 3, invalid: 1 });
  });

  it("does not run ahead of a slow consumer: results waiting to be read stay bounded", async () => {
    const sender = fakeSender();
    const results = sendFlowMessages(sender, rows(1000), { template: TEMPLATE, botId: "b", concurrency: 2 });
    for (let i = 0; i < 10; i++) await results.next();
    await new Promise((r) => setTimeout(r, 100));
    // 10 read, at most 4 per worker queued, and one in the hands of each worker.
    expect(sender.calls.length).toBeLessThanOrEqual(10 + 2 * 4 + 2);
    await results.return(undefined);
    const settled = sender.calls.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(sender.calls.length).toBe(settled); // breaking out of the loop stops the run
  });

  it("hands onPlan the first send planned: past rows already sent, filled in as it will go out", async () => {
    const journal = join(dir, "j.jsonl");
    await collect(sendFlowMessages(fakeSender(), rows(2), { template: TEMPLATE, botId: "b", journal }));
    let first: PlannedSend | undefined;
    await collect(sendFlowMessages(fakeSender(), rows(5), { template: TEMPLATE, botId: "b", journal, resume: true, dryRun: true, onPlan: (_p, f) => (first = f) }));
    expect(first).toMatchObject({ row: 3, key: "b:593900000002", userId: "593900000002", message: { title: "Hi Name 2", payload: { order: "A-2" } } });
    let none: PlannedSend | undefined | "unset" = "unset";
    await collect(sendFlowMessages(fakeSender(), rows(2), { template: TEMPLATE, botId: "b", journal, resume: true, dryRun: true, onPlan: (_p, f) => (none = f) }));
    expect(none).toBeUndefined();
  });

  it("dryRun checks and plans but sends nothing", async () => {
    const sender = fakeSender();
    let plan: BulkPlan | undefined;
    const results = await collect(sendFlowMessages(sender, rows(7), { template: TEMPLATE, botId: "b", dryRun: true, onPlan: (p) => (plan = p) }));
    expect(results).toEqual([]);
    expect(plan?.toSend).toBe(7);
    expect(sender.calls).toHaveLength(0);
  });
});

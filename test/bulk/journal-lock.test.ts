import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JournalInUseError } from "../../src/bulk/journal.js";
import { BulkValidationError, sendFlowMessages } from "../../src/bulk/send-flow-messages.js";
import { collect, fakeSender, rows, tempDir, TEMPLATE } from "./helpers.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

const slow = () => fakeSender(() => new Promise((r) => setTimeout(r, 5)));
const unique = (calls: { userId: string }[]) => new Set(calls.map((c) => c.userId)).size;

/** The number of a process that has ended: one that ran and exited here. */
function deadPid(): number {
  return spawnSync(process.execPath, ["-e", ""]).pid!;
}

describe("two runs on one journal", () => {
  it("at the same instant: one runs, the other is refused naming the lock and its holder; nobody is sent twice", async () => {
    const journal = join(dir, "j.jsonl");
    const [a, b] = [slow(), slow()];
    const settled = await Promise.allSettled([
      collect(sendFlowMessages(a, rows(30), { template: TEMPLATE, botId: "b", journal, resume: true })),
      collect(sendFlowMessages(b, rows(30), { template: TEMPLATE, botId: "b", journal, resume: true })),
    ]);
    const refused = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected");
    expect(refused).toHaveLength(1);
    const error = refused[0]!.reason as JournalInUseError;
    expect(error).toBeInstanceOf(JournalInUseError);
    expect(error.lock).toMatchObject({ path: `${journal}.lock`, holder: { pid: process.pid, host: hostname() } });
    expect(error.message).toContain(`${journal}.lock`);
    expect(error.message).toContain(`process ${process.pid} on this host`);
    expect(error.message).toMatch(/Wait for that run to end/);
    expect(a.calls.length + b.calls.length).toBe(30);
    expect(unique([...a.calls, ...b.calls])).toBe(30);
    expect(existsSync(`${journal}.lock`)).toBe(false);
  });

  it("while the first is sending: the second (--resume) is refused before sending anything", async () => {
    const journal = join(dir, "j.jsonl");
    const first = slow();
    const running = collect(sendFlowMessages(first, rows(40), { template: TEMPLATE, botId: "b", journal, concurrency: 1 }));
    while (first.calls.length < 3) await new Promise((r) => setTimeout(r, 2));
    const second = fakeSender();
    await expect(collect(sendFlowMessages(second, rows(40), { template: TEMPLATE, botId: "b", journal, resume: true }))).rejects.toThrow(JournalInUseError);
    expect(second.calls).toHaveLength(0);
    await running;
    expect(unique(first.calls)).toBe(40);
    const after = fakeSender();
    await collect(sendFlowMessages(after, rows(40), { template: TEMPLATE, botId: "b", journal, resume: true }));
    expect(after.calls).toHaveLength(0); // the lock was released: the resume ran, and found everyone sent
  });
});

describe("the journal's lock is released however the run ends", () => {
  const lockOf = (journal: string) => `${journal}.lock`;

  it("after invalid rows, a dry run, breaking out of the loop, and a stop signal", async () => {
    const journal = join(dir, "j.jsonl");
    const bad = rows(3);
    bad[1]!.userId = "0123";
    await expect(collect(sendFlowMessages(fakeSender(), bad, { template: TEMPLATE, botId: "b", journal }))).rejects.toThrow(BulkValidationError);
    expect(existsSync(lockOf(journal))).toBe(false);

    await collect(sendFlowMessages(fakeSender(), rows(3), { template: TEMPLATE, botId: "b", journal, dryRun: true }));
    expect(existsSync(lockOf(journal))).toBe(false);

    const iterator = sendFlowMessages(slow(), rows(50), { template: TEMPLATE, botId: "b", journal });
    await iterator.next();
    expect(existsSync(lockOf(journal))).toBe(true);
    await iterator.return(undefined);
    expect(existsSync(lockOf(journal))).toBe(false);

    const stop = new AbortController();
    const stopped = fakeSender((_m, call) => void (call === 2 && stop.abort()));
    await collect(sendFlowMessages(stopped, rows(50), { template: TEMPLATE, botId: "b", journal, resume: true, signal: stop.signal }));
    expect(stopped.calls.length).toBeLessThan(50);
    expect(existsSync(lockOf(journal))).toBe(false);
  });

  it("after the journal refuses the run (an earlier run without resume)", async () => {
    const journal = join(dir, "j.jsonl");
    await collect(sendFlowMessages(fakeSender(), rows(2), { template: TEMPLATE, botId: "b", journal }));
    await expect(collect(sendFlowMessages(fakeSender(), rows(2), { template: TEMPLATE, botId: "b", journal }))).rejects.toThrow(/already records an earlier run/);
    expect(existsSync(lockOf(journal))).toBe(false);
  });
});

describe("a lock left behind", () => {
  const lock = (pid: number, host = hostname()) => JSON.stringify({ pid, host, at: "2026-01-01T00:00:00.000Z", id: "left-behind" });

  it("by a process of this host that no longer runs is taken over, and the run says so", async () => {
    const journal = join(dir, "j.jsonl");
    const pid = deadPid();
    await writeFile(`${journal}.lock`, lock(pid));
    const warnings: string[] = [];
    const sender = fakeSender();
    await collect(sendFlowMessages(sender, rows(5), { template: TEMPLATE, botId: "b", journal, onWarning: (w) => warnings.push(w) }));
    expect(sender.calls).toHaveLength(5);
    expect(warnings.join("\n")).toContain(`left by process ${pid} on this host`);
    expect(warnings.join("\n")).toContain("took the lock over");
    expect(existsSync(`${journal}.lock`)).toBe(false);
  });

  it("by another host, or saying nothing of its holder, is not taken over: the run is refused and says what to do", async () => {
    const journal = join(dir, "j.jsonl");
    await writeFile(`${journal}.lock`, lock(deadPid(), "build-server-2"));
    const elsewhere = collect(sendFlowMessages(fakeSender(), rows(2), { template: TEMPLATE, botId: "b", journal }));
    await expect(elsewhere).rejects.toThrow(JournalInUseError);
    await expect(elsewhere).rejects.toThrow(/on host build-server-2 .*If it no longer runs on build-server-2, delete .*j\.jsonl\.lock/);

    await writeFile(`${journal}.lock`, "");
    await expect(collect(sendFlowMessages(fakeSender(), rows(2), { template: TEMPLATE, botId: "b", journal }))).rejects.toThrow(/does not say which run holds it/);
    expect(existsSync(`${journal}.lock`)).toBe(true); // not ours to remove
  });
});

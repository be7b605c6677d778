import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JournalWriteError, type JournalFileOps } from "../../src/bulk/journal.js";
import { sendFlowMessages } from "../../src/bulk/send-flow-messages.js";
import { collect, fakeSender, rows, tempDir, TEMPLATE } from "./helpers.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

/** The real file system, but a disk of `capacity` bytes, writes of at most `chunk` bytes, and a sync that may fail. */
function faultyDisk(capacity: number, chunk: number, failSync?: (call: number) => NodeJS.ErrnoException | undefined) {
  let used = 0;
  let syncs = 0;
  const stats = { writes: 0 };
  const ops: JournalFileOps = {
    async write(handle, buffer, offset, length) {
      stats.writes++;
      const room = capacity - used;
      if (room <= 0) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
      const n = Math.min(length, chunk, room);
      const result = await handle.write(buffer, offset, n);
      used += result.bytesWritten;
      return result;
    },
    async datasync(handle) {
      const error = failSync?.(++syncs);
      if (error) throw error;
      await handle.datasync();
    },
  };
  return { ops, stats };
}

/** The recipients whose whole "started" line is in the journal. */
async function startedKeys(journal: string): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const line of (await readFile(journal, "utf8")).split("\n")) {
    try {
      const entry = JSON.parse(line) as { type?: string; key?: string };
      if (entry.type === "started") keys.add(entry.key!.split(":")[1]!);
    } catch {
      // a torn line
    }
  }
  return keys;
}

const options = (journal: string, journalFileOps?: JournalFileOps) => ({ template: TEMPLATE, botId: "b", journal, resume: true, concurrency: 8, ...(journalFileOps && { journalFileOps }) });

describe("the journal on a disk that writes short and fails", () => {
  it("completes short writes: every line whole, written in pieces of 7 bytes", async () => {
    const journal = join(dir, "j.jsonl");
    const disk = faultyDisk(Infinity, 7);
    const sender = fakeSender();
    const results = await collect(sendFlowMessages(sender, rows(40), options(journal, disk.ops)));
    expect(results.filter((r) => r.status === "sent")).toHaveLength(40);
    const lines = (await readFile(journal, "utf8")).trimEnd().split("\n");
    expect(disk.stats.writes).toBeGreaterThan(lines.length);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(lines.filter((l) => l.includes('"started"'))).toHaveLength(40);
  });

  for (const capacity of [100, 700, 2_000, 5_003, 9_999]) {
    it(`full after ${capacity} bytes (ENOSPC): stops with JournalWriteError, no send without its line, a resume sends nobody twice`, async () => {
      const journal = join(dir, "j.jsonl");
      const sender = fakeSender();
      const run = collect(sendFlowMessages(sender, rows(200), options(journal, faultyDisk(capacity, 61).ops)));
      const error = await run.then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(JournalWriteError);
      expect((error as JournalWriteError).code).toBe("ENOSPC");
      expect((error as Error).message).toContain(journal);
      const started = await startedKeys(journal);
      for (const call of sender.calls) expect(started.has(call.userId)).toBe(true);
      expect(sender.calls.length).toBeLessThan(200);

      const again = fakeSender();
      await collect(sendFlowMessages(again, rows(200), options(journal)));
      const all = [...sender.calls, ...again.calls].map((c) => c.userId);
      expect(new Set(all).size).toBe(all.length);
    });
  }

  for (const failing of [1, 2, 5, 9]) {
    it(`sync ${failing} fails with EIO: the run stops, and no send went out after its line failed`, async () => {
      const journal = join(dir, "j.jsonl");
      const sender = fakeSender();
      const eio = Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" });
      const disk = faultyDisk(Infinity, 1 << 20, (call) => (call === failing ? eio : undefined));
      const error = await collect(sendFlowMessages(sender, rows(100), options(journal, disk.ops))).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(JournalWriteError);
      expect((error as JournalWriteError).code).toBe("EIO");
      const started = await startedKeys(journal);
      for (const call of sender.calls) expect(started.has(call.userId)).toBe(true);
      expect(sender.calls.length).toBeLessThan(100);
    });
  }
});

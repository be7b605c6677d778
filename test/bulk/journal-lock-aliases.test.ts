import { link, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JournalInUseError } from "../../src/bulk/journal.js";
import { sendFlowMessages } from "../../src/bulk/send-flow-messages.js";
import { collect, fakeSender, rows, tempDir, TEMPLATE } from "./helpers.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

const slow = () => fakeSender(() => new Promise((r) => setTimeout(r, 3)));

/** Two runs at once, one on each name: exactly one is refused with the lock's error, and nobody is sent twice. */
async function twoRuns(first: string, second: string): Promise<void> {
  const [a, b] = [slow(), slow()];
  const settled = await Promise.allSettled([
    collect(sendFlowMessages(a, rows(60), { template: TEMPLATE, botId: "b", journal: first, resume: true })),
    collect(sendFlowMessages(b, rows(60), { template: TEMPLATE, botId: "b", journal: second, resume: true })),
  ]);
  const refused = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected");
  expect(refused).toHaveLength(1);
  expect(refused[0]!.reason).toBeInstanceOf(JournalInUseError);
  expect((refused[0]!.reason as Error).message).toMatch(/is in use by another run/);
  const users = [...a.calls, ...b.calls].map((c) => c.userId);
  expect(users).toHaveLength(60);
  expect(new Set(users).size).toBe(60);
}

describe("the journal's lock is on the real file, whatever it is called", () => {
  it("a symbolic link to the journal is refused while a run holds it", async () => {
    const journal = join(dir, "j.jsonl");
    await writeFile(journal, "");
    await symlink(journal, join(dir, "alias.jsonl"));
    await twoRuns(journal, join(dir, "alias.jsonl"));
  });

  it("a hard link to the journal is refused while a run holds it", async () => {
    const journal = join(dir, "j.jsonl");
    await writeFile(journal, "");
    await link(journal, join(dir, "hard.jsonl"));
    await twoRuns(journal, join(dir, "hard.jsonl"));
  });

  it("a symbolic link to a journal not made yet is refused too", async () => {
    const journal = join(dir, "new.jsonl");
    await symlink(journal, join(dir, "dangling.jsonl"));
    await twoRuns(join(dir, "dangling.jsonl"), journal);
  });
});

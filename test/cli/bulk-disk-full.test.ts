import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/cli/exit-codes.js";
import { CREDENTIALS, csvOf, inboxCounts, runCliProcess, useMockAndWorkspace } from "./helpers.js";

const ctx = useMockAndWorkspace();
let disk: string;
let mounted = false;
const mount = (...args: string[]) => spawnSync("mount", args, { encoding: "utf8" });

beforeAll(() => {
  disk = join(ctx.ws.dir, "disk");
  mkdirSync(disk);
  mounted = mount("-t", "tmpfs", "-o", "size=64k", "tmpfs", disk).status === 0;
});
afterAll(() => {
  if (mounted) spawnSync("umount", [disk]);
});

/** Recipients of the journal with a whole "started" line. */
function startedUsers(journal: string): Set<string> {
  const users = new Set<string>();
  for (const line of readFileSync(journal, "utf8").split("\n")) {
    try {
      const entry = JSON.parse(line) as { type?: string; key?: string };
      if (entry.type === "started") users.add(entry.key!.split(":")[1]!);
    } catch {
      // torn by the full disk
    }
  }
  return users;
}

describe("bulk with its journal on a full disk (a 64 KiB tmpfs)", () => {
  it("stops with exit 16 naming the journal and the space to free; --resume after freeing space sends nobody twice", async (test) => {
    if (!mounted) test.skip("mount -t tmpfs failed (not root, or no mount permission): the real full-disk case cannot run here");
    const list = await ctx.ws.file("list.csv", csvOf(2000));
    const journal = join(disk, "list.journal.jsonl");
    const env = { ...CREDENTIALS, JELOU_BASE_URL: ctx.server.url };
    const args = ["bulk", list, "--template", ctx.ws.template, "--bot", "bot-1", "--journal", journal, "--concurrency", "16", "--progress", "none"];
    const first = await runCliProcess(args, env);
    expect(first.code, first.stderr).toBe(EXIT.journalWrite);
    expect(first.stderr).toContain(`The journal ${journal} cannot be written: the disk is full (ENOSPC)`);
    expect(first.stderr).toMatch(/Free at least \d+ KiB/);
    const sentFirst = inboxCounts(ctx.server.mock);
    expect(sentFirst.size).toBeGreaterThan(0);
    expect(sentFirst.size).toBeLessThan(2000);
    const started = startedUsers(journal);
    for (const user of sentFirst.keys()) expect(started.has(user), user).toBe(true);

    expect(mount("-o", "remount,size=4m", disk).status).toBe(0);
    const second = await runCliProcess([...args, "--resume"], env);
    expect([EXIT.ok, EXIT.bulkUnknown], second.stderr).toContain(second.code);
    const counts = inboxCounts(ctx.server.mock);
    expect([...counts.values()].filter((n) => n > 1)).toEqual([]);
    expect(counts.size).toBeGreaterThan(sentFirst.size);
  });
});

import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { CREDENTIALS, csvOf, inboxCounts, jsonLines, runCliProcess, runInProcess, startCli, useMockAndWorkspace } from "./helpers.js";

const t = useMockAndWorkspace();
const env = () => ({ ...CREDENTIALS, JELOU_BASE_URL: t.server.url });

describe("an unusable --journal path", () => {
  it.each([
    ["in a folder that does not exist", (dir: string) => `${dir}/no-such-folder/list.jsonl`, /its folder .*no-such-folder does not exist\. Create the folder, or choose another journal file \(--journal FILE\)/],
    ["that is a folder", (dir: string) => `${dir}/a-folder`, /it is a folder, not a file\. Name a file in it, such as .*a-folder\/list\.journal\.jsonl/],
    ["under a file", (dir: string) => `${dir}/plain.csv/list.jsonl`, /is a file and not a folder/],
  ])("%s is a usage error naming the path, before the check and before any send", async (_, journalIn, message) => {
    t.server.mock.inbox.clear();
    await mkdir(`${t.ws.dir}/a-folder`, { recursive: true });
    const csv = await t.ws.file("plain.csv", csvOf(5));
    const journal = journalIn(t.ws.dir);
    for (const dryRun of [[], ["--dry-run"]]) {
      const run = await runInProcess(["bulk", csv, "--template", t.ws.template, "--bot", "bot-1", "--journal", journal, "--progress", "none", ...dryRun], env());
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(`The journal ${journal} cannot be used: `);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toContain("Checked 5 rows");
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
    expect(t.server.mock.inbox.list()).toHaveLength(0);
  });
});

describe("two bulk processes on one journal", () => {
  it("the second is refused (exit 2) naming the lock file and the first's process; after the first stops, --resume finishes the list once", { timeout: 60_000 }, async () => {
    t.server.mock.inbox.clear();
    const N = 200;
    const csv = await t.ws.file("shared.csv", csvOf(N));
    const journal = `${t.ws.dir}/shared.jsonl`;
    const args = ["bulk", csv, "--template", t.ws.template, "--bot", "bot-1", "--journal", journal, "--rate", "100/s", "--progress", "none"];
    t.server.mock.faults.setLatency(20);
    const first = startCli(args, env());
    const sent = async () => (existsSync(journal) ? jsonLines(await readFile(journal, "utf8")).filter((l) => l.type === "sent").length : 0);
    for (let i = 0; i < 300 && (await sent()) < 10; i++) await new Promise((r) => setTimeout(r, 50));

    const second = await runCliProcess([...args, "--resume"], env());
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`is in use by another run: process ${first.child.pid} on this host has held its lock ${journal}.lock`);
    expect(second.stderr).toContain("Wait for that run to end");

    first.child.kill("SIGINT");
    const stopped = await first.done;
    t.server.mock.faults.setLatency(0);
    expect(stopped.code).toBe(130);
    expect(existsSync(`${journal}.lock`)).toBe(false);

    const resumed = await runCliProcess([...args, "--rate", "0", "--resume"], env());
    expect(resumed.code, resumed.stderr).toBe(0);
    const counts = inboxCounts(t.server.mock);
    expect(counts.size).toBe(N);
    expect(Math.max(...counts.values())).toBe(1);
  });
});

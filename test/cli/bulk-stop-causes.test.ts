import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { CREDENTIALS, csvOf, inboxCounts, jsonLines, runCliProcess, startCli, useMockAndWorkspace } from "./helpers.js";

const t = useMockAndWorkspace();

/** Every started send has its outcome in the journal; returns how many were sent. */
async function consistentJournal(journal: string): Promise<number> {
  const lines = jsonLines(await readFile(journal, "utf8"));
  const started = lines.filter((l) => l.type === "started").map((l) => l.key).sort();
  const outcomes = lines.filter((l) => l.type === "sent" || l.type === "failed" || l.type === "unknown").map((l) => l.key).sort();
  expect(outcomes).toEqual(started);
  return lines.filter((l) => l.type === "sent").length;
}

describe("a bulk run asked to stop by something other than Ctrl-C", () => {
  const setUp = async (name: string, first: number, extra: string[]) => {
    t.server.mock.inbox.clear();
    const N = 300;
    const csv = await t.ws.file(`${name}.csv`, csvOf(N, (i, cells) => [String(first + i), ...cells.slice(1)]));
    const journal = `${t.ws.dir}/${name}.jsonl`;
    const args = ["bulk", csv, "--template", t.ws.template, "--bot", "bot-1", "--journal", journal, "--rate", "100/s", "--progress", "none", ...extra];
    return { N, journal, args, env: { ...CREDENTIALS, JELOU_BASE_URL: t.server.url } };
  };

  const resumeSendsTheRestOnce = async (args: string[], env: Record<string, string>, N: number) => {
    const resumed = await runCliProcess([...args, "--resume", "--rate", "0"], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    const counts = inboxCounts(t.server.mock);
    expect(counts.size).toBe(N);
    expect(Math.max(...counts.values())).toBe(1);
  };

  it("its stdout closed early (--json | head -1): no crash; the sends in flight finish and are journaled; exit 130", { timeout: 60_000 }, async () => {
    const { N, journal, args, env } = await setUp("epipe", 593_700_000_000, ["--json"]);
    t.server.mock.faults.setLatency(30); // so that sends are in flight when the pipe closes
    const run = startCli(args, env);
    await new Promise((resolve) => run.child.stdout!.once("data", resolve)); // head -1 reads the plan line...
    run.child.stdout!.destroy(); // ...and exits
    const stopped = await run.done;
    t.server.mock.faults.setLatency(0);
    expect(stopped.stderr).not.toMatch(/EPIPE|Unexpected error|\n\s+at /);
    expect(stopped.stderr).toContain("Stopping: the output was closed");
    expect(stopped.code).toBe(130);
    const sent = await consistentJournal(journal);
    expect(sent).toBeLessThan(N);
    expect(inboxCounts(t.server.mock).size).toBe(sent);
    expect(existsSync(`${journal}.lock`)).toBe(false);
    await resumeSendsTheRestOnce(args, env, N);
  });

  it("SIGHUP (its terminal closed) stops it as SIGTERM does: exit 130, journal consistent", { timeout: 60_000 }, async () => {
    const { N, journal, args, env } = await setUp("sighup", 593_600_000_000, []);
    t.server.mock.faults.setLatency(30);
    const run = startCli(args, env);
    const sent = async () => (existsSync(journal) ? jsonLines(await readFile(journal, "utf8")).filter((l) => l.type === "sent").length : 0);
    for (let i = 0; i < 300 && (await sent()) < 20; i++) await new Promise((r) => setTimeout(r, 50));
    run.child.kill("SIGHUP");
    const stopped = await run.done;
    t.server.mock.faults.setLatency(0);
    expect(stopped.signal).toBeNull();
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain("Stopping: no new sends");
    expect(await consistentJournal(journal)).toBeLessThan(N);
    await resumeSendsTheRestOnce(args, env, N);
  });
});

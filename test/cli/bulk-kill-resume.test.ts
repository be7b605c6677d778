import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { CREDENTIALS, csvOf, inboxCounts, jsonLines, phone, runCliProcess, startCli, useMockAndWorkspace } from "./helpers.js";

const t = useMockAndWorkspace();

async function journalLines(path: string) {
  try {
    return jsonLines(await readFile(path, "utf8"));
  } catch {
    return [];
  }
}

describe("a bulk run killed midway (SIGKILL) and resumed", () => {
  it("sends nobody twice, and reports the sends in flight at the kill as unknown", { timeout: 60_000 }, async () => {
    const N = 400;
    const csv = await t.ws.file("list.csv", csvOf(N));
    const journal = `${t.ws.dir}/journal.jsonl`;
    const env = { ...CREDENTIALS, JELOU_BASE_URL: t.server.url };
    const args = ["bulk", csv, "--template", t.ws.template, "--bot", "bot-1", "--journal", journal, "--concurrency", "4", "--rate", "100/s", "--progress", "none"];
    t.server.mock.faults.setLatency(30); // so that sends are in flight when the process dies

    const run = startCli(args, env);
    for (let i = 0; i < 300 && (await journalLines(journal)).filter((l) => l.type === "sent").length < 80; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    process.kill(-run.child.pid!, "SIGKILL");
    const killed = await run.done;
    expect(killed.signal).toBe("SIGKILL");
    const atKill = await journalLines(journal);
    const sentAtKill = atKill.filter((l) => l.type === "sent").length;
    expect(sentAtKill).toBeGreaterThanOrEqual(80);
    expect(sentAtKill).toBeLessThan(N);
    await new Promise((r) => setTimeout(r, 100)); // let the mock finish answering what was in flight
    t.server.mock.faults.setLatency(0);

    const resumed = await runCliProcess([...args, "--resume"], env);
    // The killed run could not release the journal's lock: the resume takes it over, and says so.
    expect(resumed.stderr).toContain(`lock ${journal}.lock was left by process ${run.child.pid} on this host`);
    expect(existsSync(`${journal}.lock`)).toBe(false);
    const after = await journalLines(journal);
    const outcome = new Map<string, string>();
    for (const l of after) if (l.type !== "run") outcome.set(String(l.key), outcome.get(String(l.key)) === "sent" ? "sent" : String(l.type));
    const unknown = [...outcome].filter(([, state]) => state === "started").map(([key]) => key.split(":")[1]!);
    expect(resumed.code).toBe(unknown.length > 0 ? 14 : 0);
    expect(unknown.length).toBeLessThanOrEqual(4);

    const counts = inboxCounts(t.server.mock);
    expect(Math.max(...counts.values())).toBe(1); // nobody twice
    for (let i = 0; i < N; i++) {
      if (!unknown.includes(phone(i))) expect(counts.get(phone(i)), `recipient ${i}`).toBe(1);
    }
    if (unknown.length > 0) expect(resumed.stderr).toContain(`${unknown.length} ${unknown.length === 1 ? "was" : "were"} left alone`);
  });
});

describe("a bulk run stopped with Ctrl-C (SIGINT to the process)", () => {
  it("finishes the sends in flight, exits 130 with every started send journaled, and resumes where it stopped", { timeout: 60_000 }, async () => {
    const N = 300;
    const csv = await t.ws.file("sigint.csv", csvOf(N, (i, cells) => [String(593_800_000_000 + i), ...cells.slice(1)]));
    const journal = `${t.ws.dir}/sigint.jsonl`;
    const env = { ...CREDENTIALS, JELOU_BASE_URL: t.server.url };
    const args = ["bulk", csv, "--template", t.ws.template, "--bot", "bot-2", "--journal", journal, "--concurrency", "4", "--rate", "100/s", "--progress", "none"];
    t.server.mock.faults.setLatency(30);
    const run = startCli(args, env);
    for (let i = 0; i < 300 && (await journalLines(journal)).filter((l) => l.type === "sent").length < 40; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    run.child.kill("SIGINT");
    const stopped = await run.done;
    t.server.mock.faults.setLatency(0);
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain("Stopping: no new sends");
    expect(existsSync(`${journal}.lock`)).toBe(false);
    const lines = await journalLines(journal);
    const started = lines.filter((l) => l.type === "started").map((l) => l.key).sort();
    const outcomes = lines.filter((l) => l.type === "sent").map((l) => l.key).sort();
    expect(outcomes).toEqual(started); // nothing left in flight: no unknown
    expect(started.length).toBeLessThan(N);

    const resumed = await runCliProcess([...args, "--resume"], env);
    expect(resumed.code).toBe(0);
    const counts = inboxCounts(t.server.mock);
    for (let i = 0; i < N; i++) expect(counts.get(String(593_800_000_000 + i))).toBe(1);
  });
});

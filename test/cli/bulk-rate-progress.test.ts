import { execFileSync } from "node:child_process";
import { beforeEach, describe, expect, it } from "vitest";
import { CLI, CREDENTIALS, csvOf, runCliProcess, startProcess, useMockAndWorkspace } from "./helpers.js";

const t = useMockAndWorkspace();
beforeEach(() => t.server.mock.inbox.clear());

const hasScript = (() => {
  try {
    execFileSync("script", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

describe("bulk --rate", () => {
  it("holds the rate within 10% over the run, as the mock saw it", { timeout: 30_000 }, async () => {
    const N = 101;
    const csv = await t.ws.file("rate.csv", csvOf(N));
    const run = await runCliProcess(
      ["bulk", csv, "--template", t.ws.template, "--bot", "bot-1", "--journal", `${t.ws.dir}/rate.jsonl`, "--rate", "50/s", "--concurrency", "8", "--progress", "none"],
      { ...CREDENTIALS, JELOU_BASE_URL: t.server.url },
    );
    expect(run.code).toBe(0);
    const times = t.server.mock.inbox.list({ limit: 1000 }).map((m) => Date.parse(m.receivedAt)).sort((a, b) => a - b);
    expect(times).toHaveLength(N);
    const achieved = (N - 1) / ((times.at(-1)! - times[0]!) / 1000);
    expect(achieved).toBeGreaterThan(45);
    expect(achieved).toBeLessThan(55);
    // Evenly spaced, not in bursts: no second of the run holds more than 10% over the rate.
    const perSecond = new Map<number, number>();
    for (const t of times) perSecond.set(Math.floor((t - times[0]!) / 1000), (perSecond.get(Math.floor((t - times[0]!) / 1000)) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(55);
  });
});

describe("bulk progress", () => {
  it("prints plain lines, one per tenth and a final one, when stderr is not a terminal", { timeout: 30_000 }, async () => {
    const csv = await t.ws.file("plain.csv", csvOf(200));
    const run = await runCliProcess(
      ["bulk", csv, "--template", t.ws.template, "--bot", "bot-1", "--journal", `${t.ws.dir}/plain.jsonl`, "--rate", "400/s"],
      { ...CREDENTIALS, JELOU_BASE_URL: t.server.url },
    );
    expect(run.code).toBe(0);
    const lines = run.stderr.split("\n").filter((l) => l.startsWith("progress "));
    expect(lines).toHaveLength(10);
    expect(lines[0]).toMatch(/^progress 20\/200 \(10%\) sent 20 failed 0 unknown 0 skipped 0 rate \d+\.\d\/s eta \d+s$/);
    expect(lines.at(-1)).toMatch(/^progress 200\/200 \(100%\) sent 200 failed 0 unknown 0 skipped 0 rate [\d.]+\/s eta 0s$/);
    expect(run.stderr).not.toContain("\r");
    expect(run.stderr).toContain("Sent 200, failed 0, unknown 0");
  });

  it.skipIf(!hasScript)("draws a bar redrawn in place with done, failed, rate and ETA on a pseudo terminal", { timeout: 30_000 }, async () => {
    const csv = await t.ws.file("tty.csv", csvOf(60));
    const command = [process.execPath, ...CLI, "bulk", csv, "--template", t.ws.template, "--bot", "bot-1", "--journal", `${t.ws.dir}/tty.jsonl`, "--rate", "60/s"]
      .map(shellQuote)
      .join(" ");
    // script(1) from util-linux runs the command on a new pseudo terminal: stderr.isTTY is true there. Started
    // asynchronously (the mock answering it runs in this event loop) and in its own process group, killed in teardown.
    const run = await startProcess("script", ["-qfec", command, "/dev/null"], { TERM: "xterm", ...CREDENTIALS, JELOU_BASE_URL: t.server.url }).done;
    expect(run.code).toBe(0);
    const out = run.stdout;
    const frames = out.split("\r\x1b[2K").filter((f) => f.startsWith("["));
    expect(frames.length).toBeGreaterThan(3); // redrawn in place, several times over the second the run takes
    expect(frames.some((f) => /^\[#{5,19}-+\] \d+\/60 \d+%  failed 0  unknown 0  [\d.]+\/s  ETA \d+s/.test(f))).toBe(true);
    expect(out).toMatch(/\[#{20}\] 60\/60 100%  failed 0  unknown 0  [\d.]+\/s  ETA 0s\r?\n/);
    expect(out).not.toMatch(/^progress /m);
    expect(t.server.mock.inbox.list({ limit: 1000 })).toHaveLength(60);
  });
});

import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import { lock } from "proper-lockfile";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lockJournal, type JournalLock } from "../../src/bulk/journal-lock.js";
import { JournalInUseError } from "../../src/bulk/journal.js";
import { tempDir } from "./helpers.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

/** The number of a process that has ended: one that ran and exited here. */
const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid!;
const holder = (pid: number, id: string) => JSON.stringify({ pid, host: hostname(), at: "2026-01-01T00:00:00.000Z", id });

describe("runs taking over one stale lock at once", () => {
  // A takeover that renamed whatever sat at the lock's path could move a live lock that another run had just put there,
  // and two runs then held the lock (and sent the same recipients). Locks of one live process count as live, so runs
  // started together in one process race like separate processes; many rounds make the interleavings vary.
  it("in one process, over many rounds: at most one run holds the lock, and it reports the takeover", async () => {
    const dead = deadPid();
    for (let round = 0; round < 150; round++) {
      const journal = join(dir, `j${round}.jsonl`);
      await writeFile(`${journal}.lock`, holder(dead, `stale-${round}`));
      const settled = await Promise.allSettled(Array.from({ length: 8 }, () => lockJournal(journal)));
      const locks = settled.filter((s): s is PromiseFulfilledResult<JournalLock> => s.status === "fulfilled").map((s) => s.value);
      const refused = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected").map((s) => s.reason as unknown);
      expect(locks, `round ${round}`).toHaveLength(1);
      expect(locks[0]!.tookOverFrom).toMatchObject({ pid: dead, id: `stale-${round}` });
      for (const error of refused) expect(error).toBeInstanceOf(JournalInUseError);
      const onDisk = JSON.parse(await readFile(`${journal}.lock`, "utf8")) as { id: string };
      expect(onDisk.id).not.toBe(`stale-${round}`);
      await locks[0]!.release();
      expect(existsSync(`${journal}.lock`)).toBe(false);
      expect(existsSync(`${journal}.lock.live`)).toBe(false);
    }
  });

  it("in separate processes: their holding times never overlap", { timeout: 30_000 }, async () => {
    const journal = join(dir, "j.jsonl");
    await writeFile(`${journal}.lock`, holder(deadPid(), "stale"));
    const module = resolve("src/bulk/journal-lock.ts");
    const script = `
      import { appendFileSync } from "node:fs";
      import { lockJournal } from ${JSON.stringify(module)};
      const [journal, log, at] = process.argv.slice(-3);
      while (Date.now() < Number(at)) {}
      try {
        const lock = await lockJournal(journal);
        appendFileSync(log, "take " + (performance.timeOrigin + performance.now()) + "\\n");
        await new Promise((r) => setTimeout(r, 150));
        appendFileSync(log, "free " + (performance.timeOrigin + performance.now()) + "\\n");
        await lock.release();
      } catch (error) { if (error.name !== "JournalInUseError") throw error; }`;
    const log = join(dir, "log");
    await writeFile(log, "");
    const at = String(Date.now() + 2_500); // every process busy-waits for this instant, after its start-up
    const codes = await Promise.all(
      Array.from({ length: 6 }, () => {
        const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, "--", journal, log, at], { stdio: "inherit" });
        return new Promise<number | null>((done) => child.on("exit", done));
      }),
    );
    expect(codes.every((c) => c === 0)).toBe(true);
    const events = (await readFile(log, "utf8"))
      .trim()
      .split("\n")
      .map((line) => ({ kind: line.split(" ")[0]!, at: Number(line.split(" ")[1]) }))
      .sort((a, b) => a.at - b.at);
    expect(events.filter((e) => e.kind === "take").length).toBeGreaterThanOrEqual(1);
    let holding = 0;
    for (const e of events) {
      holding += e.kind === "take" ? 1 : -1;
      expect(holding).toBeLessThanOrEqual(1);
    }
  });
});

describe("a lock's directory (<journal>.lock.live, refreshed while its run lives)", () => {
  it("left by a run killed a moment ago is taken over once it goes stale, and both files go on release", { timeout: 20_000 }, async () => {
    const journal = join(dir, "j.jsonl");
    await writeFile(`${journal}.lock`, holder(deadPid(), "stale"));
    await mkdir(`${journal}.lock.live`);
    const lock = await lockJournal(journal);
    expect(lock.tookOverFrom?.id).toBe("stale");
    await lock.release();
    expect(existsSync(`${journal}.lock`)).toBe(false);
    expect(existsSync(`${journal}.lock.live`)).toBe(false);
  });

  it("held by a live run is left alone: the run is refused, naming it, and neither file is removed", { timeout: 20_000 }, async () => {
    const journal = join(dir, "j.jsonl");
    const releaseLive = await lock(`${journal}.lock`, { lockfilePath: `${journal}.lock.live`, realpath: false, stale: 3_000 });
    try {
      await writeFile(`${journal}.lock`, holder(deadPid(), "stale"));
      const error = (await lockJournal(journal).catch((e: unknown) => e)) as JournalInUseError;
      expect(error).toBeInstanceOf(JournalInUseError);
      expect(error.message).toContain(`another run holds ${journal}.lock.live to take it over`);
      expect(error.message).toMatch(/Try again in a moment/);
      expect(JSON.parse(await readFile(`${journal}.lock`, "utf8"))).toMatchObject({ id: "stale" });
      expect(existsSync(`${journal}.lock.live`)).toBe(true);
    } finally {
      await releaseLive();
    }
  });
});

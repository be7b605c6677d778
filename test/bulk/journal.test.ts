import { appendFile, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Journal, nextState, readJournal } from "../../src/bulk/file-journal.js";
import { tempDir } from "./helpers.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

const at = "2026-01-01T00:00:00.000Z";

describe("Journal", () => {
  it("appends JSON lines that are on disk when append resolves, batching concurrent appends", async () => {
    const path = join(dir, "j.jsonl");
    const journal = await Journal.open(path);
    await Promise.all(Array.from({ length: 50 }, (_, i) => journal.append({ type: "started", at, key: `b:${i}`, row: i })));
    const lines = (await readFile(path, "utf8")).trim().split("\n");
    expect(lines).toHaveLength(50);
    expect(new Set(lines.map((l) => JSON.parse(l).key)).size).toBe(50);
    await journal.close();
  });

  it("replays to the last state of each recipient; sent is final; started alone stays started", async () => {
    const path = join(dir, "j.jsonl");
    const journal = await Journal.open(path);
    await journal.append({ type: "run", at, version: 1 });
    await journal.append({ type: "started", at, key: "b:1", row: 2 });
    await journal.append({ type: "sent", at, key: "b:1", row: 2, status: 200, attempts: 1 });
    await journal.append({ type: "started", at, key: "b:1", row: 2 });
    await journal.append({ type: "started", at, key: "b:2", row: 3 });
    await journal.append({ type: "started", at, key: "b:3", row: 4 });
    await journal.append({ type: "failed", at, key: "b:3", row: 4, kind: "rate_limited", message: "429" });
    await journal.close();
    const { states, entries, runs } = await readJournal(path);
    expect(entries).toBe(7);
    expect(runs).toHaveLength(1);
    expect(Object.fromEntries(states)).toEqual({ "b:1": "sent", "b:2": "started", "b:3": "failed" });
    expect(nextState("sent", { type: "unknown", at, key: "k", row: 1, kind: "timeout", message: "" })).toBe("sent");
  });

  it("ignores a line torn by a crash and starts the next append on a fresh line", async () => {
    const path = join(dir, "j.jsonl");
    await writeFile(path, `${JSON.stringify({ type: "started", at, key: "b:1", row: 2 })}\n{"type":"sent","key":"b:1`);
    const journal = await Journal.open(path);
    await journal.append({ type: "started", at, key: "b:2", row: 3 });
    await journal.close();
    const { states, tornLines } = await readJournal(path);
    expect(tornLines).toBe(1);
    expect(Object.fromEntries(states)).toEqual({ "b:1": "started", "b:2": "started" });
    await appendFile(path, "\n\n");
    expect((await readJournal(path)).entries).toBe(2);
  });

  it("reads a journal that does not exist as empty", async () => {
    expect((await readJournal(join(dir, "none.jsonl"))).entries).toBe(0);
  });
});

describe("readJournal and lines that are JSON but not entries", () => {
  it("skips them as torn lines, without crashing and without counting them as entries", async () => {
    const path = join(dir, "j.jsonl");
    const good = [
      { type: "run", at, version: 1 },
      { type: "started", at, key: "b:1", row: 2 },
      { type: "sent", at, key: "b:1", row: 2, status: 200, attempts: 1 },
    ];
    const garbage = ["null", "42", '"sent"', "[]", "true", '{"type":"bogus"}', '{"type":"sent"}', '{"type":"sent","key":7}', '{"type":"run","fingerprint":3}'];
    await writeFile(path, [...garbage.slice(0, 4), ...good.map((l) => JSON.stringify(l)), ...garbage.slice(4)].join("\n") + "\n");
    const { states, entries, runs, tornLines } = await readJournal(path);
    expect(entries).toBe(3);
    expect(runs).toHaveLength(1);
    expect(tornLines).toBe(garbage.length);
    expect(Object.fromEntries(states)).toEqual({ "b:1": "sent" });
  });

  it("reads a journal of garbage only as empty", async () => {
    const path = join(dir, "j.jsonl");
    await writeFile(path, '{"type":"bogus"}\nnull\n');
    expect(await readJournal(path)).toMatchObject({ entries: 0, tornLines: 2 });
  });
});

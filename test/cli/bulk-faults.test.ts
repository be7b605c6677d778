import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { CREDENTIALS, csvOf, inboxCounts, jsonLines, phone, runCliProcess, useMockAndWorkspace } from "./helpers.js";

const t = useMockAndWorkspace();

describe("bulk against the mock over HTTP, with 429s, 503s, 500s and dropped connections", () => {
  it("sends 1,000 rows exactly once each; the maybe-sent ones are unknown and sent again only with --resend-unknown", { timeout: 90_000 }, async () => {
    const N = 1000;
    const csv = await t.ws.file("list.csv", csvOf(N));
    const journal = `${t.ws.dir}/journal.jsonl`;
    const env = { ...CREDENTIALS, JELOU_BASE_URL: t.server.url };
    const args = ["bulk", csv, "--template", t.ws.template, "--bot", "bot-1", "--journal", journal, "--concurrency", "16", "--json", "--progress", "none"];

    const limited = [3, 50, 120, 400, 777].map(phone); // 429 then 200: the client retries them safely
    const unavailable = [10, 200, 555, 901].map(phone); // 503 with Retry-After: refused before any work, retried
    const failedServer = [7, 333, 650].map(phone); // 500: may have been sent, so unknown
    const dropped = [20, 444, 999].map(phone); // connection dropped before recording: unknown
    for (const userId of limited) t.server.mock.faults.add({ kind: "rate_limit", userId, retryAfterSeconds: 1 });
    for (const userId of unavailable) t.server.mock.faults.add({ kind: "unavailable", userId, retryAfterSeconds: 1 });
    for (const userId of failedServer) t.server.mock.faults.add({ kind: "server_error", userId });
    for (const userId of dropped) t.server.mock.faults.add({ kind: "drop", userId, record: false });
    const unknown = [...failedServer, ...dropped].sort();

    const first = await runCliProcess(args, env);
    expect(first.stderr).not.toContain("s3cret-value");
    expect(first.code).toBe(14);
    const results = jsonLines(first.stdout).filter((l) => l.type === "result");
    expect(results).toHaveLength(N);
    expect(results.filter((r) => r.status === "unknown").map((r) => r.userId).sort()).toEqual(unknown);
    expect(results.filter((r) => r.status === "sent")).toHaveLength(N - unknown.length);
    let counts = inboxCounts(t.server.mock);
    expect(Math.max(...counts.values())).toBe(1);
    expect(counts.size).toBe(N - unknown.length);
    for (const userId of unknown) expect(counts.has(userId)).toBe(false);
    expect(t.server.mock.faults.list()).toEqual([]); // every scripted fault was met

    // A plain resume sends nobody: the unknown ones wait for a person's decision.
    const second = await runCliProcess([...args, "--resume"], env);
    expect(second.code).toBe(14);
    expect(jsonLines(second.stdout).filter((l) => l.type === "result" && l.status === "sent")).toHaveLength(0);
    expect(inboxCounts(t.server.mock).size).toBe(N - unknown.length);

    // Having checked that they never arrived, the operator sends them again.
    const third = await runCliProcess([...args, "--resume", "--resend-unknown"], env);
    expect(third.code).toBe(0);
    expect(jsonLines(third.stdout).filter((l) => l.type === "result" && l.status === "sent").map((r) => r.userId).sort()).toEqual(unknown);
    counts = inboxCounts(t.server.mock);
    expect(counts.size).toBe(N);
    expect([...counts.values()].every((c) => c === 1)).toBe(true);

    const lines = jsonLines(await readFile(journal, "utf8"));
    expect(lines.filter((l) => l.type === "sent")).toHaveLength(N);
    expect(lines.filter((l) => l.type === "unknown").map((l) => String(l.key).split(":")[1]).sort()).toEqual(unknown);
  });
});

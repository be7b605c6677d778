import { describe, expect, it } from "vitest";
import { runCampaign, runEnqueue, runWorker } from "../../src/queue/commands.js";
import { connectQueue } from "../../src/queue/connection.js";
import { loadQueueLibraries, QueueDependencyError } from "../../src/queue/load.js";
import { bufferIo, CREDENTIALS, csvOf, inboxCounts, phone, useQueueWorld } from "./helpers.js";

const w = useQueueWorld();
const flags = (campaign: string) => ({
  template: w.ws.template,
  bot: "bot-1",
  queue: w.redis.url,
  campaign,
  userColumn: "userId",
});

describe("the queue's three commands", () => {
  it("bulk --queue enqueues and prints the campaign; worker sends it; campaign shows it, as text and as JSON", { timeout: 30_000 }, async () => {
    const csv = await w.ws.file("ten.csv", csvOf(10, (i, cells) => [String(593_700_000_000 + i), ...cells.slice(1)]));
    const enqueue = bufferIo();
    expect(await runEnqueue(csv, { ...flags("cli-ten"), rate: 50 }, enqueue.io)).toBe(0);
    expect(enqueue.out.stdout).toBe("cli-ten\n");
    expect(enqueue.out.stderr).toContain("Campaign cli-ten: 10 queued, 0 already queued");
    const again = bufferIo();
    expect(await runEnqueue(csv, flags("cli-ten"), again.io)).toBe(0);
    expect(again.out.stderr).toContain("0 queued, 10 already queued");
    const otherBot = runEnqueue(csv, { ...flags("cli-ten"), bot: "bot-2" }, bufferIo().io);
    await expect(otherBot).rejects.toThrow(/enqueued with another template, bot or type/);

    const pending = bufferIo();
    expect(await runCampaign("cli-ten", { queue: w.redis.url }, pending.io)).toBe(0);
    const line = "Campaign cli-ten (50/s): 0/10 done: sent 0, failed 0, unknown 0, pending 10, sending 0; still sending.";
    expect(pending.out.stdout).toContain(line);

    const worker = bufferIo({ ...CREDENTIALS, JELOU_BASE_URL: w.server.url });
    expect(await runWorker({ queue: w.redis.url, concurrency: 2, exitWhenIdle: true }, worker.io)).toBe(0);
    expect(worker.out.stderr).toContain("Sent 10, failed 0, unknown 0");
    const counts = inboxCounts(w.server.mock);
    for (let i = 0; i < 10; i++) expect(counts.get(String(593_700_000_000 + i))).toBe(1);

    const done = bufferIo();
    expect(await runCampaign("cli-ten", { queue: w.redis.url, json: true, wait: true, pollMs: 50 }, done.io)).toBe(0);
    const json = JSON.parse(done.out.stdout) as unknown;
    expect(json).toMatchObject({ type: "campaign", campaign: "cli-ten", done: true, counts: { total: 10, sent: 10 } });
  });

  it("campaign --wait follows a campaign to its end: a bar on a terminal, a line per change in a log", { timeout: 30_000 }, async () => {
    const csv = await w.ws.file("wait.csv", csvOf(12, (i, cells) => [String(593_710_000_000 + i), ...cells.slice(1)]));
    expect(await runEnqueue(csv, flags("cli-wait"), bufferIo().io)).toBe(0);
    w.server.mock.faults.setLatency(100);
    const tty = bufferIo();
    const terminal = { ...tty.io, stderr: { ...tty.io.stderr, isTTY: true } };
    const log = bufferIo();
    const workerIo = bufferIo({ ...CREDENTIALS, JELOU_BASE_URL: w.server.url }).io;
    const worker = runWorker({ queue: w.redis.url, concurrency: 2, exitWhenIdle: true }, workerIo);
    const waits = [
      runCampaign("cli-wait", { queue: w.redis.url, wait: true, pollMs: 50 }, terminal),
      runCampaign("cli-wait", { queue: w.redis.url, wait: true, pollMs: 50 }, log.io),
    ];
    expect(await Promise.all([worker, ...waits])).toEqual([0, 0, 0]);
    w.server.mock.faults.setLatency(0);
    expect(tty.out.stderr).toMatch(/\r\[#*-+\] \d+\/12 done: sent/);
    expect(log.out.stderr.split("\n").filter((l) => /^\d+\/12 done/.test(l)).length).toBeGreaterThan(1);
    expect(log.out.stderr).not.toContain("\r");
    expect(tty.out.stdout).toContain("Campaign cli-wait: 12/12 done: sent 12, failed 0, unknown 0, pending 0, sending 0.");
  });

  it("recipients an interrupted enqueue left without a job are reported; --wait stops on them; enqueuing again sends them", { timeout: 30_000 }, async () => {
    const csv = await w.ws.file("orphans.csv", csvOf(6, (i, cells) => [String(593_720_000_000 + i), ...cells.slice(1)]));
    expect(await runEnqueue(csv, flags("cli-orphans"), bufferIo().io)).toBe(0);
    const connection = await connectQueue(w.redis.url);
    await connection.queueOf("cli-orphans").drain(); // as if the enqueue died between the journal and BullMQ
    await connection.close();
    const status = bufferIo();
    expect(await runCampaign("cli-orphans", { queue: w.redis.url }, status.io)).toBe(0);
    expect(status.out.stdout).toContain("pending 6, sending 0; nothing is being sent.");
    expect(status.out.stdout).toContain("6 pending recipients have no job (an enqueue stopped mid-way)");
    expect(status.out.stdout).toContain("enqueue the same list again.");
    const wait = bufferIo();
    expect(await runCampaign("cli-orphans", { queue: w.redis.url, wait: true, json: true, pollMs: 50 }, wait.io)).toBe(13);
    expect(JSON.parse(wait.out.stdout)).toMatchObject({ done: false, orphaned: 6 });
    expect(await runEnqueue(csv, flags("cli-orphans"), bufferIo().io)).toBe(0);
    const worker = bufferIo({ ...CREDENTIALS, JELOU_BASE_URL: w.server.url });
    expect(await runWorker({ queue: w.redis.url, concurrency: 2, exitWhenIdle: true }, worker.io)).toBe(0);
    expect(worker.out.stderr).toContain("Sent 6, failed 0");
  });

  it("bulk --queue with a bad row enqueues nothing and exits 3, naming the row", async () => {
    const csv = await w.ws.file("bad.csv", csvOf(20, (i, cells) => (i === 7 ? ["", ...cells.slice(1)] : cells)));
    const { io, out } = bufferIo();
    expect(await runEnqueue(csv, flags("cli-bad"), io)).toBe(3);
    expect(out.stderr).toContain("row 9: The userId column is empty or missing");
    expect(out.stderr).toContain("1 row is invalid (listed above); nothing was enqueued.");
    expect(out.stdout).toBe("");
    await expect(runCampaign("cli-bad", { queue: w.redis.url }, bufferIo().io)).rejects.toThrow(/no campaign "cli-bad"/);
  });

  it("a failed send (provably not sent) is failed, and the same list enqueued again retries it", { timeout: 30_000 }, async () => {
    const csv = await w.ws.file("one.csv", csvOf(1, (_, cells) => [phone(900), ...cells.slice(1)]));
    expect(await runEnqueue(csv, flags("cli-fail"), bufferIo().io)).toBe(0);
    w.server.mock.faults.add({ kind: "rate_limit", userId: phone(900), times: 50, retryAfterSeconds: 0 });
    const limited = bufferIo({ ...CREDENTIALS, JELOU_BASE_URL: w.server.url });
    expect(await runWorker({ queue: w.redis.url, concurrency: 1, exitWhenIdle: true }, limited.io)).toBe(13);
    w.server.mock.faults.clear();
    expect(limited.out.stderr).toContain("failed, not sent (rate_limited: ");
    const status = bufferIo();
    expect(await runCampaign("cli-fail", { queue: w.redis.url }, status.io)).toBe(13);
    expect(status.out.stdout).toContain(`(bot-1:${phone(900)}): failed, not sent (rate_limited)`);
    const again = bufferIo();
    expect(await runEnqueue(csv, flags("cli-fail"), again.io)).toBe(0);
    expect(again.out.stderr).toContain("1 failed before and queued again");
    const right = bufferIo({ ...CREDENTIALS, JELOU_BASE_URL: w.server.url });
    expect(await runWorker({ queue: w.redis.url, concurrency: 1, exitWhenIdle: true }, right.io)).toBe(0);
    expect(inboxCounts(w.server.mock).get(phone(900))).toBe(1);
  });

  it("a worker whose credentials Jelou refuses stops (exit 4), and leaves its recipient pending for another", { timeout: 30_000 }, async () => {
    const csv = await w.ws.file("auth.csv", csvOf(3, (i, cells) => [phone(910 + i), ...cells.slice(1)]));
    expect(await runEnqueue(csv, flags("cli-auth"), bufferIo().io)).toBe(0);
    const wrong = bufferIo({ JELOU_CLIENT_ID: "ops-team", JELOU_CLIENT_SECRET: "wrong-secret", JELOU_BASE_URL: w.server.url });
    expect(await runWorker({ queue: w.redis.url, concurrency: 1, exitWhenIdle: true }, wrong.io)).toBe(4);
    expect(wrong.out.stderr).toContain("Jelou refused this worker's credentials");
    expect(wrong.out.stderr).toContain("Check JELOU_CLIENT_ID and JELOU_CLIENT_SECRET");
    expect(wrong.out.stderr).not.toContain("wrong-secret");
    const status = bufferIo();
    expect(await runCampaign("cli-auth", { queue: w.redis.url, json: true }, status.io)).toBe(0);
    expect(JSON.parse(status.out.stdout)).toMatchObject({ counts: { pending: 3, started: 0, failed: 0 }, orphaned: 0 });
    const right = bufferIo({ ...CREDENTIALS, JELOU_BASE_URL: w.server.url });
    expect(await runWorker({ queue: w.redis.url, concurrency: 1, exitWhenIdle: true }, right.io)).toBe(0);
    expect(right.out.stderr).toContain("Sent 3, failed 0");
  });

  it("worker refuses to start without credentials; an unreachable Redis is exit 10; a bad address or name is a usage error", async () => {
    const noCredentials = runWorker({ queue: w.redis.url, concurrency: 1 }, bufferIo().io);
    await expect(noCredentials).rejects.toThrow(/JELOU_CLIENT_ID and JELOU_CLIENT_SECRET are not set/);
    const down = bufferIo();
    expect(await runCampaign("x", { queue: "redis://127.0.0.1:1/0" }, down.io)).toBe(10);
    expect(down.out.stderr).toContain("Cannot reach the queue's Redis at redis://127.0.0.1:1/0");
    await expect(runCampaign("x", { queue: "127.0.0.1:6379" }, bufferIo().io)).rejects.toThrow(/not a Redis address/);
    await expect(runCampaign("a b", { queue: w.redis.url }, bufferIo().io)).rejects.toThrow(/not a campaign name/);
  });

  it("without bullmq or ioredis installed, says exactly what to install", async () => {
    const missing = Object.assign(new Error("Cannot find package 'bullmq'"), { code: "ERR_MODULE_NOT_FOUND" });
    const error = await loadQueueLibraries(() => Promise.reject(missing)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueDependencyError);
    expect((error as Error).message).toContain("npm install bullmq ioredis");
  });
});

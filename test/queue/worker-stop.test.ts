import { describe, expect, it } from "vitest";
import { runWorker } from "../../src/queue/commands.js";
import { campaignStatus, enqueueCampaign, runCampaignWorker } from "../../src/queue/index.js";
import { startRedis } from "../helpers/redis.js";
import { bufferIo, CREDENTIALS, inboxCounts, mockClient, phone, rowsOf, startWorker, TEMPLATE, until, useQueueWorld } from "./helpers.js";

const w = useQueueWorld();

describe("a worker stopped with SIGTERM", () => {
  it("finishes and records the sends in flight, and another worker sends the rest, nobody twice", { timeout: 60_000 }, async () => {
    const N = 60;
    const queue = w.redis.url;
    await enqueueCampaign(rowsOf(N, 3000), { queue, campaign: "stopped", template: TEMPLATE, botId: "bot-1" });
    w.server.mock.faults.setLatency(300); // sends are in flight when the signal comes
    const worker = startWorker(queue, w.server.url, 4);
    await until(async () => (await campaignStatus({ queue, campaign: "stopped" })).counts.sent >= 4, 30_000, "the first sends");
    worker.child.kill("SIGTERM");
    const ended = await worker.done;
    expect(ended.code, ended.stderr).toBe(0);
    const stopped = await campaignStatus({ queue, campaign: "stopped" });
    expect(stopped.counts).toMatchObject({ started: 0, unknown: 0, failed: 0 });
    expect(stopped.counts.pending).toBeGreaterThan(0);

    w.server.mock.faults.setLatency(0);
    expect((await startWorker(queue, w.server.url, 4, { exitWhenIdle: true }).done).code).toBe(0);
    expect((await campaignStatus({ queue, campaign: "stopped" })).counts).toMatchObject({ sent: N, pending: 0 });
    const counts = inboxCounts(w.server.mock);
    for (let i = 0; i < N; i++) expect(counts.get(phone(3000 + i))).toBe(1);
  });
});

describe("a worker told to stop while its Redis is unreachable", () => {
  it("stops at once when Redis was never up", { timeout: 20_000 }, async () => {
    const stop = new AbortController();
    const worker = runCampaignWorker({ queue: "redis://127.0.0.1:9/0", client: mockClient(w.server.url), signal: stop.signal });
    await new Promise((r) => setTimeout(r, 1_000));
    stop.abort();
    const started = Date.now();
    expect(await worker).toEqual({ sent: 0, failed: 0, unknown: 0, skipped: 0 });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("stops at once when Redis went away mid-send, saying how many sends could not be recorded", { timeout: 30_000 }, async () => {
    const redis = await startRedis({ persistent: true });
    try {
      await enqueueCampaign(rowsOf(8, 3100), { queue: redis.url, campaign: "gone", template: TEMPLATE, botId: "bot-1" });
      w.server.mock.faults.setLatency(1_500);
      const stop = new AbortController();
      const warnings: string[] = [];
      const options = { queue: redis.url, client: mockClient(w.server.url), concurrency: 2, signal: stop.signal };
      const worker = runCampaignWorker({ ...options, onWarning: (m) => warnings.push(m) });
      const sending = async () => (await campaignStatus({ queue: redis.url, campaign: "gone" })).counts.started === 2;
      await until(sending, 10_000, "two sends in flight");
      await redis.stop();
      await new Promise((r) => setTimeout(r, 1_700)); // the sends in flight ended and cannot be recorded
      stop.abort();
      const started = Date.now();
      await worker;
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(warnings.join("\n")).toContain("2 sends in flight could not be recorded");
    } finally {
      w.server.mock.faults.setLatency(0);
      await redis.stop();
    }
  });

  it("jelou-flow worker stops at once on a second Ctrl-C, without waiting for the sends in flight", { timeout: 30_000 }, async () => {
    await enqueueCampaign(rowsOf(4, 3200), { queue: w.redis.url, campaign: "twice", template: TEMPLATE, botId: "bot-1" });
    w.server.mock.faults.setLatency(20_000);
    const listeners: Array<() => void> = [];
    const { io, out } = bufferIo({ ...CREDENTIALS, JELOU_BASE_URL: w.server.url });
    const onInterrupt = (listener: () => void) => {
      listeners.push(listener);
      return () => undefined;
    };
    const worker = runWorker({ queue: w.redis.url, concurrency: 2 }, { ...io, onInterrupt });
    await until(async () => (await campaignStatus({ queue: w.redis.url, campaign: "twice" })).counts.started === 2);
    for (const interrupt of [...listeners, ...listeners]) interrupt();
    const started = Date.now();
    await worker;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(out.stderr).toContain("Stopping now, without waiting for the sends in flight.");
    expect(out.stderr).toContain("2 sends in flight could not be recorded");
    w.server.mock.faults.setLatency(0);
  });
});

import { describe, expect, it } from "vitest";
import { campaignStatus, enqueueCampaign } from "../../src/queue/index.js";
import { inboxCounts, phone, startWorker, rowsOf, TEMPLATE, until, useQueueWorld } from "./helpers.js";

const w = useQueueWorld({ persistent: true });

describe("Redis restarted mid-campaign", () => {
  it("the workers reconnect and the campaign finishes with nobody twice", { timeout: 90_000 }, async () => {
    const N = 400;
    const queue = w.redis.url;
    await enqueueCampaign(rowsOf(N), { queue, campaign: "restarted", template: TEMPLATE, botId: "bot-1" });
    w.server.mock.faults.setLatency(10);
    // A job whose completion the restart cut off is found stalled after its lock expires: 3 s here, not 30.
    const options = { exitWhenIdle: true, stalledAfterMs: 3_000 };
    const workers = [startWorker(queue, w.server.url, 4, options), startWorker(queue, w.server.url, 4, options)];
    await until(() => w.server.mock.inbox.stats().messages >= 120, 60_000, "120 sends");
    await w.redis.restart();
    expect(w.server.mock.inbox.stats().messages, "restarted mid-campaign").toBeLessThan(N);
    const ended = await Promise.all(workers.map((x) => x.done));
    expect(ended.map((e) => e.code), ended.map((e) => e.stderr).join("\n")).toEqual([0, 0]);
    expect(ended.map((e) => e.stderr).join("")).toContain("Redis:"); // they noticed, and went on

    const status = await campaignStatus({ queue, campaign: "restarted" });
    expect(status.counts).toMatchObject({ total: N, sent: N, pending: 0, started: 0, failed: 0, unknown: 0 });
    const counts = inboxCounts(w.server.mock);
    for (let i = 0; i < N; i++) expect(counts.get(phone(i)), `recipient ${i}`).toBe(1);
  });
});

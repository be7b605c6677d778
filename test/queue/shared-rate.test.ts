import { describe, expect, it } from "vitest";
import { campaignStatus, enqueueCampaign } from "../../src/queue/index.js";
import { phone, rowsOf, startWorker, TEMPLATE, useQueueWorld } from "./helpers.js";

const w = useQueueWorld();

describe("the campaign's rate", () => {
  it("holds across workers: two workers at --rate 20/s together send within 10% of 20 a second", { timeout: 60_000 }, async () => {
    const N = 100;
    const queue = w.redis.url;
    // Workers first, so that both are taking jobs when the campaign arrives.
    const workers = [startWorker(queue, w.server.url, 4), startWorker(queue, w.server.url, 4)];
    await new Promise((r) => setTimeout(r, 3_000)); // both processes loaded (tsx) and watching the queue
    await enqueueCampaign(rowsOf(N, 5000), { queue, campaign: "rated", template: TEMPLATE, botId: "bot-1", ratePerSecond: 20 });
    const deadline = Date.now() + 30_000;
    const done = async () => (await campaignStatus({ queue, campaign: "rated" })).done;
    while (!(await done()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    for (const worker of workers) worker.child.kill("SIGTERM");
    const ended = await Promise.all(workers.map((x) => x.done));
    expect(ended.map((e) => e.code)).toEqual([0, 0]);

    const sent = ended.map((e) => e.stdout.match(/^sent /gm)?.length ?? 0);
    expect(sent[0]! + sent[1]!).toBe(N);
    expect(Math.min(...sent), "both workers took part").toBeGreaterThan(10);
    const times = w.server.mock.inbox
      .list({ limit: 20_000 })
      .filter((m) => Number(m.userId) >= Number(phone(5000)))
      .map((m) => Date.parse(m.receivedAt))
      .sort((x, y) => x - y);
    expect(times).toHaveLength(N);
    const perSecond = ((N - 1) * 1000) / (times.at(-1)! - times[0]!);
    expect(perSecond, `${perSecond.toFixed(2)}/s`).toBeGreaterThan(18);
    expect(perSecond, `${perSecond.toFixed(2)}/s`).toBeLessThan(22);
  });
});

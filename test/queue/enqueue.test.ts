import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { BulkValidationError } from "../../src/index.js";
import { campaignStatus, CampaignError, enqueueCampaign, resendUnknown, runCampaignWorker } from "../../src/queue/index.js";
import { RedisJournal } from "../../src/queue/journal.js";
import { CREDENTIALS, inboxCounts, mockClient, phone, rowsOf, TEMPLATE, until, useQueueWorld } from "./helpers.js";

const w = useQueueWorld();
const rows = rowsOf;

/** Every key and value in the Redis, as text. */
async function everything(url: string): Promise<string> {
  const redis = new Redis(url);
  try {
    const parts: string[] = [];
    for (const key of await redis.keys("*")) {
      const type = await redis.type(key);
      const read: Record<string, () => Promise<unknown>> = {
        hash: () => redis.hgetall(key),
        set: () => redis.smembers(key),
        list: () => redis.lrange(key, 0, -1),
        zset: () => redis.zrange(key, 0, -1),
        string: () => redis.get(key),
      };
      const value = await (read[type] ?? (() => Promise.resolve(type)))();
      parts.push(key, JSON.stringify(value));
    }
    return parts.join("\n");
  } finally {
    redis.disconnect();
  }
}

describe("enqueueCampaign", () => {
  it("enqueues each recipient once: the same list twice adds nobody, and a worker sends each exactly once", { timeout: 30_000 }, async () => {
    const queue = w.redis.url;
    const list = [...rows(40), ...rows(2)]; // two duplicates inside the list too
    const first = await enqueueCampaign(list, { queue, campaign: "twice", template: TEMPLATE, botId: "bot-1" });
    expect(first).toMatchObject({ rows: 42, duplicates: 2, added: 40, alreadyQueued: 0 });
    const second = await enqueueCampaign(list, { queue, campaign: "twice", template: TEMPLATE, botId: "bot-1" });
    expect(second).toMatchObject({ added: 0, alreadyQueued: 40 });
    expect((await campaignStatus({ queue, campaign: "twice" })).counts).toMatchObject({ total: 40, pending: 40 });
    // The jobs hold the message and the recipient: never a credential.
    const stored = await everything(queue);
    expect(stored).toContain(phone(3));
    expect(stored).not.toContain(CREDENTIALS.JELOU_CLIENT_SECRET);

    const summary = await runCampaignWorker({ queue, client: mockClient(w.server.url), concurrency: 4, exitWhenIdle: true });
    expect(summary).toEqual({ sent: 40, failed: 0, unknown: 0, skipped: 0 });
    const third = await enqueueCampaign(list, { queue, campaign: "twice", template: TEMPLATE, botId: "bot-1" });
    expect(third).toMatchObject({ added: 0, alreadyQueued: 0, alreadyHandled: 40 });
    expect(await runCampaignWorker({ queue, client: mockClient(w.server.url), exitWhenIdle: true })).toMatchObject({ sent: 0 });
    const counts = inboxCounts(w.server.mock);
    for (let i = 0; i < 40; i++) expect(counts.get(phone(i))).toBe(1);
    const status = await campaignStatus({ queue, campaign: "twice" });
    expect(status).toMatchObject({ done: true, counts: { total: 40, sent: 40, pending: 0, started: 0 } });
    expect(await everything(queue)).not.toContain(CREDENTIALS.JELOU_CLIENT_SECRET);
  });

  it("enqueues nothing when one row is invalid, and says which", async () => {
    const queue = w.redis.url;
    const invalid: unknown[] = [];
    const list = [...rows(30, 100), { userId: "", name: "x", order: "y" }, ...rows(5, 200)];
    const onRow = (r: unknown) => invalid.push(r);
    const enqueued = enqueueCampaign(list, { queue, campaign: "bad-row", template: TEMPLATE, botId: "bot-1", onRow });
    await expect(enqueued).rejects.toBeInstanceOf(BulkValidationError);
    expect(invalid).toMatchObject([{ status: "invalid", row: 31 }]);
    await expect(campaignStatus({ queue, campaign: "bad-row" })).rejects.toBeInstanceOf(CampaignError);
    expect(await everything(queue)).not.toContain("bad-row");
  });

  it("lets exactly one of many simultaneous starts of a recipient through, whatever connection each comes on", async () => {
    await enqueueCampaign(rows(1, 700), { queue: w.redis.url, campaign: "race", template: TEMPLATE, botId: "bot-1" });
    const connections = Array.from({ length: 8 }, () => new Redis(w.redis.url));
    try {
      const job = { key: `bot-1:${phone(700)}`, row: 2, message: {} as never };
      const journals = connections.flatMap((c) => [new RedisJournal(c, "race"), new RedisJournal(c, "race")]);
      const starts = await Promise.all(journals.map((journal, i) => journal.start(job, `token-${i}`)));
      expect(starts.filter((s) => s === "ok")).toHaveLength(1);
      // Every other start took it for a redelivery: the recipient is unknown, never sent a second time.
      expect(await new RedisJournal(connections[0]!, "race").state(job.key)).toBe("unknown");
    } finally {
      for (const c of connections) c.disconnect();
    }
  });

  it("refuses a campaign name BullMQ could not hold, before connecting", async () => {
    const badName = enqueueCampaign(rows(1), { queue: w.redis.url, campaign: "a:b", template: TEMPLATE, botId: "b" });
    await expect(badName).rejects.toThrow(/not a campaign name/);
    const badQueue = enqueueCampaign(rows(1), { queue: "http://x", campaign: "ok", template: TEMPLATE, botId: "b" });
    await expect(badQueue).rejects.toThrow(/redis:\/\/HOST:PORT\/DB/);
  });

  it("a job whose data was edited in Redis to name another recipient is failed as altered, not sent", async () => {
    await enqueueCampaign(rows(2, 700), { queue: w.redis.url, campaign: "edited", template: TEMPLATE, botId: "bot-1" });
    const redis = new Redis(w.redis.url);
    const job = `jelou-flow:edited:${encodeURIComponent(`bot-1:${phone(700)}`)}`;
    const data = JSON.parse((await redis.hget(job, "data"))!) as { message: { userId: string } };
    data.message.userId = phone(701);
    await redis.hset(job, "data", JSON.stringify(data));
    redis.disconnect();
    const summary = await runCampaignWorker({ queue: w.redis.url, client: mockClient(w.server.url), exitWhenIdle: true });
    expect(summary).toMatchObject({ sent: 1, failed: 1 });
    const status = await campaignStatus({ queue: w.redis.url, campaign: "edited" });
    expect(status.failed).toMatchObject([{ key: `bot-1:${phone(700)}`, kind: "altered" }]);
    expect(inboxCounts(w.server.mock).get(phone(701))).toBe(1);
    expect(inboxCounts(w.server.mock).get(phone(700))).toBeUndefined();
  });

  it("refuses to enqueue a campaign again with another template, bot or type, unless told to", async () => {
    const queue = w.redis.url;
    const first = { queue, campaign: "one-message", template: TEMPLATE, botId: "bot-1" };
    await enqueueCampaign(rows(2, 800), first);
    const other = { ...first, template: { ...TEMPLATE, caption: "Another caption" } };
    await expect(enqueueCampaign(rows(2, 802), other)).rejects.toThrow(/enqueued with another template, bot or type/);
    await expect(enqueueCampaign(rows(2, 802), { ...first, botId: "bot-2" })).rejects.toThrow(CampaignError);
    await expect(enqueueCampaign(rows(2, 802), { ...first, type: "other" })).rejects.toThrow(/--allow-template-change/);
    expect((await campaignStatus({ queue, campaign: "one-message" })).counts.total).toBe(2);
    expect((await enqueueCampaign(rows(2, 802), first)).added).toBe(2);
    expect((await enqueueCampaign(rows(1, 804), { ...other, allowTemplateChange: true })).added).toBe(1);
  });

  it("resendUnknown queues again many unknown recipients a page at a time", { timeout: 30_000 }, async () => {
    const queue = w.redis.url;
    await enqueueCampaign(rows(1, 900), { queue, campaign: "many-unknown", template: TEMPLATE, botId: "bot-1" });
    const redis = new Redis(queue);
    const journal = new RedisJournal(redis, "many-unknown");
    const jobs = Array.from({ length: 1_200 }, (_, i) => ({ key: `bot-1:${phone(1_000 + i)}`, row: i + 2, message: {} as never }));
    await journal.register(jobs.map((j) => j.key));
    const at = new Date().toISOString();
    const unknown = async (j: (typeof jobs)[number]) => {
      await journal.start(j, "t");
      await journal.finish(j, "t", "unknown", { at, row: j.row });
    };
    await Promise.all(jobs.map(unknown));
    const page = await journal.requeueUnknown("0", 100);
    expect(page.jobs.length).toBeLessThan(300);
    expect(page.next).not.toBe("0");
    expect(await resendUnknown({ queue, campaign: "many-unknown" })).toBe(1_200 - page.jobs.length);
    expect((await campaignStatus({ queue, campaign: "many-unknown" })).counts).toMatchObject({ unknown: 0, pending: 1_201 });
    redis.disconnect();
  });

  it("an idle worker holds no connection for the campaigns with nothing left to send", { timeout: 30_000 }, async () => {
    const queue = w.redis.url;
    for (let i = 0; i < 4; i++) {
      await enqueueCampaign(rows(1, 950 + i), { queue, campaign: `finished-${i}`, template: TEMPLATE, botId: "bot-1" });
    }
    const client = mockClient(w.server.url);
    await runCampaignWorker({ queue, client, exitWhenIdle: true });
    const redis = new Redis(queue);
    const connections = async () => ((await redis.client("LIST")) as string).trim().split("\n").length;
    const before = await connections();
    const stop = new AbortController();
    const worker = runCampaignWorker({ queue, client, signal: stop.signal });
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await connections()) - before).toBeLessThanOrEqual(1);
    await enqueueCampaign(rows(1, 960), { queue, campaign: "finished-0", template: TEMPLATE, botId: "bot-1" });
    await until(async () => (await campaignStatus({ queue, campaign: "finished-0" })).counts.sent === 2, 10_000, "the send");
    stop.abort();
    await worker;
    redis.disconnect();
  });
});

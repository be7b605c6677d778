import { join } from "node:path";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { JournalInUseError, JournalMismatchError, sendFlowMessages, type BulkResult } from "../../src/index.js";
import { CampaignError, enqueueCampaign, openRedisJournal } from "../../src/queue/index.js";
import { keysOf } from "../../src/queue/journal.js";
import { rows, TEMPLATE } from "../bulk/helpers.js";
import { ROOT, startProcess } from "../cli/helpers.js";
import { CREDENTIALS, inboxCounts, mockClient, until, useQueueWorld } from "./helpers.js";

const w = useQueueWorld();
const BULK_RUN = join(ROOT, "test/queue/fixtures/bulk-run.ts");
const MESSAGE = { template: TEMPLATE, botId: "bot-1" };

async function collect(results: AsyncIterable<BulkResult>): Promise<BulkResult[]> {
  const out: BulkResult[] = [];
  for await (const r of results) out.push(r);
  return out;
}
const keysWith = (results: BulkResult[], status: BulkResult["status"]) =>
  results.filter((r) => r.status === status).map((r) => r.key!).sort();

/** The campaign's recipients by state, as Redis holds them. */
async function statesOf(url: string, campaign: string): Promise<Record<string, string>> {
  const redis = new Redis(url);
  try {
    return await redis.hgetall(keysOf(campaign).states);
  } finally {
    redis.disconnect();
  }
}

describe("sendFlowMessages on a journal in Redis (openRedisJournal)", () => {
  it("sends each recipient once when two runs send the same list to one campaign at the same time", async () => {
    const queue = w.redis.url;
    const list = rows(300, 593_910_000_000) as Array<{ userId: string }>;
    const client = mockClient(w.server.url);
    w.server.mock.faults.setLatency(10);
    const run = (more: { resendUnknown?: boolean; onPlan?: () => void } = {}) => {
      const journal = openRedisJournal(queue, "shared");
      return collect(sendFlowMessages(client, list, { ...MESSAGE, resume: true, ...more, journal }));
    };
    const a: BulkResult[] = [];
    const first = (async () => {
      for await (const r of sendFlowMessages(client, list, { ...MESSAGE, journal: openRedisJournal(queue, "shared") })) a.push(r);
    })();
    await until(() => keysWith(a, "sent").length >= 20, 10_000, "the first run's sends");
    // The second run opens while the first has slow sends in flight: even with resendUnknown, it must not take them for
    // a dead run's and send them again.
    w.server.mock.faults.setLatency(500);
    await new Promise((r) => setTimeout(r, 50));
    const b = await run({ resendUnknown: true, onPlan: () => w.server.mock.faults.setLatency(10) });
    await first;
    w.server.mock.faults.setLatency(0);
    const sent = [...keysWith(a, "sent"), ...keysWith(b, "sent")];
    expect(new Set(sent).size).toBe(300);
    expect(sent).toHaveLength(300);
    expect(keysWith(b, "sent").length).toBeGreaterThan(0);
    expect(a.length + b.length - sent.length).toBe(300); // each run skipped what the other sent or was sending
    const counts = inboxCounts(w.server.mock);
    for (const r of list) expect(counts.get(r.userId), r.userId).toBe(1);
    // Every recipient ends sent: none of those in flight in one run was marked unknown by the other.
    expect(new Set(Object.values(await statesOf(queue, "shared")))).toEqual(new Set(["sent"]));
    const again = await run();
    expect(again.every((r) => r.status === "skipped" && r.reason === "already_sent")).toBe(true);
  });

  const KILLED = "reports the sends of a run killed mid-send as unknown, never resent, until resendUnknown sends them";
  it(KILLED, { timeout: 60_000 }, async () => {
    const queue = w.redis.url;
    const FIRST = 593_920_000_000;
    const list = rows(400, FIRST) as Array<{ userId: string }>;
    w.server.mock.faults.setLatency(25); // so that the killed run has sends in flight
    const args = ["--import", "tsx", BULK_RUN, queue, "killed-run", String(FIRST), "400"];
    const killed = startProcess(process.execPath, args, { ...CREDENTIALS, JELOU_BASE_URL: w.server.url });
    let output = "";
    killed.child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
    await until(() => (output.match(/^sent /gm)?.length ?? 0) >= 40, 30_000, "the run's first sends");
    process.kill(-killed.child.pid!, "SIGKILL");
    expect((await killed.done).signal).toBe("SIGKILL");
    w.server.mock.faults.setLatency(0);
    const states = await statesOf(queue, "killed-run");
    const started = Object.keys(states).filter((key) => states[key] === "started").sort();
    expect(started.length).toBeGreaterThan(0);
    expect(started.length).toBeLessThanOrEqual(4); // its sends in flight
    await new Promise((r) => setTimeout(r, 1_200)); // its lease of 1 s runs out

    const client = mockClient(w.server.url);
    const before = inboxCounts(w.server.mock);
    const journal = () => openRedisJournal(queue, "killed-run");
    const next = await collect(sendFlowMessages(client, list, { ...MESSAGE, resume: true, journal: journal() }));
    const unknown = next.filter((r) => r.status === "skipped" && r.reason === "unknown_before");
    expect(unknown.map((r) => r.key).sort()).toEqual(started);
    expect(keysWith(next, "sent").length + keysWith(next, "skipped").length).toBe(400);
    const counts = inboxCounts(w.server.mock);
    for (const { userId } of list) {
      const key = `bot-1:${userId}`;
      expect(counts.get(userId) ?? 0, key).toBe(started.includes(key) ? (before.get(userId) ?? 0) : 1);
    }

    const resend = { ...MESSAGE, resume: true, resendUnknown: true };
    expect(keysWith(await collect(sendFlowMessages(client, list, { ...resend, journal: journal() })), "sent")).toEqual(started);
    const final = inboxCounts(w.server.mock);
    for (const { userId } of list) {
      const once = started.includes(`bot-1:${userId}`) ? 1 : 0;
      expect(final.get(userId), userId).toBe((counts.get(userId) ?? 0) + once);
    }
    expect(new Set(Object.values(await statesOf(queue, "killed-run")))).toEqual(new Set(["sent"]));
  });

  const REFUSALS = "refuses a campaign with sends without resume, another message, the queue's campaigns, a Redis not up";
  it(REFUSALS, { timeout: 30_000 }, async () => {
    const queue = w.redis.url;
    const list = rows(3, 593_930_000_000);
    const client = mockClient(w.server.url);
    const journal = () => openRedisJournal(queue, "refusals");
    expect(await collect(sendFlowMessages(client, list, { ...MESSAGE, journal: journal() }))).toHaveLength(3);
    const fresh = collect(sendFlowMessages(client, list, { ...MESSAGE, journal: journal() }));
    await expect(fresh).rejects.toBeInstanceOf(JournalInUseError);
    const other = { ...MESSAGE, template: { ...TEMPLATE, title: "Other" }, resume: true };
    const changed = collect(sendFlowMessages(client, list, { ...other, journal: journal() }));
    await expect(changed).rejects.toBeInstanceOf(JournalMismatchError);
    await expect(enqueueCampaign(list, { queue, campaign: "refusals", ...MESSAGE })).rejects.toBeInstanceOf(CampaignError);
    await enqueueCampaign(list, { queue, campaign: "queued", ...MESSAGE });
    const queued = sendFlowMessages(client, list, { ...MESSAGE, journal: openRedisJournal(queue, "queued") });
    await expect(collect(queued)).rejects.toThrow(/on the queue/);
    const away = sendFlowMessages(client, list, { ...MESSAGE, journal: openRedisJournal("redis://127.0.0.1:1/0", "away") });
    await expect(collect(away)).rejects.toThrow(/does not answer/);
    expect(() => openRedisJournal(queue, "a:b")).toThrow(CampaignError);
    expect(() => openRedisJournal("http://x", "ok")).toThrow(/redis:\/\/HOST:PORT\/DB/);
  });

  it("keeps the secrets out of Redis: an error that echoes one is recorded scrubbed", async () => {
    const secret = CREDENTIALS.JELOU_CLIENT_SECRET;
    const error = Object.assign(new Error(`upstream said ${secret}`), { kind: "server", maybeSent: true });
    const echoing = { sendFlowMessage: () => Promise.reject(error) };
    const list = rows(2, 593_940_000_000);
    const journal = openRedisJournal(w.redis.url, "secrets");
    const results = await collect(sendFlowMessages(echoing, list, { ...MESSAGE, journal, secrets: [secret] }));
    expect(results.map((r) => r.status)).toEqual(["unknown", "unknown"]);
    const redis = new Redis(w.redis.url);
    try {
      const details = Object.values(await redis.hgetall(keysOf("secrets").details)).join("\n");
      expect(details).toContain("upstream said [REDACTED]");
      expect(details).not.toContain(secret);
    } finally {
      redis.disconnect();
    }
  });
});

import { describe, expect, it } from "vitest";
import { campaignStatus, enqueueCampaign } from "../../src/queue/index.js";
import { runCampaign } from "../../src/queue/commands.js";
import { bufferIo, inboxCounts, phone, startWorker, rowsOf, TEMPLATE, until, useQueueWorld } from "./helpers.js";

const w = useQueueWorld();

describe("three workers, one killed with SIGKILL midway", () => {
  it("sends nobody twice; the killed worker's sends in flight become unknown, and --resend-unknown completes them", { timeout: 90_000 }, async () => {
    const N = 2000;
    const queue = w.redis.url;
    await enqueueCampaign(rowsOf(N), { queue, campaign: "killed", template: TEMPLATE, botId: "bot-1" });
    w.server.mock.faults.setLatency(20); // so that the killed worker has sends in flight
    const options = { exitWhenIdle: true, stalledAfterMs: 2_000 };
    const workers = [0, 1, 2].map(() => startWorker(queue, w.server.url, 4, options));
    const victim = workers[0]!;
    let victimOutput = "";
    victim.child.stdout!.on("data", (d: Buffer) => (victimOutput += d.toString()));
    // Killed once it has sent a good share, while the others are sending too.
    await until(() => (victimOutput.match(/^sent /gm)?.length ?? 0) >= 150, 60_000, "the first worker's sends");
    // Slow answers for a moment, so that the kill lands while the victim surely has sends in flight.
    w.server.mock.faults.setLatency(400);
    await new Promise((resolve) => setTimeout(resolve, 200));
    process.kill(-victim.child.pid!, "SIGKILL");
    expect((await victim.done).signal).toBe("SIGKILL");
    w.server.mock.faults.setLatency(0); // the rest as fast as the survivors go
    const [a, b] = await Promise.all([workers[1]!.done, workers[2]!.done]);
    expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);

    const status = await campaignStatus({ queue, campaign: "killed" });
    expect(status.done).toBe(true);
    const unknown = status.unknown.map((r) => r.key.split(":")[1]!);
    const sent = N - unknown.length;
    expect(status.counts).toMatchObject({ total: N, pending: 0, started: 0, failed: 0, unknown: unknown.length, sent });
    expect(unknown.length).toBeGreaterThan(0);
    expect(unknown.length).toBeLessThanOrEqual(4); // at most the killed worker's sends in flight
    // The survivors found them stalled and said so; they did not send them again.
    for (const user of unknown) expect(a.stdout + b.stdout).toContain(`unknown bot-1:${user}`);
    const counts = inboxCounts(w.server.mock);
    expect(Math.max(...counts.values())).toBe(1);
    for (let i = 0; i < N; i++) if (!unknown.includes(phone(i))) expect(counts.get(phone(i)), `recipient ${i}`).toBe(1);

    const { io, out } = bufferIo();
    expect(await runCampaign("killed", { queue, resendUnknown: true }, io)).toBe(0);
    expect(out.stderr).toContain(`Queued again ${unknown.length} unknown recipient`);
    const last = await startWorker(queue, w.server.url, 4, options).done;
    expect(last.code, last.stderr).toBe(0);
    const after = await campaignStatus({ queue, campaign: "killed" });
    expect(after.counts).toMatchObject({ total: N, sent: N, unknown: 0, pending: 0, started: 0 });
    const final = inboxCounts(w.server.mock);
    // The operator's explicit resend reaches each unknown recipient once more (whose first send may have arrived).
    for (const user of unknown) expect(final.get(user)).toBe((counts.get(user) ?? 0) + 1);
    for (let i = 0; i < N; i++) if (!unknown.includes(phone(i))) expect(final.get(phone(i))).toBe(1);
  });
});

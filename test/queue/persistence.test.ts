import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendFlowMessages } from "../../src/index.js";
import { runWorker } from "../../src/queue/commands.js";
import { openRedisJournal, runCampaignWorker } from "../../src/queue/index.js";
import { UsageError } from "../../src/cli/io.js";
import { startRedis, type RedisServer } from "../helpers/redis.js";
import { bufferIo, CREDENTIALS, mockClient, rowsOf, TEMPLATE } from "./helpers.js";

let plain: RedisServer;
let noConfig: RedisServer;
beforeAll(async () => {
  [plain, noConfig] = await Promise.all([startRedis(), startRedis({ persistent: true, args: ["--rename-command", "CONFIG", ""] })]);
});
afterAll(async () => {
  await Promise.all([plain?.stop(), noConfig?.stop()]);
});

const client = mockClient("http://127.0.0.1:9");

describe("a Redis that would lose the latest outcomes in a crash is refused", () => {
  it("a worker refuses one without appendfsync always, saying what to set, unless told to accept it", async () => {
    const refused = runCampaignWorker({ queue: plain.url, client, exitWhenIdle: true });
    await expect(refused).rejects.toThrow(/appendonly no, appendfsync \S+: set `appendonly yes` and `appendfsync always`/);
    await expect(runCampaignWorker({ queue: plain.url, client, exitWhenIdle: true })).rejects.toThrow(/send those recipients again/);
    const summary = await runCampaignWorker({ queue: plain.url, client, exitWhenIdle: true, allowUnsafePersistence: true });
    expect(summary).toEqual({ sent: 0, failed: 0, unknown: 0, skipped: 0 });
  });

  it("jelou-flow worker ends with a usage error (exit 2) unless --allow-unsafe-redis", async () => {
    const { io } = bufferIo({ ...CREDENTIALS, JELOU_BASE_URL: "http://127.0.0.1:9" });
    const flags = { queue: plain.url, concurrency: 1, exitWhenIdle: true };
    await expect(runWorker(flags, io)).rejects.toThrow(UsageError);
    expect(await runWorker({ ...flags, allowUnsafeRedis: true }, io)).toBe(0);
  });

  it("a Redis whose CONFIG is disabled needs the opt-out, and says so", async () => {
    const refused = runCampaignWorker({ queue: noConfig.url, client, exitWhenIdle: true });
    await expect(refused).rejects.toThrow(/refuses CONFIG GET .*--allow-unsafe-redis/);
    await runCampaignWorker({ queue: noConfig.url, client, exitWhenIdle: true, allowUnsafePersistence: true });
  });

  it("openRedisJournal refuses it too, before anything is sent", async () => {
    const journal = openRedisJournal(plain.url, "unsafe-run");
    const run = sendFlowMessages(client, rowsOf(2), { template: TEMPLATE, botId: "bot-1", journal });
    const drain = async () => {
      for await (const r of run) void r;
    };
    await expect(drain()).rejects.toThrow(/appendfsync always/);
  });
});

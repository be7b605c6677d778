import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { loadQueueLibraries, type QueueLibraries } from "./load.js";
import { BULL_PREFIX, CampaignError, type CampaignJob } from "./journal.js";

/** A Redis address written as the queue's; shown with its password hidden. */
export function shownQueueUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//***@");
}

/**
 * Refuses what is not a redis:// or rediss:// address, before any connection is tried.
 *
 * @throws {@link CampaignError} naming the expected form
 */
export function checkQueueUrl(url: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") || parsed.hostname === "") {
    const form = "write redis://HOST:PORT/DB, such as redis://127.0.0.1:6379/0";
    throw new CampaignError(`The queue "${shownQueueUrl(url)}" is not a Redis address: ${form}.`);
  }
}

/** An open connection to the queue's Redis, and the libraries to build BullMQ objects on it. */
export interface QueueConnection {
  libs: QueueLibraries;
  redis: Redis;
  /** The BullMQ queue of a campaign, on this connection. */
  queueOf(campaign: string): Queue<CampaignJob>;
  close(): Promise<void>;
}

/**
 * Connects to the queue. A worker's commands wait through a Redis restart (reconnecting for ever) instead of failing:
 * it must be able to record the outcome of a send that left while Redis was away. A one-shot caller (enqueue, status)
 * gives up after a few seconds instead, with the connection's error.
 */
export async function connectQueue(url: string, options: { waitForRedis?: boolean } = {}): Promise<QueueConnection> {
  checkQueueUrl(url);
  const libs = await loadQueueLibraries();
  const redis = options.waitForRedis
    ? new libs.Redis(url, { maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(50 * times, 1_000) })
    : new libs.Redis(url, { maxRetriesPerRequest: 2, retryStrategy: (times) => (times > 5 ? null : 200 * times) });
  // ioredis reports each failed reconnect as an 'error' event; without a listener Node would crash on it.
  redis.on("error", () => undefined);
  const queues = new Map<string, Queue<CampaignJob>>();
  return {
    libs,
    redis,
    queueOf(campaign) {
      let queue = queues.get(campaign);
      if (queue === undefined) {
        queue = new libs.bullmq.Queue<CampaignJob>(campaign, { connection: redis, prefix: BULL_PREFIX });
        queue.on("error", () => undefined);
        queues.set(campaign, queue);
      }
      return queue;
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
      // QUIT waits for Redis, for ever on a connection that waits for it: one that is not up is dropped instead.
      if (redis.status === "ready") await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect();
    },
  };
}

/** BullMQ's limiter for a rate: windows of about 250 ms, so that starts are spread out rather than sent in bursts. */
export function limiterOf(ratePerSecond: number): { max: number; duration: number } {
  const max = Math.max(1, Math.round(ratePerSecond / 4));
  return { max, duration: Math.round((1000 * max) / ratePerSecond) };
}

/** The options every job is added with: one attempt, and gone from BullMQ once done (the journal keeps the outcome). */
export const JOB_OPTIONS = { attempts: 1, removeOnComplete: true, removeOnFail: true } as const;

const SET_AOF = "set `appendonly yes` and `appendfsync always` in redis.conf (or CONFIG SET both, then CONFIG REWRITE)";
const WHY_AOF = "without them a Redis crash loses the latest outcomes, and workers send those recipients again";

/**
 * Refuses a Redis that would lose the journal's latest writes in a crash (no AOF synced at every write), unless the
 * operator accepted it (`allowUnsafe`): the journal is what keeps a recipient from being sent twice.
 *
 * @throws {@link CampaignError} saying what to set and why, or that CONFIG is disabled and the opt-out is needed
 */
export async function checkPersistence(redis: Redis, url: string, allowUnsafe: boolean | undefined): Promise<void> {
  if (allowUnsafe) return;
  const optOut = "or accept that a Redis crash may then resend (--allow-unsafe-redis, option allowUnsafePersistence)";
  let config: string[];
  try {
    config = [...(await redis.config("GET", "appendonly")), ...(await redis.config("GET", "appendfsync"))] as string[];
  } catch (error) {
    const why = `refuses CONFIG GET (${(error as Error).message}), as a managed Redis may`;
    const need = "make sure it has appendonly yes and appendfsync always";
    throw new CampaignError(`Redis at ${shownQueueUrl(url)} ${why}: ${need}, then ${optOut.slice(3)}; ${WHY_AOF}.`);
  }
  const appendonly = config[1] ?? "?";
  const appendfsync = config[3] ?? "?";
  if (appendonly === "yes" && appendfsync === "always") return;
  const now = `appendonly ${appendonly}, appendfsync ${appendfsync}`;
  throw new CampaignError(`Redis at ${shownQueueUrl(url)} has ${now}: ${SET_AOF}; ${WHY_AOF}. Or ${optOut.slice(3)}.`);
}

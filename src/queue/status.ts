import { connectQueue, JOB_OPTIONS, type QueueConnection } from "./connection.js";
import { CampaignError, jobIdOf, RedisJournal, type CampaignCounts, type OutcomeDetail } from "./journal.js";

/** Options of {@link campaignStatus} and {@link resendUnknown}. */
export interface CampaignOptions {
  /** The Redis of the queue: `redis://HOST:PORT/DB`. */
  queue: string;
  /** The campaign's name, as given to `enqueueCampaign`. */
  campaign: string;
  /** At most this many failed and unknown recipients are listed. @default 100 */
  listLimit?: number;
}

/** One recipient whose send failed or whose outcome is unknown, with what the journal knows (phone numbers in full). */
export type ListedRecipient = {
  /** `botId:userId`, the recipient's identity in the campaign. */
  key: string;
} & Partial<OutcomeDetail>;

/** Where a campaign stands. */
export interface CampaignStatus {
  /** The campaign's name. */
  campaign: string;
  /** `started`: being sent now, or by a worker that died and whose job is not yet found stalled. */
  counts: CampaignCounts;
  /** Sends started per second by all workers together, when the campaign has a rate. */
  ratePerSecond?: number;
  /** True when nothing is pending nor being sent. */
  done: boolean;
  /**
   * Pending recipients with no job in BullMQ (an enqueue stopped between recording them and adding their jobs): no
   * worker will send them until the same list is enqueued again.
   */
  orphaned: number;
  /** Recipients whose send failed (provably not sent), up to `listLimit`. */
  failed: ListedRecipient[];
  /** Recipients whose send may have reached Jelou, up to `listLimit`: check them before `resendUnknown`. */
  unknown: ListedRecipient[];
}

type JournalUse<T> = (journal: RedisJournal, connection: QueueConnection) => Promise<T>;

async function withJournal<T>(options: CampaignOptions, use: JournalUse<T>): Promise<T> {
  const connection = await connectQueue(options.queue);
  try {
    const journal = new RedisJournal(connection.redis, options.campaign);
    if (!(await journal.exists())) {
      const first = `enqueue it first (jelou-flow bulk ... --campaign ${options.campaign})`;
      throw new CampaignError(`There is no campaign "${options.campaign}" in this queue: ${first}.`);
    }
    return await use(journal, connection);
  } finally {
    await connection.close();
  }
}

/**
 * Reads a campaign's counts from its Redis journal: pending, started, sent, failed and unknown.
 *
 * @param options the queue and the campaign
 * @returns the counts, the failed and unknown recipients (at most `listLimit` of each), and how many pending
 *   recipients have no job (`orphaned`)
 * @throws {@link CampaignError} when the campaign was never enqueued, or its name or the queue address cannot be used
 * @throws {@link QueueDependencyError} when bullmq or ioredis is not installed
 * @example
 * ```ts
 * const { counts, done } = await campaignStatus({ queue: "redis://127.0.0.1:6379/0", campaign: "spring-survey" });
 * console.log(`${counts.sent}/${counts.total} sent${done ? "" : ", still sending"}`);
 * ```
 */
export function campaignStatus(options: CampaignOptions): Promise<CampaignStatus> {
  return withJournal(options, async (journal, connection) => {
    const limit = options.listLimit ?? 100;
    const [counts, rate, failed, unknown, jobs] = await Promise.all([
      journal.counts(),
      journal.rate(),
      journal.listed("failed", limit),
      journal.listed("unknown", limit),
      connection.queueOf(options.campaign).getJobCounts("wait", "delayed", "prioritized", "active"),
    ]);
    const queued = Object.values(jobs).reduce((a, b) => a + b, 0);
    return {
      campaign: options.campaign,
      counts,
      ...(rate !== undefined && { ratePerSecond: rate }),
      done: counts.pending === 0 && counts.started === 0,
      orphaned: Math.max(0, counts.pending - queued),
      failed,
      unknown,
    };
  });
}

/**
 * Queues again every recipient of the campaign whose outcome is unknown: their send may have reached Jelou, so this is
 * the operator's explicit choice, never done by itself. Workers then send them once more.
 *
 * @param options the queue and the campaign
 * @returns how many recipients were queued again
 * @throws {@link CampaignError} when the campaign was never enqueued, or its name or the queue address cannot be used
 * @throws {@link QueueDependencyError} when bullmq or ioredis is not installed
 * @example
 * ```ts
 * const again = await resendUnknown({ queue: "redis://127.0.0.1:6379/0", campaign: "spring-survey" });
 * ```
 */
export function resendUnknown(options: CampaignOptions): Promise<number> {
  return withJournal(options, async (journal, connection) => {
    const queue = connection.queueOf(options.campaign);
    let requeued = 0;
    // Page by page, so that neither Redis nor this process holds every unknown recipient at once.
    let cursor = "0";
    do {
      const { next, jobs } = await journal.requeueUnknown(cursor);
      // A stalled job may still be in BullMQ under its id: removed first, or adding it again would be a no-op.
      await Promise.all(jobs.map((job) => queue.remove(jobIdOf(job.key)).catch(() => 0)));
      await queue.addBulk(jobs.map((data) => ({ name: "send", data, opts: { ...JOB_OPTIONS, jobId: jobIdOf(data.key) } })));
      requeued += jobs.length;
      cursor = next;
    } while (cursor !== "0");
    return requeued;
  });
}

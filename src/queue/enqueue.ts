import { createHash } from "node:crypto";
import { sendFlowMessages, type BulkResult, type FlowMessageInput, type RecipientSource } from "../index.js";
import { connectQueue, JOB_OPTIONS, limiterOf, type QueueConnection } from "./connection.js";
import { jobIdOf, RedisJournal, type CampaignJob } from "./journal.js";

/** Options of {@link enqueueCampaign}. */
export interface EnqueueCampaignOptions {
  /** The Redis of the queue: `redis://HOST:PORT/DB`. */
  queue: string;
  /** The campaign's name: letters, digits, `.`, `-`, `_`. Enqueuing the same recipient to it again adds nobody. */
  campaign: string;
  /** The message, with `{{column}}` placeholders, as for `sendFlowMessages`. */
  template: unknown;
  /** The bot for rows without a `botId` column. */
  botId?: string;
  /** The optional `type` query parameter for every send. */
  type?: string;
  /** The column holding the phone number. @default "userId" */
  userColumn?: string;
  /** Sends started per second by all the campaign's workers together; 0 for no limit; unset leaves the rate as it was. */
  ratePerSecond?: number;
  /** Enqueue it even though the campaign was enqueued before with another template, bot or type. @default false */
  allowTemplateChange?: boolean;
  /** Called with each invalid row and each duplicate, during the check, before anything is enqueued. */
  onRow?: (result: Extract<BulkResult, { status: "invalid" | "duplicate" }>) => void;
}

/** What {@link enqueueCampaign} did. */
export interface EnqueueCampaignResult {
  /** The campaign's name, as given. */
  campaign: string;
  /** Rows read from the list. */
  rows: number;
  /** Rows with the same bot and recipient as an earlier row: queued once only. */
  duplicates: number;
  /** Recipients new to the campaign, now queued. */
  added: number;
  /** Recipients already queued and not yet sent (left as they were). */
  alreadyQueued: number;
  /** Recipients whose earlier send failed (provably not sent), queued again. */
  requeued: number;
  /** Recipients already sent, being sent, or unknown: never queued again by enqueuing (see `resendUnknown`). */
  alreadyHandled: number;
}

const BATCH = 500;

/**
 * Checks every row exactly as `sendFlowMessages` does, then puts one job per recipient on the campaign's queue and
 * returns: workers (`runCampaignWorker`) send them. Nothing is enqueued while a row is invalid. A job's id is derived
 * from the campaign and the recipient, and the campaign's journal in Redis records each recipient, so enqueuing the
 * same list twice adds nobody; recipients whose earlier send failed (provably not sent) are queued again.
 * Jobs hold the message and the recipient only: no credential ever enters Redis.
 *
 * @param recipients an array, or a function reopening the list (such as `readRecipientsCsv(path)`): it is read twice
 * @param options the queue, the campaign, the template and the rate; see {@link EnqueueCampaignOptions}
 * @returns the counts
 * @throws {@link jelou-flow!BulkValidationError | BulkValidationError} when some rows are invalid (each was passed to
 *   `onRow`): nothing was enqueued
 * @throws {@link jelou-flow!TemplateError | TemplateError} when the template cannot be used for any row
 * @throws {@link CampaignError} when the campaign name or the queue address cannot be used, or the campaign was enqueued
 *   with another template, bot or type (without `allowTemplateChange`): nothing was enqueued
 * @throws {@link QueueDependencyError} when bullmq or ioredis is not installed
 * @example
 * ```ts
 * const done = await enqueueCampaign(readRecipientsCsv("customers.csv"), {
 *   queue: "redis://127.0.0.1:6379/0", campaign: "spring-survey", template, botId: "8f3c2a7e-bot", ratePerSecond: 80,
 * });
 * console.log(`${done.added} queued`);
 * ```
 */
export async function enqueueCampaign(
  recipients: RecipientSource,
  options: EnqueueCampaignOptions,
): Promise<EnqueueCampaignResult> {
  const connection = await connectQueue(options.queue);
  try {
    return await enqueue(connection, recipients, options);
  } finally {
    await connection.close();
  }
}

async function enqueue(
  connection: QueueConnection,
  recipients: RecipientSource,
  options: EnqueueCampaignOptions,
): Promise<EnqueueCampaignResult> {
  const journal = new RedisJournal(connection.redis, options.campaign);
  const queue = connection.queueOf(options.campaign);
  const counts = { rows: 0, duplicates: 0, added: 0, alreadyQueued: 0, requeued: 0, alreadyHandled: 0 };
  const result: EnqueueCampaignResult = { campaign: options.campaign, ...counts };
  let declared = false;
  const message = { template: options.template, botId: options.botId ?? null, type: options.type ?? null };
  const fingerprint = createHash("sha256").update(JSON.stringify(message)).digest("hex");
  let batch: CampaignJob[] = [];
  const flush = async () => {
    if (!declared) {
      await journal.checkMessage(fingerprint, options.allowTemplateChange);
      await journal.declare(options.ratePerSecond, fingerprint);
      if (options.ratePerSecond === 0) await queue.removeGlobalRateLimit();
      else if (options.ratePerSecond !== undefined) {
        const { max, duration } = limiterOf(options.ratePerSecond);
        await queue.setGlobalRateLimit(max, duration);
      }
      declared = true;
    }
    const jobs = batch;
    batch = [];
    if (jobs.length === 0) return;
    const decisions = await journal.register(jobs.map((j) => j.key));
    const toAdd = jobs.filter((_, i) => decisions[i] !== "skip");
    for (const d of decisions) {
      if (d === "new") result.added++;
      else if (d === "pending") result.alreadyQueued++;
      else if (d === "requeued") result.requeued++;
      else result.alreadyHandled++;
    }
    await queue.addBulk(toAdd.map((data) => ({ name: "send", data, opts: { ...JOB_OPTIONS, jobId: jobIdOf(data.key) } })));
  };

  // The bulk engine checks every row (the template, the contract, duplicates) and only then hands each recipient to
  // this "sender", one at a time: it enqueues instead of sending, so the queue's rows are checked exactly as a file run's.
  let current: { row: number; key: string } | undefined;
  const enqueuer = {
    async sendFlowMessage(message: FlowMessageInput) {
      batch.push({ key: current!.key, row: current!.row, message, ...(options.type !== undefined && { type: options.type }) });
      if (batch.length >= BATCH) await flush();
      return { status: 202, attempts: 0 };
    },
  };
  const results = sendFlowMessages(enqueuer, recipients, {
    template: options.template,
    concurrency: 1,
    ...(options.botId !== undefined && { botId: options.botId }),
    ...(options.type !== undefined && { type: options.type }),
    ...(options.userColumn !== undefined && { userColumn: options.userColumn }),
    onPlan: (plan) => (result.rows = plan.rows),
    onSendStart: (row, key) => (current = { row, key }),
  });
  for await (const r of results) {
    if (r.status === "duplicate") result.duplicates++;
    if (r.status === "invalid" || r.status === "duplicate") options.onRow?.(r);
  }
  await flush();
  return result;
}

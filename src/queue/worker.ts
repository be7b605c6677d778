import { randomUUID } from "node:crypto";
import type { Job, Worker } from "bullmq";
import { scrubSecrets } from "../client/redact.js";
import { createJelouClient, type FlowMessageSender } from "../index.js";
import { checkPersistence, connectQueue, type QueueConnection } from "./connection.js";
import { BULL_PREFIX, CAMPAIGNS_KEY, keyOfJobId, RedisJournal, type CampaignJob, type OutcomeDetail } from "./journal.js";

/** Options of {@link runCampaignWorker}. */
export interface CampaignWorkerOptions {
  /** The Redis of the queue: `redis://HOST:PORT/DB`. */
  queue: string;
  /** What sends: by default `createJelouClient()`, with the credentials of this process's environment. */
  client?: FlowMessageSender;
  /** Sends in flight at once, per campaign. @default 4 */
  concurrency?: number;
  /** Return once no campaign has a recipient queued or being sent. @default false */
  exitWhenIdle?: boolean;
  /**
   * Aborting it stops taking jobs; the sends in flight finish and are recorded, then the promise resolves. While Redis
   * is unreachable it stops at once, and the sends in flight that could not be recorded are reported (`onWarning`).
   */
  signal?: AbortSignal;
  /** Aborting it (a second Ctrl-C) stops at once, without waiting for the sends in flight; those are reported. */
  forceSignal?: AbortSignal;
  /**
   * How long a job's lock lasts without renewal: a worker silent that long (killed, frozen) has its job found stalled,
   * and the recipient becomes unknown. @default 30000
   */
  stalledAfterMs?: number;
  /** Told each outcome, and each recipient found stalled (`unknown`). */
  onOutcome?: (outcome: WorkerOutcome) => void;
  /** Told what does not stop the worker, such as Redis being unreachable for a while. */
  onWarning?: (message: string) => void;
  /**
   * Run on a Redis without an append-only file synced at every write (`appendonly yes`, `appendfsync always`), or whose
   * CONFIG is disabled: a Redis crash may then resend. @default false
   */
  allowUnsafePersistence?: boolean;
  /** Texts never to store in Redis (the client secret): error messages are scrubbed of them. */
  secrets?: readonly string[];
}

/** One recipient handled by the worker. */
export interface WorkerOutcome {
  /** The campaign the job belongs to. */
  campaign: string;
  /** `botId:userId`, the recipient's identity in the campaign. */
  key: string;
  /** The recipient's row in the enqueued list. */
  row: number;
  /**
   * `sent`; `failed` (provably not sent); `unknown` (may have been sent: check before resending); `skipped` (another
   * worker already started, sent or gave up on this recipient).
   */
  status: "sent" | "failed" | "unknown" | "skipped";
  /** Why it failed, is unknown or was skipped: the error's kind and message, or the recipient's state. */
  detail?: string;
}

/** What {@link runCampaignWorker} did before it returned. */
export interface CampaignWorkerSummary {
  /** Recipients this worker sent. */
  sent: number;
  /** Recipients whose send failed and provably was not sent. */
  failed: number;
  /** Recipients whose send may have reached Jelou: check them before `resendUnknown`. */
  unknown: number;
  /** Jobs not sent because their recipient was already started, sent or unknown. */
  skipped: number;
}

const STOPPED_MID_SEND = "its worker stopped mid-send";
const ALTERED = "job altered: its message, key and id do not name the same recipient; not sent";

/** Resolves when the signal aborts (at once if it has). */
const aborted = (signal: AbortSignal | undefined) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) resolve();
    signal?.addEventListener("abort", () => resolve(), { once: true });
  });

/** What the worker's parts share: the counts, the stop, and the sends that left and are not recorded yet. */
interface Run {
  workers: Map<string, Worker<CampaignJob>>;
  tell: (outcome: WorkerOutcome) => void;
  stop: AbortController;
  stopped: Promise<void>;
  /** A Redis call, or undefined once the worker is told to stop first: Redis may be away for ever. */
  unlessStopped: <T>(call: Promise<T>) => Promise<T | undefined>;
  unrecorded: Set<string>;
  refused?: unknown;
}

type Failure = { maybeSent: boolean; detail: Omit<OutcomeDetail, "at" | "row"> };

/** A send's error as the journal keeps it; `maybeSent` decides failed (provably not sent) or unknown. */
function failureOf(error: unknown, secrets: readonly string[]): Failure {
  const e = error as { kind?: string; message?: string; status?: number; maybeSent?: boolean };
  const detail = {
    kind: typeof e.kind === "string" ? e.kind : "unexpected",
    message: scrubSecrets(String(e.message ?? error), secrets).slice(0, 500),
    ...(typeof e.status === "number" && { status: e.status }),
  };
  // Anything that does not say it was not sent may have been.
  return { maybeSent: e.maybeSent !== false, detail };
}

/**
 * Sends the jobs of every campaign of the queue, until `signal` aborts (or, with `exitWhenIdle`, until nothing is left).
 * Any number of workers, on any number of machines, may run on one queue: each recipient is moved from pending to
 * started atomically in Redis before its send leaves, so it is sent at most once. A job whose recipient another
 * worker had started (BullMQ redelivers the jobs of a worker that died) is never sent again: the recipient becomes
 * unknown, as when a send's error says it may have reached Jelou. The campaign's rate holds across all workers.
 *
 * @param options the queue and how to send; see {@link CampaignWorkerOptions}
 * @returns the counts of what this worker did
 * @throws {@link CampaignError} when the queue address cannot be used, or Redis would lose writes in a crash (see
 *   `allowUnsafePersistence`)
 * @throws {@link QueueDependencyError} when bullmq or ioredis is not installed
 * @throws the client's error of kind `auth` when Jelou refuses this worker's credentials: it stops, and the recipient
 *   goes back on the queue, pending, for another worker
 * @example
 * ```ts
 * const stop = new AbortController();
 * process.once("SIGTERM", () => stop.abort());
 * await runCampaignWorker({ queue: "redis://127.0.0.1:6379/0", concurrency: 8, signal: stop.signal });
 * ```
 */
export async function runCampaignWorker(options: CampaignWorkerOptions): Promise<CampaignWorkerSummary> {
  const client = options.client ?? createJelouClient();
  const connection = await connectQueue(options.queue, { waitForRedis: true });
  const summary: CampaignWorkerSummary = { sent: 0, failed: 0, unknown: 0, skipped: 0 };
  const stop = new AbortController();
  options.signal?.addEventListener("abort", () => stop.abort(), { once: true });
  if (options.signal?.aborted) stop.abort();
  const stopped = aborted(stop.signal);
  const run: Run = {
    workers: new Map(),
    tell: (outcome) => {
      summary[outcome.status]++;
      options.onOutcome?.(outcome);
    },
    stop,
    stopped,
    unlessStopped: (call) => Promise.race([call, stopped.then(() => undefined)]),
    unrecorded: new Set(),
  };
  let warned = false;
  const warn = (error: unknown) => {
    if (warned) return;
    warned = true;
    options.onWarning?.(`Redis: ${(error as Error).message}; retrying.`);
  };
  connection.redis.on("error", warn);
  // A quick restart can be over before any reconnect fails, so losing the connection is reported by itself.
  connection.redis.on("reconnecting", () => warn(new Error("the connection was lost")));
  connection.redis.on("ready", () => (warned = false));
  try {
    await run.unlessStopped(checkPersistence(connection.redis, options.queue, options.allowUnsafePersistence));
    if (!stop.signal.aborted) await work(connection, options, client, run);
  } finally {
    await closeWorkers(connection, options, run);
  }
  if (run.refused !== undefined) throw run.refused;
  return summary;
}

/** Waits for the sends in flight, unless Redis is away (they could not be recorded) or a forced stop comes. */
async function closeWorkers(connection: QueueConnection, options: CampaignWorkerOptions, run: Run): Promise<void> {
  const force = connection.redis.status !== "ready";
  const closing = Promise.all([...run.workers.values()].map((w) => w.close(force)));
  await Promise.race([closing, aborted(options.forceSignal), ...(force ? [new Promise((r) => setTimeout(r, 1_000))] : [])]);
  const lost = run.unrecorded.size;
  if (lost > 0) {
    const what = `${lost} send${lost === 1 ? "" : "s"} in flight could not be recorded`;
    options.onWarning?.(`${what}: they stay "sending" until a worker finds their jobs stalled, then become unknown.`);
  }
  await connection.close();
}

async function work(connection: QueueConnection, options: CampaignWorkerOptions, client: FlowMessageSender, run: Run) {
  const { redis, libs } = connection;
  const { workers, tell, unlessStopped } = run;
  const secrets = options.secrets ?? [];
  const lockDuration = options.stalledAfterMs ?? 30_000;

  const processor = (campaign: string, journal: RedisJournal) => async (job: Job<CampaignJob>, bullToken?: string) => {
    const key = keyOfJobId(job.id ?? "");
    const data = { ...job.data, key };
    const token = randomUUID();
    const started = await journal.start(data, token);
    if (started !== "ok") {
      const redelivered = started === "redelivered";
      const status = redelivered ? "unknown" : "skipped";
      tell({ campaign, key, row: data.row, status, detail: redelivered ? STOPPED_MID_SEND : started });
      return;
    }
    const at = () => new Date().toISOString();
    if (job.data.key !== key || `${data.message?.botId}:${data.message?.userId}` !== key) {
      await journal.finish(data, token, "failed", { at: at(), row: data.row, kind: "altered", message: ALTERED });
      tell({ campaign, key, row: data.row, status: "failed", detail: ALTERED });
      return;
    }
    run.unrecorded.add(`${campaign} ${key}`);
    try {
      await client.sendFlowMessage(data.message, data.type === undefined ? {} : { type: data.type });
    } catch (error) {
      const { maybeSent, detail } = failureOf(error, secrets);
      if (detail.kind === "auth") {
        // These credentials are this worker's problem, not the recipient's: it goes back for another worker.
        await journal.finish(data, token, "pending", { at: at(), row: data.row, ...detail });
        run.unrecorded.delete(`${campaign} ${key}`);
        run.refused ??= error;
        run.stop.abort();
        await job.moveToDelayed(Date.now() + 1_000, bullToken);
        throw new libs.bullmq.DelayedError();
      }
      const outcome = maybeSent ? "unknown" : "failed";
      await journal.finish(data, token, outcome, { at: at(), row: data.row, ...detail });
      run.unrecorded.delete(`${campaign} ${key}`);
      tell({ campaign, key, row: data.row, status: outcome, detail: `${detail.kind}: ${detail.message}` });
      return;
    }
    await journal.finish(data, token, "sent", { at: at(), row: data.row });
    run.unrecorded.delete(`${campaign} ${key}`);
    tell({ campaign, key, row: data.row, status: "sent" });
  };

  const watch = (campaign: string) => {
    if (workers.has(campaign)) return;
    const journal = new RedisJournal(redis, campaign);
    const worker = new libs.bullmq.Worker<CampaignJob>(campaign, processor(campaign, journal), {
      connection: redis,
      prefix: BULL_PREFIX,
      concurrency: options.concurrency ?? 4,
      lockDuration,
      stalledInterval: Math.max(500, Math.round(lockDuration / 2)),
      // A stalled job comes back once, and then only to be marked unknown: it is never sent again.
      maxStalledCount: 1,
      removeOnComplete: { count: 0 },
      removeOnFail: { count: 0 },
      drainDelay: 1,
      runRetryDelay: 1_000, // after Redis was away: try again within a second, not fifteen
    });
    worker.on("error", () => undefined); // reported through the connection's warning
    worker.on("stalled", (jobId) => {
      void (async () => {
        const job = await connection.queueOf(campaign).getJob(jobId);
        const data = job?.data ?? { key: keyOfJobId(jobId), row: 0, message: {} as CampaignJob["message"] };
        if (!(await journal.stalled(data))) return;
        tell({ campaign, key: data.key, row: data.row, status: "unknown", detail: STOPPED_MID_SEND });
      })().catch(() => undefined);
    });
    workers.set(campaign, worker);
  };

  // A BullMQ worker (and its blocking connection) only for the campaigns with something to send or being sent.
  const visit = async (campaign: string) => {
    const busy = await unlessStopped(busyCampaign(connection, campaign));
    if (busy) watch(campaign);
    const worker = workers.get(campaign);
    if (busy !== false || worker === undefined) return busy === true;
    workers.delete(campaign);
    await unlessStopped(worker.close());
    return false;
  };
  while (!run.stop.signal.aborted) {
    let anyBusy = false;
    const campaigns = (await unlessStopped(redis.smembers(CAMPAIGNS_KEY))) ?? [];
    for (const campaign of campaigns) anyBusy = (await visit(campaign)) || anyBusy;
    if (options.exitWhenIdle && !anyBusy && !run.stop.signal.aborted) return;
    await Promise.race([run.stopped, new Promise((r) => setTimeout(r, 250))]);
  }
}

/** Something queued or being sent in the campaign (a stalled job still counts as being sent, until it is found). */
async function busyCampaign(connection: QueueConnection, campaign: string): Promise<boolean> {
  const counts = await new RedisJournal(connection.redis, campaign).counts();
  if (counts.started > 0) return true;
  const jobs = await connection.queueOf(campaign).getJobCounts("wait", "active", "delayed", "prioritized");
  return Object.values(jobs).some((n) => n > 0);
}

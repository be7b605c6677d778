import type { Redis } from "ioredis";
import type { FlowMessageInput } from "../index.js";

/** Where a recipient of a campaign stands. `started`: its send may be leaving now; nobody else may send it. */
export type RecipientState = "pending" | "started" | "sent" | "failed" | "unknown";

/** One job: the message and its recipient, never a credential (the worker has those in its environment). */
export interface CampaignJob {
  /** `botId:userId`, the identity used for at-most-once. */
  key: string;
  /** The recipient's row in the enqueued list, for reports. */
  row: number;
  /** The message to send, rendered for this recipient. */
  message: FlowMessageInput;
  /** The `type` query parameter of the send, when the campaign has one. */
  type?: string;
}

/** What is kept about a failed or unknown send. */
export interface OutcomeDetail {
  /** When the outcome was recorded (ISO 8601). */
  at: string;
  /** The recipient's row in the enqueued list. */
  row: number;
  /** The error's kind: a `JelouError` kind such as `server` or `timeout`, or `altered` or `unexpected`. */
  kind?: string;
  /** The error's message, scrubbed of secrets and cut to 500 characters. */
  message?: string;
  /** The HTTP status Jelou answered, when it answered. */
  status?: number;
}

/**
 * A campaign name that cannot be used, or a campaign that is not in the queue.
 *
 * @example
 * ```ts
 * await campaignStatus({ queue, campaign: "no such" }); // throws CampaignError: not a campaign name
 * ```
 */
export class CampaignError extends Error {
  /** Always `CampaignError`, so that it can be told apart after serialisation. */
  override name = "CampaignError";
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * Refuses a name BullMQ or the keys could not hold (a colon, a space, more than 100 characters).
 *
 * @throws {@link CampaignError} saying which characters are allowed
 */
export function checkCampaignName(name: string): void {
  if (!NAME.test(name)) {
    const rule = "use 1-100 letters, digits, dots, dashes or underscores, starting with a letter or digit";
    throw new CampaignError(`"${name}" is not a campaign name: ${rule}.`);
  }
}

/** BullMQ's keys start with this; each campaign is a BullMQ queue of its own name, so its rate is its own. */
export const BULL_PREFIX = "jelou-flow";
/** The set of every campaign's name, which workers watch. */
export const CAMPAIGNS_KEY = "jelou-flow-journal:campaigns";

/** The journal's keys of one campaign; the hash tag keeps them in one slot, as the scripts need. */
export function keysOf(campaign: string) {
  const base = `jelou-flow-journal:{${campaign}}`;
  return {
    states: `${base}:states`,
    owners: `${base}:owners`,
    counts: `${base}:counts`,
    unknown: `${base}:unknown`,
    failed: `${base}:failed`,
    details: `${base}:details`,
    jobs: `${base}:jobs`,
    meta: `${base}:meta`,
    leases: `${base}:leases`,
  };
}

/** Moves the counters and the sets of failed and unknown recipients along with a state change. */
export const MOVE = `
local function move(k, from, to)
  redis.call('HSET', KEYS[1], k, to)
  if from then redis.call('HINCRBY', KEYS[3], from, -1) end
  redis.call('HINCRBY', KEYS[3], to, 1)
  if from == 'unknown' then redis.call('SREM', KEYS[4], k) end
  if from == 'failed' then redis.call('SREM', KEYS[5], k) end
  if to == 'unknown' then redis.call('SADD', KEYS[4], k) end
  if to == 'failed' then redis.call('SADD', KEYS[5], k) end
  if to ~= 'started' then redis.call('HDEL', KEYS[2], k) end
  if to ~= 'unknown' then redis.call('HDEL', KEYS[7], k) end
  if to == 'pending' or to == 'sent' then redis.call('HDEL', KEYS[6], k) end
end
`;

/**
 * The scripts, each one atomic. KEYS: states, owners, counts, unknown, failed, details,
 * and jobs (kept for the unknown recipients only, to resend them).
 * - register (ARGV: keys): new -> pending (1), pending stays (2), failed -> pending (3), else left alone (0).
 * - start (ARGV: key, token, job): pending -> started owned by token ("ok"); started by this token again (a command
 *   resent after a reconnect) "ok"; started by another -> unknown ("redelivered": a worker died mid-send); else the state.
 * - finish (ARGV: key, token, outcome, detail, job): started by this token, or unknown, -> the outcome (1), else 0.
 * - stalled (ARGV: key, job): started -> unknown (1), else 0.
 * - requeue (ARGV: cursor, count): a page of the unknown recipients (SSCAN) -> pending; returns the next cursor, then
 *   their jobs.
 */
const SCRIPTS = {
  journalRegister: `${MOVE}
local out = {}
for i, k in ipairs(ARGV) do
  local cur = redis.call('HGET', KEYS[1], k)
  if not cur then move(k, false, 'pending') out[i] = 1
  elseif cur == 'pending' then out[i] = 2
  elseif cur == 'failed' then move(k, cur, 'pending') out[i] = 3
  else out[i] = 0 end
end
return out`,
  journalStart: `${MOVE}
local k = ARGV[1]
local cur = redis.call('HGET', KEYS[1], k)
if cur == 'pending' then
  move(k, cur, 'started') redis.call('HSET', KEYS[2], k, ARGV[2]) return 'ok'
end
if cur == 'started' then
  if redis.call('HGET', KEYS[2], k) == ARGV[2] then return 'ok' end
  move(k, cur, 'unknown') redis.call('HSET', KEYS[7], k, ARGV[3]) return 'redelivered'
end
return cur or 'missing'`,
  journalFinish: `${MOVE}
local k = ARGV[1]
local cur = redis.call('HGET', KEYS[1], k)
if (cur == 'started' and redis.call('HGET', KEYS[2], k) == ARGV[2]) or cur == 'unknown' then
  move(k, cur, ARGV[3])
  if ARGV[3] == 'failed' or ARGV[3] == 'unknown' then redis.call('HSET', KEYS[6], k, ARGV[4]) end
  if ARGV[3] == 'unknown' then redis.call('HSET', KEYS[7], k, ARGV[5]) end
  return 1
end
return 0`,
  journalStalled: `${MOVE}
local k = ARGV[1]
if redis.call('HGET', KEYS[1], k) ~= 'started' then return 0 end
move(k, 'started', 'unknown') redis.call('HSET', KEYS[7], k, ARGV[2])
return 1`,
  journalRequeue: `${MOVE}
local page = redis.call('SSCAN', KEYS[4], ARGV[1], 'COUNT', ARGV[2])
local out = { page[1] }
for _, k in ipairs(page[2]) do
  local job = redis.call('HGET', KEYS[7], k)
  if job then move(k, 'unknown', 'pending') out[#out + 1] = job end
end
return out`,
} as const;

type ScriptName = keyof typeof SCRIPTS;
type Scripted = Redis & Record<ScriptName, (...args: string[]) => Promise<unknown>>;

/** Counts of one campaign, as the journal keeps them. */
export interface CampaignCounts {
  /** Recipients in the campaign. */
  total: number;
  /** Queued and not yet taken by a worker. */
  pending: number;
  /** Being sent now, or by a worker that died mid-send. */
  started: number;
  /** Sent: Jelou accepted the message. */
  sent: number;
  /** Failed and provably not sent. */
  failed: number;
  /** May have been sent: check before `resendUnknown`. */
  unknown: number;
}

/**
 * The Redis journal of one campaign: every state change of a recipient is one Lua script, so that two workers can
 * never both move the same recipient from pending to started, and a worker's outcome cannot overwrite a later resend.
 */
export class RedisJournal {
  private readonly keys;
  private readonly redis: Scripted;

  constructor(redis: Redis, readonly campaign: string) {
    checkCampaignName(campaign);
    this.keys = keysOf(campaign);
    for (const [name, lua] of Object.entries(SCRIPTS)) {
      if (!(name in redis)) redis.defineCommand(name, { numberOfKeys: 7, lua });
    }
    this.redis = redis as Scripted;
  }

  private run(name: ScriptName, ...args: string[]): Promise<unknown> {
    const k = this.keys;
    return this.redis[name](k.states, k.owners, k.counts, k.unknown, k.failed, k.details, k.jobs, ...args);
  }

  /**
   * Records the campaign in the set workers watch, with its message's digest and its rate when one is given (0: none;
   * undefined: as it was).
   */
  async declare(ratePerSecond: number | undefined, fingerprint: string): Promise<void> {
    if (!(await this.exists()) && (await this.redis.hexists(this.keys.meta, "fingerprint"))) {
      const used = "is recorded by runs of sendFlowMessages (openRedisJournal), not by the queue";
      throw new CampaignError(`The campaign "${this.campaign}" ${used}: choose another name.`);
    }
    const declare = this.redis.multi().sadd(CAMPAIGNS_KEY, this.campaign);
    declare.hsetnx(this.keys.meta, "createdAt", new Date().toISOString());
    declare.hset(this.keys.meta, "message", fingerprint);
    if (ratePerSecond === 0) declare.hdel(this.keys.meta, "rate");
    else if (ratePerSecond !== undefined) declare.hset(this.keys.meta, "rate", String(ratePerSecond));
    await declare.exec();
  }

  /**
   * Refuses another message (a digest of the template, bot and type) than the one the campaign was enqueued with, unless
   * `allowChange`, so that one campaign does not mix two messages by mistake; `declare` records it.
   */
  async checkMessage(fingerprint: string, allowChange: boolean | undefined): Promise<void> {
    const before = await this.redis.hget(this.keys.meta, "message");
    if (before !== null && before !== fingerprint && !allowChange) {
      const how = "enqueue it under another campaign name, or pass --allow-template-change (allowTemplateChange)";
      throw new CampaignError(`The campaign "${this.campaign}" was enqueued with another template, bot or type: ${how}.`);
    }
  }

  /** Whether the campaign was ever enqueued. */
  async exists(): Promise<boolean> {
    return (await this.redis.sismember(CAMPAIGNS_KEY, this.campaign)) === 1;
  }

  /** Registers recipients; for each, whether to add its job: `new`, `pending` (a no-op if queued), `requeued`, or `skip`. */
  async register(keys: readonly string[]): Promise<Array<"new" | "pending" | "requeued" | "skip">> {
    const codes = (await this.run("journalRegister", ...keys)) as number[];
    return codes.map((c) => (["skip", "new", "pending", "requeued"] as const)[c]!);
  }

  /** pending -> started for `token`; "redelivered" when another worker had started it (it is now unknown). */
  async start(job: CampaignJob, token: string): Promise<"ok" | "redelivered" | RecipientState | "missing"> {
    return (await this.run("journalStart", job.key, token, JSON.stringify(job))) as "ok";
  }

  /**
   * started -> the outcome (pending: put back, not sent); false when the recipient was meanwhile handed to someone else
   * (resent by the operator).
   */
  async finish(job: CampaignJob, token: string, outcome: RecipientState, detail: OutcomeDetail): Promise<boolean> {
    return (await this.run("journalFinish", job.key, token, outcome, JSON.stringify(detail), JSON.stringify(job))) === 1;
  }

  /** started -> unknown for a job BullMQ found stalled: its worker died, or stopped answering, mid-send. */
  async stalled(job: CampaignJob): Promise<boolean> {
    return (await this.run("journalStalled", job.key, JSON.stringify(job))) === 1;
  }

  /** A page of the unknown recipients back to pending: their jobs to enqueue again, and the cursor of the next page. */
  async requeueUnknown(cursor: string, count = 500): Promise<{ next: string; jobs: CampaignJob[] }> {
    const [next, ...jobs] = (await this.run("journalRequeue", cursor, String(count))) as string[];
    return { next: next!, jobs: jobs.map((j) => JSON.parse(j) as CampaignJob) };
  }

  async counts(): Promise<CampaignCounts> {
    const [total, raw] = await Promise.all([this.redis.hlen(this.keys.states), this.redis.hgetall(this.keys.counts)]);
    const n = (s: string) => Number(raw[s] ?? 0);
    return { total, pending: n("pending"), started: n("started"), sent: n("sent"), failed: n("failed"), unknown: n("unknown") };
  }

  /** The recipients in `state` (failed or unknown), with what is known about their send, at most `limit`. */
  async listed(state: "failed" | "unknown", limit: number): Promise<Array<{ key: string } & Partial<OutcomeDetail>>> {
    const keys = (await this.redis.smembers(state === "unknown" ? this.keys.unknown : this.keys.failed)).sort().slice(0, limit);
    if (keys.length === 0) return [];
    const details = await this.redis.hmget(this.keys.details, ...keys);
    return keys.map((key, i) => ({ key, ...(details[i] ? (JSON.parse(details[i]) as OutcomeDetail) : {}) }));
  }

  async state(key: string): Promise<RecipientState | undefined> {
    return ((await this.redis.hget(this.keys.states, key)) as RecipientState | null) ?? undefined;
  }

  async rate(): Promise<number | undefined> {
    const rate = await this.redis.hget(this.keys.meta, "rate");
    return rate === null ? undefined : Number(rate);
  }
}

/** The BullMQ job id of a recipient: derived from it, so the same recipient is one job; a colon is not allowed in it. */
export const jobIdOf = (key: string) => encodeURIComponent(key);
export const keyOfJobId = (jobId: string) => decodeURIComponent(jobId);

import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { FileJournalOptions } from "../bulk/file-journal.js";
import { checkResumedRun, JournalInUseError, type JournalState, type RunJournal } from "../bulk/journal.js";
import { scrubSecrets } from "../client/redact.js";
import { checkPersistence, checkQueueUrl, connectQueue, shownQueueUrl, type QueueConnection } from "./connection.js";
import { CAMPAIGNS_KEY, CampaignError, checkCampaignName, keysOf, MOVE } from "./journal.js";

/** Options of {@link openRedisJournal}. */
export interface RedisJournalOptions {
  /**
   * How long a run's lease on its sends lasts without renewal (it is renewed while the run lives): the sends of a run
   * silent that long (killed, frozen) are taken for dead, and become unknown when a run next opens the campaign.
   * @default 30000
   */
  staleAfterMs?: number;
  /**
   * Open it on a Redis without an append-only file synced at every write (`appendonly yes`, `appendfsync always`), or
   * whose CONFIG is disabled: a Redis crash may then resend. @default false
   */
  allowUnsafePersistence?: boolean;
}

/** What `sendFlowMessages` calls, with its run's settings, to open the journal for that run (its `journal` option). */
export type RedisJournalOpener = (run: FileJournalOptions) => Promise<RunJournal>;

const NOW = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
`;

/**
 * The scripts of runs, each atomic. KEYS: the queue journal's seven (see journal.ts), then leases (run token -> the
 * Redis time in ms until which the run counts as alive). A bulk run never writes `pending`: absent means not yet sent.
 * - runLease (ARGV: token, ms): renews the run's lease.
 * - runReclaim (ARGV: token, ms, message, at): renews it; each started recipient whose run's lease ran out -> unknown.
 * - runStart (ARGV: key, token, expected, ms, detail): -> started by token if the state is still the one the run saw
 *   (`expected`; absent, pending and failed count as one), returning nothing; else returns the state.
 * - runFinish (ARGV: key, token, outcome, detail): started by token -> the outcome; unknown (the lease had run out) ->
 *   sent only, since a failed send of this run proves nothing about a resend by another.
 */
const SCRIPTS = {
  runLease: `${NOW} redis.call('HSET', KEYS[8], ARGV[1], now + ARGV[2])`,
  runReclaim: `${MOVE}${NOW}
redis.call('HSET', KEYS[8], ARGV[1], now + ARGV[2])
local owners = redis.call('HGETALL', KEYS[2])
local n = 0
for i = 1, #owners, 2 do
  local k = owners[i]
  if tonumber(redis.call('HGET', KEYS[8], owners[i + 1]) or 0) < now then
    move(k, 'started', 'unknown')
    local d = cjson.decode(redis.call('HGET', KEYS[6], k) or '{}')
    d.kind = 'stopped' d.message = ARGV[3] d.at = ARGV[4]
    redis.call('HSET', KEYS[6], k, cjson.encode(d))
    n = n + 1
  end
end
local leases = redis.call('HGETALL', KEYS[8])
for i = 1, #leases, 2 do if tonumber(leases[i + 1]) < now then redis.call('HDEL', KEYS[8], leases[i]) end end
return n`,
  runStart: `${MOVE}${NOW}
local k, expected = ARGV[1], ARGV[3]
local cur = redis.call('HGET', KEYS[1], k)
local free = { none = true, pending = true, failed = true }
if not ((free[cur or 'none'] and free[expected]) or (cur == 'unknown' and expected == 'unknown')) then return cur end
move(k, cur, 'started')
redis.call('HSET', KEYS[2], k, ARGV[2])
redis.call('HSET', KEYS[6], k, ARGV[5])
redis.call('HSET', KEYS[8], ARGV[2], now + ARGV[4])
return false`,
  runFinish: `${MOVE}
local k, outcome = ARGV[1], ARGV[3]
local cur = redis.call('HGET', KEYS[1], k)
if (cur == 'started' and redis.call('HGET', KEYS[2], k) == ARGV[2]) or (cur == 'unknown' and outcome == 'sent') then
  move(k, cur, outcome)
  if outcome ~= 'sent' then redis.call('HSET', KEYS[6], k, ARGV[4]) end
  return 1
end
return 0`,
} as const;

type Scripted = Redis & Record<keyof typeof SCRIPTS, (...args: string[]) => Promise<unknown>>;

/** Every recipient's state but pending (a queue's, to be sent), read page by page. */
async function readStates(redis: Redis, key: string): Promise<Map<string, JournalState>> {
  const states = new Map<string, JournalState>();
  let cursor = "0";
  do {
    const [next, fields] = await redis.hscan(key, cursor, "COUNT", 1000);
    for (let i = 0; i < fields.length; i += 2) {
      if (fields[i + 1] !== "pending") states.set(fields[i]!, fields[i + 1] as JournalState);
    }
    cursor = next;
  } while (cursor !== "0");
  return states;
}

/** Redis answers within 5 s, or the run is refused: a connection that waits through restarts would wait for ever. */
async function reachable(redis: Redis, url: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CampaignError(`Redis at ${shownQueueUrl(url)} does not answer: is it running?`)), 5_000);
  });
  try {
    await Promise.race([redis.ping(), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The journal of a bulk send kept in Redis, for `sendFlowMessages`' `journal` option: runs of the same list in any
 * number of processes, on any number of machines, share the campaign's record and never send a recipient twice. Each
 * recipient moves from unsent to started in one atomic script before its send leaves, then to sent, failed or unknown.
 * A recipient started by a run that died (its lease not renewed for `staleAfterMs`) is unknown to the next run, and sent
 * again only with `resendUnknown`. A campaign that already has sends needs `resume`, as a journal file does; its template,
 * bot and type are checked against the latest run's. Needs the optional packages bullmq and ioredis.
 *
 * @param url the Redis: `redis://HOST:PORT/DB`
 * @param campaign the campaign's name: letters, digits, `.`, `-`, `_`; not one of the queue's (`enqueueCampaign`)
 * @param options how soon a silent run counts as dead; see {@link RedisJournalOptions}
 * @returns what `sendFlowMessages` opens for its run, and closes when the run ends
 * @throws {@link CampaignError} at once when the name or the address cannot be used; when the run opens it, when Redis does
 *   not answer within 5 s, would lose writes in a crash (see `allowUnsafePersistence`), or the campaign is the queue's
 * @throws {@link jelou-flow!JournalInUseError | JournalInUseError} when the run opens it: the campaign records sends
 *   and `resume` is not set
 * @throws {@link jelou-flow!JournalMismatchError | JournalMismatchError} when the run opens it: the campaign's latest
 *   run sent another template, bot or type, without `allowTemplateChange`
 * @throws {@link QueueDependencyError} when the run opens it, if bullmq or ioredis is not installed
 * @example
 * ```ts
 * const journal = openRedisJournal("redis://10.0.0.5:6379/0", "spring-survey");
 * for await (const r of sendFlowMessages(client, readRecipientsCsv("list.csv"), { template, journal, resume: true })) {
 *   console.log(r.row, r.status);
 * }
 * ```
 */
export function openRedisJournal(url: string, campaign: string, options: RedisJournalOptions = {}): RedisJournalOpener {
  checkCampaignName(campaign);
  checkQueueUrl(url);
  const where = { url, campaign, leaseMs: String(options.staleAfterMs ?? 30_000), unsafe: options.allowUnsafePersistence };
  return async (run) => {
    const connection = await connectQueue(url, { waitForRedis: true });
    try {
      return await open(connection, where, run);
    } catch (error) {
      await connection.close();
      throw error;
    }
  };
}

type Where = { url: string; campaign: string; leaseMs: string; unsafe: boolean | undefined };

async function open(connection: QueueConnection, where: Where, run: FileJournalOptions): Promise<RunJournal> {
  const { redis, close } = connection;
  const { url, campaign, leaseMs } = where;
  const keys = keysOf(campaign);
  const label = `of the campaign ${campaign} in ${shownQueueUrl(url)}`;
  await reachable(redis, url);
  await checkPersistence(redis, url, where.unsafe);
  if ((await redis.sismember(CAMPAIGNS_KEY, campaign)) === 1) {
    throw new CampaignError(`The campaign ${campaign} is on the queue: its workers send it (jelou-flow worker), not a run.`);
  }
  const latest = await redis.hget(keys.meta, "fingerprint");
  if (!run.resume && (latest !== null || (await redis.hlen(keys.states)) > 0)) {
    throw new JournalInUseError(`The journal ${label} already records an earlier run; resume it (--resume), or name another.`);
  }
  checkResumedRun([latest ?? undefined], run.fingerprint, label, run.allowTemplateChange);
  for (const [name, lua] of Object.entries(SCRIPTS)) if (!(name in redis)) redis.defineCommand(name, { numberOfKeys: 8, lua });
  const scripted = redis as Scripted;
  const token = `run-${randomUUID()}`;
  const all = [keys.states, keys.owners, keys.counts, keys.unknown, keys.failed, keys.details, keys.jobs, keys.leases];
  const call = (name: keyof typeof SCRIPTS, ...args: string[]) => scripted[name](...all, ...args);
  const at = () => new Date().toISOString();
  // A dry run writes nothing: recipients of a dead run still read as started, which holds them back all the same.
  if (!run.dryRun) await call("runReclaim", token, leaseMs, "its run stopped mid-send", at());
  const prior = await readStates(redis, keys.states);
  const renew = () => void call("runLease", token, leaseMs).catch(() => 0);
  const heartbeat = run.dryRun ? undefined : setInterval(renew, Number(leaseMs) / 3).unref();
  const scrub = (text: string) => scrubSecrets(text, run.secrets ?? []);
  let closed = false;
  return {
    prior,
    async begin() {
      if ((await redis.hsetnx(keys.meta, "fingerprint", run.fingerprint)) === 1) return;
      // Set by an earlier run, or by one that began since this one opened: it must have sent this run's message.
      const since = (await redis.hget(keys.meta, "fingerprint")) ?? undefined;
      checkResumedRun([since], run.fingerprint, label, run.allowTemplateChange);
      await redis.hset(keys.meta, "fingerprint", run.fingerprint);
    },
    async started(key, row) {
      const expected = prior.get(key) ?? "none";
      const state = await call("runStart", key, token, expected, leaseMs, JSON.stringify({ at: at(), row }));
      return (state as JournalState | null) ?? undefined;
    },
    async outcome(entry) {
      const { type, key, row } = entry;
      const detail = type === "sent" ? {} : { kind: entry.kind, message: scrub(entry.message), status: entry.status };
      await call("runFinish", key, token, type, JSON.stringify({ at: entry.at, row, ...detail }));
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      // Whatever is still started has no outcome: without this run's lease the next run takes it for unknown at once.
      if (!run.dryRun) await redis.hdel(keys.leases, token).catch(() => 0);
      await close();
    },
  };
}

/**
 * The client under seeded chaos: `sends` flow messages to distinct recipients through `createJelouClient` (default,
 * safe retries) while the mock fails `probability` of requests at random through its chaos API (429, 500, 503 and dropped
 * connections after recording). Every send must end in success or a typed JelouError, no recipient may be in the inbox
 * twice, every success must be in it, and no send the client called safe to resend (maybeSent false) may be in it.
 *
 * What "no recipient twice" guards here: resending after a connection dropped once the message was recorded. The mock's
 * 500 and 503 refuse before recording, so a client that wrongly retried them would not show up in the inbox; that rule
 * is held by test/client/retry.test.ts, which counts the requests a 500 gets.
 */
import { createJelouClient, JelouError } from "../../src/index.js";
import { BOT_ID, CLIENT_ID, CLIENT_SECRET, flowMessage, userIdFor } from "../lib/workload.js";

export interface ChaosSoakOptions {
  /** The mock's base URL (127.0.0.1). */
  url: string;
  sends: number;
  probability: number;
  seed: number;
  concurrency: number;
  /** No send starts after this time; the result says whether it ran out. */
  durationMs: number;
}

export interface ChaosSoakResult {
  succeeded: number;
  /** Typed errors by kind. */
  failedByKind: Record<string, number>;
  /** Sends that ended in anything but success or a JelouError. */
  untyped: string[];
  /** Recipients the inbox holds more than once. */
  duplicates: string[];
  /** Successful sends the inbox does not hold. */
  missing: string[];
  /** Sends the client said provably never reached the mock, yet the inbox holds. */
  recordedThoughSafe: string[];
  /** How many requests the mock's chaos decided on and failed. */
  decisions: number;
  injected: number;
  /** Messages the inbox evicted during the run: the check needs none (give the mock room for `sends`). */
  evicted: number;
  /** True when the time bound stopped the run before every send was made. */
  timedOut: boolean;
}

async function call(url: string, path: string, init?: RequestInit): Promise<unknown> {
  const response = await fetch(`${url}${path}`, init);
  if (!response.ok) throw new Error(`${init?.method ?? "GET"} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function evictedSoFar(url: string): Promise<number> {
  return ((await call(url, "/__mock/health")) as { inbox: { evicted: number } }).inbox.evicted;
}

/**
 * Turns chaos on, sends, turns it off, and compares the outcomes with the inbox.
 *
 * @param options the mock, how many sends, the share of faults, the seed, sends in flight
 * @returns the outcome; the caller asserts
 */
export async function runChaosSoak(options: ChaosSoakOptions): Promise<ChaosSoakResult> {
  const { url } = options;
  if (new URL(url).hostname !== "127.0.0.1") throw new Error(`the soak runs on loopback only, not ${url}`);
  await call(url, "/__mock/messages", { method: "DELETE" });
  const evictedBefore = await evictedSoFar(url);
  const chaos = {
    probability: options.probability,
    seed: options.seed,
    kinds: ["rate_limit", "server_error", "unavailable", "drop"],
    retryAfterSeconds: 0,
  };
  await call(url, "/__mock/chaos", { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(chaos) });

  const client = createJelouClient({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, baseUrl: url, timeoutMs: 10_000 });
  const result: ChaosSoakResult = {
    succeeded: 0,
    failedByKind: {},
    untyped: [],
    duplicates: [],
    missing: [],
    recordedThoughSafe: [],
    decisions: 0,
    injected: 0,
    evicted: 0,
    timedOut: false,
  };
  const succeeded = new Set<string>();
  const safe = new Set<string>();
  let next = 0;
  const deadline = performance.now() + options.durationMs;
  const worker = async () => {
    while (next < options.sends) {
      if (performance.now() > deadline) {
        result.timedOut = true;
        return;
      }
      const userId = userIdFor(next++);
      try {
        await client.sendFlowMessage({ botId: BOT_ID, userId, ...flowMessage() });
        succeeded.add(userId);
      } catch (error) {
        if (!(error instanceof JelouError)) {
          result.untyped.push(`${userId}: ${String(error)}`);
          continue;
        }
        result.failedByKind[error.kind] = (result.failedByKind[error.kind] ?? 0) + 1;
        if (!error.maybeSent) safe.add(userId);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    const state = (await call(url, "/__mock/chaos")) as { decisions?: number; injected?: number };
    result.decisions = state.decisions ?? 0;
    result.injected = state.injected ?? 0;
    await call(url, "/__mock/chaos", { method: "DELETE" });
  }
  result.succeeded = succeeded.size;
  result.evicted = (await evictedSoFar(url)) - evictedBefore;

  const list = (await call(url, `/__mock/messages?limit=${options.sends * 2}`)) as { messages: { userId: string }[] };
  const seen = new Map<string, number>();
  for (const { userId } of list.messages) seen.set(userId, (seen.get(userId) ?? 0) + 1);
  for (const [userId, count] of seen) {
    if (count > 1) result.duplicates.push(userId);
    if (safe.has(userId)) result.recordedThoughSafe.push(userId);
  }
  for (const userId of succeeded) if (!seen.has(userId)) result.missing.push(userId);
  return result;
}

import type { JelouError } from "../errors/jelou-error.js";
import { MAX_TIMER_MS, type Call } from "./call.js";
import type { RetryPolicy } from "./config.js";
import { warnCallbackFailed } from "./hooks.js";

/** A failed attempt, as the retry rules see it. */
export interface FailedAttempt {
  /** The request provably never reached the server (connection refused, DNS failure, 429, 503 with a readable Retry-After). */
  safe: boolean;
  /** It may have reached the server, and is the kind of failure `retry.unsafe` retries (timeout, reset, 5xx). */
  unsafeCandidate: boolean;
  retryAfterMs: number | undefined;
  /** The error the call ends with if this is the last attempt; built only when `shouldRetry` needs it. */
  error: () => JelouError;
}

/**
 * The exponential backoff delay before retry number `retry` (from 1): `baseDelayMs * 2^(retry-1)`, capped at
 * `backoffLimitMs`, and with full jitter a random time between 0 and that (AWS's "full jitter", which spreads the
 * retries of many clients best).
 *
 * @param retry which retry, from 1
 * @param policy the client's retry policy
 */
export function backoffDelay(retry: number, policy: RetryPolicy): number {
  const ceiling = Math.min(policy.backoffLimitMs, policy.baseDelayMs * 2 ** (retry - 1));
  return policy.jitter ? Math.random() * ceiling : ceiling;
}

function stopped(call: Call): boolean {
  return call.ended || call.abortCause === "caller" || call.abortCause === "total";
}

/**
 * Decides whether a failed attempt is tried again, and after how long. The rules, in order:
 * no retry after the caller's abort or when the total deadline ran out, nor once `limit` retries were made;
 * by default only `safe` failures are retried; `unsafe: true` adds timeouts, resets and 5xx; `shouldRetry` overrides
 * both when it returns a boolean. The wait is `Retry-After` when the server sent one (no retry when it is longer than
 * `maxRetryAfterMs`), else the backoff; no retry when the wait would end past the total deadline.
 *
 * @param call the call's state
 * @param attempt the failure
 * @returns the delay in milliseconds, or undefined for no retry
 */
export async function retryDelay(call: Call, attempt: FailedAttempt): Promise<number | undefined> {
  const policy = call.settings.retry;
  if (stopped(call) || call.attempts > policy.limit) return undefined;
  let wanted = attempt.safe || (policy.unsafe && attempt.unsafeCandidate);
  if (policy.shouldRetry !== undefined) {
    let verdict: boolean | undefined;
    try {
      verdict = await policy.shouldRetry({
        attempt: call.attempts,
        error: attempt.error(),
        safe: attempt.safe,
        retryAfterMs: attempt.retryAfterMs,
      });
    } catch (error) {
      // The send must still end with the attempt's own error, which says whether the message may have been sent.
      warnCallbackFailed("retry.shouldRetry", error);
      return undefined;
    }
    // The caller may have aborted, the deadline passed, or the call ended while the callback ran.
    if (stopped(call)) return undefined;
    if (typeof verdict === "boolean") wanted = verdict;
  }
  if (!wanted) return undefined;
  let delay: number;
  if (attempt.retryAfterMs !== undefined) {
    if (attempt.retryAfterMs > policy.maxRetryAfterMs) return undefined;
    delay = attempt.retryAfterMs;
  } else {
    delay = backoffDelay(call.attempts, policy);
  }
  if (call.deadline !== undefined && performance.now() + delay >= call.deadline) return undefined;
  // A wait longer than a timer can hold (about 24.8 days) would fire at once: the call ends instead, with retryAfterMs.
  if (delay > MAX_TIMER_MS) return undefined;
  return delay;
}

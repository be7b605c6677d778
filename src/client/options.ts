import type { JelouError } from "../errors/jelou-error.js";

/** A fetch that takes a `Request`, such as `globalThis.fetch` or a mock app's `fetch`. */
export type FetchLike = (input: Request) => Promise<Response>;

/** What `shouldRetry` is asked about: the attempt that just failed. */
export interface RetryContext {
  /** The attempt that failed, from 1. */ attempt: number;
  /** The error the call ends with if it is not retried. */ error: JelouError;
  /** True when the request provably never reached Jelou (a retry cannot send twice). */ safe: boolean;
  /** The wait Jelou asked for (`Retry-After`), in milliseconds. */ retryAfterMs?: number;
}

/** When and how a failed send is tried again. Every field is optional. */
export interface RetryOptions {
  /** How many times a send may be retried after the first attempt; `0` turns retries off. @default 2 */ limit?: number;
  /**
   * Also retry failures after which the message may have been sent: timeouts, connection resets, 5xx. This can send a
   * message twice; turn it on only when a duplicate is harmless.
   * @default false
   */
  unsafe?: boolean;
  /**
   * Decides about each failed attempt while retries remain: `true` retries, `false` does not, `undefined` leaves the
   * decision to the rules above. Not asked after the caller's abort or when `totalTimeoutMs` ran out. If it throws, the
   * send is not retried and ends with the attempt's error; what it threw becomes a process warning.
   * @example
   * ```ts
   * shouldRetry: ({ error }) => (error.kind === "server" && error.status === 502 ? true : undefined)
   * ```
   */
  shouldRetry?: (context: RetryContext) => boolean | undefined | Promise<boolean | undefined>;
  /** The first backoff delay; each retry doubles it, up to `backoffLimitMs`. @default 500 */ baseDelayMs?: number;
  /** The longest backoff delay (before jitter). @default 5_000 */ backoffLimitMs?: number;
  /**
   * The longest `Retry-After` the client waits for; a longer one ends the call with `retryAfterMs` set, so you can schedule it.
   * @default 30_000
   */
  maxRetryAfterMs?: number;
  /**
   * Full jitter: wait a random time between 0 and the backoff delay, so that many clients do not retry in step.
   * Does not apply to a `Retry-After` wait.
   * @default true
   */
  jitter?: boolean;
}

/** Given to `onRequest` before each attempt. The Authorization header is redacted; the phone number is masked. */
export interface RequestEvent {
  /** The HTTP method, `POST` for `sendFlowMessage`. */ method: string;
  /** The full URL, phone number masked. */ url: string;
  /** The path, phone number masked. */ path: string;
  /** The attempt about to start, from 1. */ attempt: number;
  /** The request headers, credentials redacted. */ headers: Record<string, string>;
  /** The JSON body sent (the parsed message for `sendFlowMessage`, the text for `client.raw`). */ body: unknown;
}

/** Given to `onResponse` after each attempt, answered or not. Bodies are never included. */
export interface ResponseEvent {
  /** The HTTP method, as in the {@link RequestEvent}. */ method: string;
  /** The full URL, phone number masked. */ url: string;
  /** The path, phone number masked. */ path: string;
  /** The attempt that ended, from 1. */ attempt: number;
  /** The HTTP status, when there was an answer. */ status?: number;
  /** Time from sending to the answer's headers (or to the failure). */ durationMs: number;
  /** The response headers, credentials redacted, when there was an answer. */ headers?: Record<string, string>;
  /** The error this attempt ended with, when it failed (even if it is retried). */ error?: JelouError;
  /** When another attempt follows, how long the client waits first. */ retryInMs?: number;
}

/** Options of {@link createJelouClient}. */
export interface JelouClientOptions {
  /** The client id of Jelou's Basic authentication. @default process.env.JELOU_CLIENT_ID */ clientId?: string;
  /** The client secret. Never printed: errors, hooks and dry runs show `[REDACTED]`. @default process.env.JELOU_CLIENT_SECRET */
  clientSecret?: string;
  /**
   * Where Jelou is, such as the mock's URL `http://127.0.0.1:4010`. A path prefix is kept.
   * @default process.env.JELOU_BASE_URL, else "https://api.jelou.ai"
   */
  baseUrl?: string;
  /**
   * The fetch used to send, such as a mock's in-process `fetch`. It is called with one `Request` per attempt. When a
   * timeout or the caller's signal fires, the client stops waiting for it at once; the work it started is not
   * cancelled (the default fetch is, which releases the connection).
   * @default globalThis.fetch
   */
  fetch?: FetchLike;
  /**
   * How long one attempt may take, up to the whole answer; `Infinity` for no limit. Ends in a `timeout` error.
   * @default 30_000
   */
  timeoutMs?: number;
  /**
   * How many bytes of an answer's body are read, counted after decompression; past it the download is cancelled. A 2xx
   * past the limit is still a send (its result has `bodyTruncated: true` and `body: {}`); an error status keeps its
   * status and kind. A whole number >= 1.
   * @default 65536 (64 KiB)
   */
  maxResponseBytes?: number;
  /** How long a whole call may take, attempts and waits included; `undefined` for no limit. Ends in a `timeout` error. */
  totalTimeoutMs?: number;
  /**
   * When to retry. By default only requests that provably never reached Jelou are retried (connection refused, DNS
   * failure, 429, 503 with Retry-After), at most twice. `false` is the same as `{ limit: 0 }`.
   * @default { limit: 2, unsafe: false, baseDelayMs: 500, backoffLimitMs: 5_000, maxRetryAfterMs: 30_000, jitter: true }
   */
  retry?: RetryOptions | false;
  /** Called before each attempt. Errors it throws are reported as a process warning, never thrown into the send. */
  onRequest?: (event: RequestEvent) => void;
  /** Called after each attempt. Errors it throws are reported as a process warning, never thrown into the send. */
  onResponse?: (event: ResponseEvent) => void;
  /** Where the `JELOU_*` fallbacks are read from. @default process.env */ env?: Record<string, string | undefined>;
}

/** Options of one send. */
export interface SendOptions {
  /** The optional `type` query parameter (an opaque Flow type). @default undefined (left out) */ type?: string;
  /** Aborts the send; ends in an `aborted` error. */ signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for this send. @default the client's */ timeoutMs?: number;
  /** Overrides the client's `totalTimeoutMs` for this send. @default the client's */ totalTimeoutMs?: number;
  /** Overrides fields of the client's `retry` for this send. @default the client's */ retry?: RetryOptions | false;
  /** Return the request that would be sent, with a `curl` line, and send nothing. @default false */ dryRun?: boolean;
}

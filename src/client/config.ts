import { Buffer } from "node:buffer";
import { JelouError } from "../errors/jelou-error.js";
import { DEFAULT_MAX_RESPONSE_BYTES } from "./bounded-body.js";
import { redactUrlCredentials } from "./redact.js";
import type { FetchLike, JelouClientOptions, RequestEvent, ResponseEvent, RetryOptions } from "./options.js";

/** Jelou's production API. */
export const DEFAULT_BASE_URL = "https://api.jelou.ai";
/** The default per-attempt timeout. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** The retry options with every default filled in. */
export type RetryPolicy = Required<Omit<RetryOptions, "shouldRetry">> & Pick<RetryOptions, "shouldRetry">;

/** Everything a client needs, resolved once at creation so that a send allocates nothing that could be shared. */
export interface ClientConfig {
  baseUrl: string;
  /** `Basic base64(clientId:clientSecret)`. */
  authorization: string;
  /** Texts that must never appear in an error: the secret and the encoded credentials. */
  secrets: readonly string[];
  /** A custom fetch, or undefined for `globalThis.fetch` (which is also given the attempt's signal). */
  fetch: FetchLike | undefined;
  timeoutMs: number;
  totalTimeoutMs: number | undefined;
  /** How many bytes of an answer's body are read, after decompression. */
  maxResponseBytes: number;
  retry: RetryPolicy;
  onRequest: ((event: RequestEvent) => void) | undefined;
  onResponse: ((event: ResponseEvent) => void) | undefined;
}

const DEFAULT_RETRY: RetryPolicy = {
  limit: 2,
  unsafe: false,
  shouldRetry: undefined,
  baseDelayMs: 500,
  backoffLimitMs: 5_000,
  maxRetryAfterMs: 30_000,
  jitter: true,
};

/**
 * Refuses a duration that is not a number of milliseconds >= 0 (NaN would silently mean "no timeout", a negative one
 * an attempt that times out at once, after its request went out).
 *
 * @param name the option, for the message
 * @param value the value given, or undefined for the default
 * @param allowInfinity whether Infinity ("no limit") is allowed
 * @throws RangeError naming the option and the value
 */
export function checkDuration(name: string, value: number | undefined, allowInfinity: boolean): void {
  if (value === undefined) return;
  const ok = typeof value === "number" && value >= 0 && (Number.isFinite(value) || (allowInfinity && value === Infinity));
  if (!ok) throw new RangeError(`${name} must be a number of milliseconds >= 0${allowInfinity ? " (or Infinity)" : ""}; got ${String(value)}.`);
}

/** Refuses a `maxResponseBytes` that is not a whole number >= 1: every answer is read within a bound. */
function checkMaxResponseBytes(value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_RESPONSE_BYTES;
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 1) return value;
  throw new RangeError(
    `maxResponseBytes must be a whole number of bytes >= 1 (default ${DEFAULT_MAX_RESPONSE_BYTES}); got ${typeof value === "string" ? JSON.stringify(value) : String(value)}.`,
  );
}

/**
 * Fills in the defaults of a retry option, on top of a base policy.
 *
 * @param retry the option as given (`false` turns retries off)
 * @param base the policy it overrides
 * @throws RangeError when a number is negative or not a number
 */
export function resolveRetry(retry: RetryOptions | false | undefined, base: RetryPolicy = DEFAULT_RETRY): RetryPolicy {
  if (retry === undefined) return base;
  if (retry === false) return { ...base, limit: 0 };
  const policy: RetryPolicy = { ...base };
  for (const key of Object.keys(retry) as (keyof RetryOptions)[]) {
    if (retry[key] !== undefined) (policy as Record<string, unknown>)[key] = retry[key];
  }
  if (!Number.isInteger(policy.limit) || policy.limit < 0) {
    throw new RangeError(`retry.limit must be a whole number >= 0; got ${String(policy.limit)}.`);
  }
  checkDuration("retry.baseDelayMs", policy.baseDelayMs, false);
  checkDuration("retry.backoffLimitMs", policy.backoffLimitMs, false);
  checkDuration("retry.maxRetryAfterMs", policy.maxRetryAfterMs, true);
  return policy;
}

function credential(given: string | undefined, env: Record<string, string | undefined>, option: string, variable: string): string {
  const value = given ?? env[variable];
  if (value === undefined || value === "") {
    throw new JelouError({
      kind: "auth",
      message: `createJelouClient: no ${option}. Pass { ${option} } or set ${variable}; nothing can be sent to Jelou without it.`,
    });
  }
  return value;
}

function resolveBaseUrl(given: string): string {
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new TypeError(`baseUrl must be an absolute http(s) URL such as ${DEFAULT_BASE_URL}; got "${redactUrlCredentials(given)}".`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`baseUrl must use http or https; got "${url.protocol}".`);
  }
  if (url.username !== "" || url.password !== "") {
    throw new TypeError("baseUrl must not hold credentials; pass clientId and clientSecret instead.");
  }
  if (url.search !== "" || url.hash !== "") {
    throw new TypeError(`baseUrl must not have a query or a fragment; got "${redactUrlCredentials(given)}".`);
  }
  return url.href.replace(/\/+$/, "");
}

/**
 * Resolves the options of {@link createJelouClient}: environment fallbacks, defaults, checks.
 *
 * @param options as given by the caller
 * @throws JelouError (kind `auth`) when a credential is missing; TypeError or RangeError for a malformed option
 */
export function resolveConfig(options: JelouClientOptions): ClientConfig {
  const env = options.env ?? (typeof process === "object" ? process.env : {});
  const clientId = credential(options.clientId, env, "clientId", "JELOU_CLIENT_ID");
  const clientSecret = credential(options.clientSecret, env, "clientSecret", "JELOU_CLIENT_SECRET");
  if (clientId.includes(":")) throw new TypeError("clientId must not contain ':' (Basic authentication joins id and secret with it).");
  const baseUrl = resolveBaseUrl(options.baseUrl ?? (env.JELOU_BASE_URL || DEFAULT_BASE_URL));
  checkDuration("timeoutMs", options.timeoutMs, true);
  checkDuration("totalTimeoutMs", options.totalTimeoutMs, true);
  const encoded = Buffer.from(`${clientId}:${clientSecret}`, "utf8").toString("base64");
  if (options.fetch !== undefined && typeof options.fetch !== "function") {
    throw new TypeError("fetch must be a function that takes a Request.");
  }
  return {
    baseUrl,
    authorization: `Basic ${encoded}`,
    secrets: [clientSecret, encoded],
    fetch: options.fetch,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    totalTimeoutMs: options.totalTimeoutMs,
    maxResponseBytes: checkMaxResponseBytes(options.maxResponseBytes),
    retry: resolveRetry(options.retry),
    onRequest: options.onRequest,
    onResponse: options.onResponse,
  };
}

import { Buffer } from "node:buffer";
import { credentialSecrets } from "../contract/scrub-secrets.js";
import { JelouError } from "../errors/jelou-error.js";
import { DEFAULT_MAX_RESPONSE_BYTES } from "./bounded-body.js";
import { redactUrlCredentials } from "./redact.js";
import type { JelouClientOptions, RetryOptions } from "./options.js";

const DEFAULT_BASE_URL = "https://api.jelou.ai";
const DEFAULT_TIMEOUT_MS = 30_000;

/** The retry options with every default filled in. */
export type RetryPolicy = Required<Omit<RetryOptions, "shouldRetry">> & Pick<RetryOptions, "shouldRetry">;

/** What a client needs, resolved once at creation; `secrets` (the secret, the encoded credentials) never show anywhere. */
export type ClientConfig = Pick<JelouClientOptions, "fetch" | "totalTimeoutMs" | "onRequest" | "onResponse"> & {
  baseUrl: string;
  authorization: string;
  secrets: readonly string[];
  timeoutMs: number;
  maxResponseBytes: number;
  retry: RetryPolicy;
};

const DEFAULT_RETRY: RetryPolicy = {
  limit: 2, unsafe: false, shouldRetry: undefined, jitter: true,
  baseDelayMs: 500, backoffLimitMs: 5_000, maxRetryAfterMs: 30_000,
};

/** The backoff before retry number `retry` (from 1): `baseDelayMs * 2^(retry-1)` up to `backoffLimitMs`, full jitter. */
export function backoffDelay(retry: number, policy: RetryPolicy): number {
  const ceiling = Math.min(policy.backoffLimitMs, policy.baseDelayMs * 2 ** (retry - 1));
  return policy.jitter ? Math.random() * ceiling : ceiling;
}

/** Refuses what is not a number of milliseconds >= 0: NaN would mean "no timeout", a negative one a timeout after sending. */
export function checkDuration(name: string, value: number | undefined, allowInfinity: boolean): void {
  if (value === undefined) return;
  const ok = typeof value === "number" && value >= 0 && (Number.isFinite(value) || (allowInfinity && value === Infinity));
  const or = allowInfinity ? " (or Infinity)" : "";
  if (!ok) throw new RangeError(`${name} must be a number of milliseconds >= 0${or}; got ${String(value)}.`);
}

/** Refuses a `maxResponseBytes` that is not a whole number >= 1: every answer is read within a bound. */
function checkMaxResponseBytes(value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_RESPONSE_BYTES;
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 1) return value;
  throw new RangeError(
    `maxResponseBytes must be a whole number of bytes >= 1 (default ${DEFAULT_MAX_RESPONSE_BYTES}); ` +
      `got ${typeof value === "string" ? JSON.stringify(value) : String(value)}.`,
  );
}

/** A retry option (`false` turns retries off) on top of a base policy; RangeError for a malformed number. */
export function resolveRetry(retry: RetryOptions | false | undefined, base: RetryPolicy = DEFAULT_RETRY): RetryPolicy {
  if (retry === undefined) return base;
  if (retry === false) return { ...base, limit: 0 };
  const given = Object.entries(retry).filter(([, value]) => value !== undefined);
  const policy: RetryPolicy = { ...base, ...Object.fromEntries(given) };
  if (!Number.isInteger(policy.limit) || policy.limit < 0) {
    throw new RangeError(`retry.limit must be a whole number >= 0; got ${String(policy.limit)}.`);
  }
  checkDuration("retry.baseDelayMs", policy.baseDelayMs, false);
  checkDuration("retry.backoffLimitMs", policy.backoffLimitMs, false);
  checkDuration("retry.maxRetryAfterMs", policy.maxRetryAfterMs, true);
  return policy;
}

function credential(given: string | undefined, env: Record<string, string | undefined>, option: string, variable: string) {
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
  const shown = redactUrlCredentials(given);
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new TypeError(`baseUrl must be an absolute http(s) URL such as ${DEFAULT_BASE_URL}; got "${shown}".`);
  }
  if (!["http:", "https:"].includes(url.protocol)) throw new TypeError(`baseUrl must use http or https; got "${url.protocol}".`);
  if (url.username !== "" || url.password !== "") {
    throw new TypeError("baseUrl must not hold credentials; pass clientId and clientSecret instead.");
  }
  if (url.search !== "" || url.hash !== "") throw new TypeError(`baseUrl must not have a query or a fragment; got "${shown}".`);
  return url.href.replace(/\/+$/, "");
}

/** The options of {@link createJelouClient} with the environment's fallbacks, the defaults and the checks. */
export function resolveConfig(options: JelouClientOptions): ClientConfig {
  const env = options.env ?? (typeof process === "object" ? process.env : {});
  const clientId = credential(options.clientId, env, "clientId", "JELOU_CLIENT_ID");
  const clientSecret = credential(options.clientSecret, env, "clientSecret", "JELOU_CLIENT_SECRET");
  if (clientId.includes(":")) {
    throw new TypeError("clientId must not contain ':' (Basic authentication joins id and secret with it).");
  }
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
    secrets: credentialSecrets(clientId, clientSecret),
    fetch: options.fetch,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    totalTimeoutMs: options.totalTimeoutMs,
    maxResponseBytes: checkMaxResponseBytes(options.maxResponseBytes),
    retry: resolveRetry(options.retry),
    onRequest: options.onRequest,
    onResponse: options.onResponse,
  };
}

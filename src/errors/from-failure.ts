import { scrubSecrets } from "../client/redact.js";
import { adviceFor } from "./advice.js";
import { JelouError } from "./jelou-error.js";

/**
 * Error codes that prove the request never reached the server: the connection was never made (refused, no route, DNS
 * failure, connect timeout) or the TLS handshake failed, and Node's fetch writes no byte of the request before both are
 * done. Anything else (ECONNRESET, "other side closed", a socket error after writing) may come after the body went out.
 */
const NEVER_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_NONAME",
  "EAI_FAIL",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** Messages undici gives, without a code, when it refuses to connect at all. */
const NEVER_SENT_MESSAGES = new Set(["bad port"]);

/** Every `code` (and code-less message) in an error, its `cause` chain and the `errors` of an AggregateError. */
function failureMarks(error: unknown, marks: string[] = [], depth = 0): string[] {
  if (depth > 8 || typeof error !== "object" || error === null) return marks;
  const { code, message, cause, errors } = error as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === "string") marks.push(code);
  else if (typeof message === "string" && NEVER_SENT_MESSAGES.has(message)) marks.push(message);
  if (Array.isArray(errors)) for (const inner of errors) failureMarks(inner, marks, depth + 1);
  failureMarks(cause, marks, depth + 1);
  return marks;
}

/** The port a URL connects to. */
function portOf(url: URL): number {
  if (url.port !== "") return Number(url.port);
  return url.protocol === "https:" ? 443 : 80;
}

/**
 * True when some error in the chain names a connection to another place than `url`: a port (`ECONNREFUSED` carries
 * the port it tried) or a host name (`ENOTFOUND` carries the name it looked up) that is not the request's. Then the
 * failure came from a later connection, such as a redirect a custom fetch followed after the first server had the
 * request. An error that names neither proves nothing either way.
 */
function namesAnotherPlace(error: unknown, url: URL, depth = 0): boolean {
  if (depth > 8 || typeof error !== "object" || error === null) return false;
  const { port, hostname, cause, errors } = error as { port?: unknown; hostname?: unknown; cause?: unknown; errors?: unknown };
  if (typeof port === "number" && port !== portOf(url)) return true;
  if (typeof hostname === "string" && hostname.toLowerCase() !== url.hostname.toLowerCase().replace(/^\[|\]$/g, "")) return true;
  if (Array.isArray(errors) && errors.some((inner) => namesAnotherPlace(inner, url, depth + 1))) return true;
  return namesAnotherPlace(cause, url, depth + 1);
}

/**
 * True when a fetch failure proves the request never reached the server, so sending again cannot send twice.
 * Undici wraps the socket error: `TypeError("fetch failed", { cause: Error { code: "ECONNREFUSED" } })`; with
 * happy-eyeballs the cause is an AggregateError of one error per address. Unknown failures count as maybe sent, and so
 * does a failure to connect somewhere else than `url` (only the attempt's own first connection counts).
 *
 * @param error what fetch rejected with
 * @param url the request's URL, when known
 */
export function neverReachedServer(error: unknown, url?: string): boolean {
  const marks = failureMarks(error);
  if (marks.length === 0 || !marks.every((mark) => NEVER_SENT_CODES.has(mark) || NEVER_SENT_MESSAGES.has(mark))) return false;
  const target = url === undefined || !URL.canParse(url) ? undefined : new URL(url);
  return target === undefined || !namesAnotherPlace(error, target);
}

/** Why the client stopped an attempt itself, if it did. */
export type AbortCause = "caller" | "attempt" | "total";

/** The request a failure belongs to. */
export interface FailureContext {
  method: string;
  /** The path with the phone number masked. */
  path: string;
  attempts: number;
  earlierMaybeSent: boolean;
  /** Whether a request was out when the caller aborted (false while waiting between attempts). */
  inFlight: boolean;
  abortCause: AbortCause | undefined;
  /**
   * True when the attempt had got an answer (the failure came while reading it): it reached the server, whatever the
   * error's code says. Only a failure on the attempt's own connection may prove nothing was sent.
   */
  answered?: boolean;
  /** The limit that ran out, for timeout messages. */
  timeoutMs?: number;
  /** Texts that must never appear in the error, even when the failure's message holds them. */
  secrets?: readonly string[];
  /** The URL the attempt was sent to: a failure to connect elsewhere proves nothing (see {@link neverReachedServer}). */
  url?: string;
}

function causeText(error: unknown): string {
  let current: unknown = error;
  let text = "";
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    text = current.message;
    current = current.cause;
  }
  return text;
}

/**
 * Builds the error for an attempt that got no HTTP answer: a timeout, the caller's abort, or a network failure.
 *
 * @param error what fetch (or reading the body) rejected with
 * @param context the request, and why the client aborted it if it did
 */
export function errorFromFailure(error: unknown, context: FailureContext): JelouError {
  const base = { method: context.method, path: context.path, attempts: context.attempts, cause: error, secrets: context.secrets };
  const attempts = context.attempts > 1 ? ` after ${context.attempts} attempts` : "";
  if (context.abortCause === "caller") {
    const maybeSent = context.earlierMaybeSent || context.inFlight;
    const advice = adviceFor({ kind: "aborted", maybeSent });
    return new JelouError({ ...base, kind: "aborted", maybeSent, message: `${context.method} ${context.path} was aborted${attempts}. ${advice}` });
  }
  if (context.abortCause !== undefined) {
    const timeout = context.abortCause;
    // The total deadline can run out between attempts, after answers that proved nothing was sent (a 429).
    const maybeSent = context.earlierMaybeSent || context.inFlight;
    const advice = adviceFor({ kind: "timeout", maybeSent, timeout, timeoutMs: context.timeoutMs });
    const what = timeout === "total" ? "ran out of time" : "got no answer in time";
    const message = `${context.method} ${context.path} ${what}${attempts}. ${advice}`;
    return new JelouError({ ...base, kind: "timeout", timeout, maybeSent, retryable: !maybeSent, message });
  }
  const neverSent = context.answered !== true && neverReachedServer(error, context.url);
  const maybeSent = context.earlierMaybeSent || !neverSent;
  const advice = adviceFor({ kind: "network", maybeSent: !neverSent });
  const reason = scrubSecrets(causeText(error), context.secrets ?? []);
  return new JelouError({
    ...base,
    kind: "network",
    maybeSent,
    retryable: !maybeSent,
    message: `${context.method} ${context.path} failed${reason ? ` (${reason})` : ""}${attempts}. ${advice}`,
  });
}

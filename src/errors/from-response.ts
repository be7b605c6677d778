import type { FieldProblem } from "../contract/field-problems.js";
import { adviceFor } from "./advice.js";
import { JelouError, type JelouErrorKind } from "./jelou-error.js";
import { redactUrlCredentials, scrubDeep, scrubSecrets } from "../client/redact.js";
import { parseRetryAfter } from "./retry-after.js";

/** Where an answer came from and what came before it, to build the error of an HTTP answer that is not 2xx. */
export interface ResponseErrorContext {
  method: string;
  /** The path with the phone number masked. */
  path: string;
  attempts: number;
  /** True when an earlier attempt may have reached Jelou. */
  earlierMaybeSent: boolean;
  /** Texts that must never appear in the error, even when the server echoes them. */
  secrets: readonly string[];
}

/** The kind of a non-2xx status. */
export function kindOfStatus(status: number): JelouErrorKind {
  if (status === 401) return "auth";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 422) return "validation";
  if (status === 429) return "rate_limited";
  if (status >= 500) return "server";
  return "http";
}

/**
 * True when an answer proves the request was refused before any work: a 429, or a 503 with a readable `Retry-After`
 * (delay-seconds or an HTTP-date). A 503 whose `Retry-After` is empty or unreadable (`-1`, `soon`) proves nothing, and
 * like anything else from the 5xx range may have come after the message went out.
 *
 * @param status the HTTP status
 * @param headers the response headers
 */
export function refusedBeforeWork(status: number, headers: Headers): boolean {
  return status === 429 || (status === 503 && parseRetryAfter(headers.get("retry-after")) !== undefined);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function problemsOf(body: Record<string, unknown>): FieldProblem[] | undefined {
  const errors = body.errors;
  if (!Array.isArray(errors)) return undefined;
  const problems = errors.filter(
    (e): e is FieldProblem => isRecord(e) && typeof e.path === "string" && typeof e.rule === "string" && typeof e.message === "string",
  );
  return problems.length > 0 ? problems : undefined;
}

/**
 * Builds the error for a non-2xx answer: kind from the status, Jelou's `code` and `description` from the body (or its
 * older `message`), `Retry-After`, `X-Request-Id`, the problems of a 422, and a message saying what to do.
 *
 * @param status the HTTP status
 * @param headers the response headers
 * @param body the body, parsed from JSON when it was JSON, else its text
 * @param context the request it answers
 */
export function errorFromResponse(status: number, headers: Headers, body: unknown, context: ResponseErrorContext): JelouError {
  const kind = kindOfStatus(status);
  const safe = refusedBeforeWork(status, headers);
  const maybeSent = context.earlierMaybeSent || (status >= 500 && !safe);
  const record = isRecord(body) ? body : undefined;
  const scrub = (value: unknown): string | undefined =>
    typeof value === "string" && value !== "" ? scrubSecrets(value, context.secrets) : undefined;
  const code = scrub(record?.code);
  const description = scrub(record?.description) ?? scrub(record?.message) ?? (record ? undefined : scrub(body)?.slice(0, 500));
  const retryAfterMs = parseRetryAfter(headers.get("retry-after"));
  const requestId = scrub(headers.get("x-request-id") ?? undefined);
  // Every field of a problem, not only the three the contract names: it allows more, and a server may echo anything.
  const problems = record ? problemsOf(record)?.map((p) => scrubDeep(p, context.secrets)) : undefined;

  const what = [code, description].filter(Boolean).join(": ");
  const attempts = context.attempts > 1 ? ` after ${context.attempts} attempts` : "";
  const listed = problems ? ` Problems: ${problems.map((p) => p.message).join(" ")}` : "";
  const advice = adviceFor({ kind, status, retryAfterMs, maybeSent });
  const message = `${context.method} ${context.path} answered ${status}${what ? ` (${what})` : ""}${attempts}.${listed} ${advice}`;

  return new JelouError({
    kind,
    message,
    status,
    code,
    description,
    retryAfterMs,
    requestId,
    problems,
    attempts: context.attempts,
    maybeSent,
    retryable: safe && !maybeSent,
    method: context.method,
    path: context.path,
    secrets: context.secrets,
  });
}

/** The host a `Location` header names, resolved against the request's URL; undefined when absent or unreadable. */
function locationHost(location: string | null, requestUrl: string): string | undefined {
  if (location === null || location.trim() === "") return undefined;
  try {
    // URL.host never holds the userinfo, so a password in the Location cannot show.
    return new URL(location, requestUrl).host || undefined;
  } catch {
    return redactUrlCredentials(location).slice(0, 200);
  }
}

/**
 * Builds the error for a 3xx answer. Jelou never redirects, and the client never follows a redirect (a followed POST
 * could be sent again elsewhere, or turned into a GET whose 200 would read as a send): the server had the whole request,
 * so the message may have been sent, and it is never retried, whatever the retry policy.
 *
 * @param status the 3xx status
 * @param headers the response headers (`Location` names where it pointed)
 * @param requestUrl the URL that was sent to, to resolve a relative `Location`
 * @param context the request it answers
 * @param followedTo the URL a custom fetch ended at when it followed the redirect itself (`response.redirected`)
 */
export function redirectError(
  status: number,
  headers: Headers,
  requestUrl: string,
  context: ResponseErrorContext,
  followedTo?: string,
): JelouError {
  const host = locationHost(followedTo ?? headers.get("location"), requestUrl);
  const where = host === undefined ? "" : ` to ${scrubSecrets(host, context.secrets)}`;
  const what =
    followedTo === undefined
      ? `answered ${status}, a redirect${where}. Jelou does not redirect`
      : `was redirected${where}, and the custom fetch followed it (that answered ${status}). Jelou does not redirect, and a custom fetch must not follow redirects`;
  const requestId = headers.get("x-request-id");
  return new JelouError({
    kind: "http",
    status,
    message:
      `${context.method} ${context.path} ${what}: the baseUrl is probably wrong (check its scheme, host and path).` +
      `${followedTo === undefined ? " The redirect was not followed." : ""} The server received the whole request, so the ` +
      "message may have been sent: check before sending it again.",
    requestId: requestId === null ? undefined : scrubSecrets(requestId, context.secrets),
    attempts: context.attempts,
    maybeSent: true,
    retryable: false,
    method: context.method,
    path: context.path,
    secrets: context.secrets,
  });
}

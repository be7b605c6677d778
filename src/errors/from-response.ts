import type { FieldProblem } from "../contract/field-problems.js";
import { normalizeUserId } from "../contract/validate-flow-message.js";
import { isRecord, maskPath, redactUrlCredentials, scrubDeep, scrubSecrets } from "../client/redact.js";
import { adviceFor, JelouError, type JelouErrorKind } from "./jelou-error.js";
import { parseRetryAfter } from "./retry-after.js";

/** Where an answer came from (the path masked), whether an earlier attempt may have reached Jelou, what never shows. */
export interface ResponseErrorContext {
  method: string;
  path: string;
  attempts: number;
  earlierMaybeSent: boolean;
  secrets: readonly string[];
}

const KINDS: Record<number, JelouErrorKind> = {
  401: "auth", 403: "forbidden", 404: "not_found", 422: "validation", 429: "rate_limited",
};

/** The kind of a non-2xx status. */
export function kindOfStatus(status: number): JelouErrorKind {
  return KINDS[status] ?? (status >= 500 ? "server" : "http");
}

/** True for a 429, or a 503 with a readable `Retry-After`: refused before any work. Any other 5xx may come after the send. */
export function refusedBeforeWork(status: number, headers: Headers): boolean {
  return status === 429 || (status === 503 && parseRetryAfter(headers.get("retry-after")) !== undefined);
}

function problemsOf(body: Record<string, unknown>): FieldProblem[] | undefined {
  const errors = Array.isArray(body.errors) ? body.errors : [];
  const isProblem = (e: unknown): e is FieldProblem =>
    isRecord(e) && typeof e.path === "string" && typeof e.rule === "string" && typeof e.message === "string";
  const problems = errors.filter(isProblem);
  return problems.length > 0 ? problems : undefined;
}

/** The error of a non-2xx answer: kind, Jelou's code and description, Retry-After, request id, problems, all scrubbed. */
export function errorFromResponse(status: number, headers: Headers, body: unknown, context: ResponseErrorContext): JelouError {
  const { method, path, attempts, secrets } = context;
  const kind = kindOfStatus(status);
  const safe = refusedBeforeWork(status, headers);
  const maybeSent = context.earlierMaybeSent || (status >= 500 && !safe);
  const record = isRecord(body) ? body : undefined;
  const scrub = (value: unknown) => (typeof value === "string" && value !== "" ? scrubSecrets(value, secrets) : undefined);
  const code = scrub(record?.code);
  const description = scrub(record?.description) ?? scrub(record?.message) ?? (record ? undefined : scrub(body)?.slice(0, 500));
  const retryAfterMs = parseRetryAfter(headers.get("retry-after"));
  // Every field of a problem, not only the three the contract names: it allows more, and a server may echo anything.
  const problems = record ? problemsOf(record)?.map((p) => scrubDeep(p, secrets)) : undefined;
  const what = [code, description].filter(Boolean).join(": ");
  const listed = problems ? ` Problems: ${problems.map((p) => p.message).join(" ")}` : "";
  const advice = adviceFor({ kind, retryAfterMs, maybeSent });
  const after = attempts > 1 ? ` after ${attempts} attempts` : "";
  const message = `${method} ${path} answered ${status}${what ? ` (${what})` : ""}${after}.${listed} ${advice}`;
  const requestId = scrub(headers.get("x-request-id"));
  const facts = { status, code, description, retryAfterMs, requestId, problems, attempts, maybeSent, method, path, secrets };
  return new JelouError({ ...facts, kind, message, retryable: safe && !maybeSent });
}

/** The host a `Location` names, resolved against the request's URL (never its userinfo); undefined when absent. */
function locationHost(location: string | null, requestUrl: string): string | undefined {
  if (location === null || location.trim() === "") return undefined;
  try {
    return new URL(location, requestUrl).host || undefined;
  } catch {
    return redactUrlCredentials(location).slice(0, 200);
  }
}

/** The error of a redirect, answered or followed by a custom fetch: never followed by the client nor retried, maybe sent. */
export function redirectError(status: number, headers: Headers, url: string, context: ResponseErrorContext, followedTo?: string) {
  const { method, path, attempts, secrets } = context;
  const host = locationHost(followedTo ?? headers.get("location"), url);
  const where = host === undefined ? "" : ` to ${scrubSecrets(host, secrets)}`;
  const what =
    followedTo === undefined
      ? `answered ${status}, a redirect${where}. Jelou does not redirect`
      : `was redirected${where}, and the custom fetch followed it (that answered ${status}). ` +
        "Jelou does not redirect, and a custom fetch must not follow redirects";
  const message =
    `${method} ${path} ${what}: the baseUrl is probably wrong (check its scheme, host and path).` +
    `${followedTo === undefined ? " The redirect was not followed." : ""} The server received the whole request: ` +
    "the message may have been sent. Check before sending it again.";
  const echoed = headers.get("x-request-id");
  const requestId = echoed === null ? undefined : scrubSecrets(echoed, secrets);
  const facts = { status, attempts, method, path, secrets, requestId };
  return new JelouError({ ...facts, kind: "http", message, maybeSent: true, retryable: false });
}

/** The error of a message that breaks the contract, before any byte is sent: every problem the validators found. */
export function validationError(problems: FieldProblem[], message: unknown): JelouError {
  const fields = (typeof message === "object" && message !== null ? message : {}) as Record<string, unknown>;
  const part = (value: unknown, placeholder: string): string => (typeof value === "string" && value !== "" ? value : placeholder);
  const userId = typeof fields.userId === "string" ? normalizeUserId(fields.userId) : undefined;
  const path = maskPath(`/v1/bots/${part(fields.botId, "{botId}")}/users/${part(userId, "{userId}")}/flow_message`);
  const count = problems.length === 1 ? "1 rule" : `${problems.length} rules`;
  const list = problems.map((p) => p.message).join(" ");
  const advice = adviceFor({ kind: "validation", maybeSent: false });
  const text = `POST ${path} was not sent: the message breaks ${count} of the contract. ${list} ${advice}`;
  return new JelouError({ kind: "validation", message: text, problems, attempts: 0, maybeSent: false, method: "POST", path });
}

import { scrubSecrets } from "../client/redact.js";
import type { ResponseErrorContext } from "./from-response.js";
import { adviceFor, JelouError } from "./jelou-error.js";

/** Codes proving the request never left (no connection, DNS, TLS); anything else (a reset) may come after the body went out. */
const NEVER_SENT = new Set([
  "ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL", "ENETUNREACH", "EHOSTUNREACH", "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT", "CERT_HAS_EXPIRED", "DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "ERR_TLS_CERT_ALTNAME_INVALID", "bad port",
]);

type Chained = { code?: unknown; message?: unknown; port?: unknown; hostname?: unknown; cause?: unknown; errors?: unknown };

/** Every error of a failure: itself, its `cause` chain and the `errors` of an AggregateError (happy eyeballs), 8 deep. */
function chainOf(error: unknown, out: Chained[] = [], depth = 0): Chained[] {
  if (depth > 8 || typeof error !== "object" || error === null) return out;
  const link = error as Chained;
  out.push(link);
  if (Array.isArray(link.errors)) for (const inner of link.errors) chainOf(inner, out, depth + 1);
  return chainOf(link.cause, out, depth + 1);
}

/** True when every code in a failure proves it never left, and none names another port or host than `url` (a redirect). */
export function neverReachedServer(error: unknown, url?: string): boolean {
  const chain = chainOf(error);
  // A code, or undici's code-less "bad port"; an error with neither proves nothing either way.
  const marks = chain.map(({ code, message }) => (typeof code === "string" ? code : message === "bad port" ? message : ""));
  if (!marks.some(Boolean) || !marks.every((mark) => mark === "" || NEVER_SENT.has(mark))) return false;
  if (url === undefined || !URL.canParse(url)) return true;
  const target = new URL(url);
  const port = target.port !== "" ? Number(target.port) : target.protocol === "https:" ? 443 : 80;
  const host = target.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  const elsewhere = ({ port: to, hostname }: Chained): boolean =>
    (typeof to === "number" && to !== port) || (typeof hostname === "string" && hostname.toLowerCase() !== host);
  return !chain.some(elsewhere);
}

/** Why the client stopped an attempt itself, if it did. */
export type AbortCause = "caller" | "attempt" | "total";

/** The request a failure belongs to: whether it was out, had an answer (so reached the server), the limit that ran out. */
export interface FailureContext extends ResponseErrorContext {
  inFlight: boolean;
  abortCause: AbortCause | undefined;
  answered: boolean;
  timeoutMs: number | undefined;
  /** A failure to connect elsewhere than this URL proves nothing. */ url: string;
}

/** The innermost message of a cause chain, 4 deep. */
function causeText(error: unknown): string {
  let text = "";
  let current = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    text = current.message;
    current = current.cause;
  }
  return text;
}

/** The error of an attempt that got no HTTP answer: the caller's abort, a timeout, or a network failure. */
export function errorFromFailure(error: unknown, context: FailureContext): JelouError {
  const { method, path, attempts, secrets, abortCause } = context;
  const base = { method, path, attempts, cause: error, secrets };
  const after = attempts > 1 ? ` after ${attempts} attempts` : "";
  // The deadline can also run out between attempts, after answers that proved nothing was sent (a 429).
  const maybeSent = context.earlierMaybeSent || context.inFlight;
  if (abortCause === "caller") {
    const message = `${method} ${path} was aborted${after}. ${adviceFor({ kind: "aborted", maybeSent })}`;
    return new JelouError({ ...base, kind: "aborted", maybeSent, message });
  }
  if (abortCause !== undefined) {
    const advice = adviceFor({ kind: "timeout", maybeSent, timeout: abortCause, timeoutMs: context.timeoutMs });
    const what = abortCause === "total" ? "ran out of time" : "got no answer in time";
    const message = `${method} ${path} ${what}${after}. ${advice}`;
    return new JelouError({ ...base, kind: "timeout", timeout: abortCause, maybeSent, retryable: !maybeSent, message });
  }
  const neverSent = !context.answered && neverReachedServer(error, context.url);
  const reason = scrubSecrets(causeText(error), secrets);
  const advice = adviceFor({ kind: "network", maybeSent: !neverSent });
  const message = `${method} ${path} failed${reason ? ` (${reason})` : ""}${after}. ${advice}`;
  const sent = context.earlierMaybeSent || !neverSent;
  return new JelouError({ ...base, kind: "network", maybeSent: sent, retryable: !sent, message });
}

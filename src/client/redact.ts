/** Keeping phone numbers and credentials out of what the client prints, results and causes included. */
import { maskUserId } from "../contract/validate-flow-message.js";
import { REDACTED, scrubSecrets } from "../contract/scrub-secrets.js";

export { isRecord, REDACTED, scrubDeep, scrubSecrets } from "../contract/scrub-secrets.js";

/** Headers whose value is a credential, compared in lower case. */
const SECRET_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"]);

/** Masks the phone number in the `users/{userId}` segment of a flow_message path or URL. */
export function maskPath(pathOrUrl: string): string {
  return pathOrUrl.replace(/(\/users\/)([^/?#]+)/, (_all, prefix: string, id: string) => prefix + maskUserId(safeDecode(id)));
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Headers as a plain object (lower-case names), credentials redacted (the scheme of `Authorization` kept), secrets scrubbed. */
export function redactHeaders(headers: Headers, secrets: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (!SECRET_HEADERS.has(name)) out[scrubSecrets(name, secrets)] = scrubSecrets(value, secrets);
    else if (name.endsWith("authorization")) out[name] = `${scrubSecrets(value.split(" ", 1)[0] ?? "", secrets)} ${REDACTED}`;
    else out[name] = REDACTED;
  });
  return out;
}

/** A cause's copy (same prototypes, 8 deep, 16 errors) with its texts scrubbed, numbers kept, other objects dropped. */
export function scrubbedCause(cause: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof cause === "string") return scrubSecrets(cause, secrets);
  if (!(cause instanceof Error)) return cause === undefined || cause === null ? cause : Object.prototype.toString.call(cause);
  const copy = Object.create(Object.getPrototypeOf(cause) as object) as Error;
  const define = (key: string, value: unknown, enumerable = false): void => {
    Object.defineProperty(copy, key, { value, enumerable, writable: true, configurable: true });
  };
  define("message", scrubSecrets(cause.message, secrets));
  define("stack", scrubSecrets(cause.stack ?? `${cause.name}: ${cause.message}`, secrets));
  for (const [key, value] of Object.entries(cause)) {
    if (typeof value === "string") define(key, scrubSecrets(value, secrets), true);
    else if (typeof value === "number" || typeof value === "boolean") define(key, value, true);
  }
  if (depth >= 8) return copy;
  if (cause.cause !== undefined) define("cause", scrubbedCause(cause.cause, secrets, depth + 1));
  const errors = (cause as { errors?: unknown }).errors;
  if (Array.isArray(errors)) define("errors", errors.slice(0, 16).map((inner) => scrubbedCause(inner, secrets, depth + 1)));
  return copy;
}

/** An address with all up to its last `@` (a password may hold `/?#`) and its query or fragment shown as `[REDACTED]`. */
export function redactUrlCredentials(value: string): string {
  const scheme = /^[a-z][a-z\d+.-]*:\/\//i.exec(value)?.[0] ?? "";
  let rest = value.slice(scheme.length);
  const at = rest.lastIndexOf("@");
  if (at !== -1) rest = `${REDACTED}@${rest.slice(at + 1)}`;
  const query = rest.search(/[?#]/);
  if (query !== -1) rest = `${rest.slice(0, query)}?${REDACTED}`;
  return scheme + rest;
}

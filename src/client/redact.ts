/**
 * Keeping phone numbers and credentials out of what the client prints: error messages, hook events, dry runs.
 */

import { maskUserId } from "../contract/mask-user-id.js";
import { secretPattern } from "./secret-forms.js";

/** Shown instead of a credential. */
export const REDACTED = "[REDACTED]";

/** Headers whose value is a credential, compared in lower case. */
const SECRET_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"]);

const USER_SEGMENT = /(\/users\/)([^/?#]+)/;

/**
 * Masks the phone number in a flow_message path or URL.
 *
 * @param pathOrUrl such as `/v1/bots/b/users/593987654321/flow_message` or a full URL
 * @returns the same with the `users/{userId}` segment masked
 */
export function maskPath(pathOrUrl: string): string {
  return pathOrUrl.replace(USER_SEGMENT, (_all, prefix: string, id: string) => prefix + maskUserId(safeDecode(id)));
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Copies headers into a plain object with every credential replaced (`Authorization: Basic [REDACTED]`) and the
 * secrets scrubbed from every other value, in case a server echoes them in any header.
 *
 * @param headers request or response headers
 * @param secrets the values that must never be shown, as given to {@link scrubSecrets}
 * @returns lower-case names to values, credentials redacted (the scheme of `Authorization` is kept)
 */
export function redactHeaders(headers: Headers, secrets: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (!SECRET_HEADERS.has(name)) out[scrubSecrets(name, secrets)] = scrubSecrets(value, secrets);
    else if (name === "authorization" || name === "proxy-authorization") out[name] = `${scrubSecrets(value.split(" ", 1)[0] ?? "", secrets)} ${REDACTED}`;
    else out[name] = REDACTED;
  });
  return out;
}

/** The matcher of each list of secrets, built once per list (a client's list lives as long as the client). */
const matchers = new WeakMap<readonly string[], RegExp | null>();

function matcherOf(secrets: readonly string[]): RegExp | null {
  let matcher = matchers.get(secrets);
  if (matcher === undefined) {
    // Longest secret first, so that a secret holding another is replaced whole.
    const patterns = [...new Set(secrets)].sort((a, b) => b.length - a.length).map(secretPattern).filter((p) => p !== undefined);
    matcher = patterns.length === 0 ? null : new RegExp(patterns.join("|"), "g");
    matchers.set(secrets, matcher);
  }
  return matcher;
}

/**
 * Removes known secrets from a text that came from elsewhere (a server's answer, a failure's message), in case it
 * echoes them: each secret written as is or with any mix of JSON escapes, percent-encoding and HTML entities, character
 * by character (see {@link secretPattern}); the matcher of a list is built once and kept for as long as the list lives.
 * A very short secret is also found inside ordinary words, which then show as `[REDACTED]` too.
 *
 * @param text any text
 * @param secrets the values that must never be shown (the client secret, the encoded credentials)
 * @returns the text with every occurrence of every secret replaced by `[REDACTED]`
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  if (secrets.length === 0 || text === "") return text;
  const matcher = matcherOf(secrets);
  return matcher === null ? text : text.replace(matcher, REDACTED);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A copy of a value parsed from JSON with the secrets removed from every text in it, keys included.
 *
 * @param value anything JSON.parse returns
 * @param secrets as given to {@link scrubSecrets}
 * @returns the scrubbed copy (texts replaced, the rest as is)
 */
export function scrubDeep<T>(value: T, secrets: readonly string[]): T {
  if (typeof value === "string") return scrubSecrets(value, secrets) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => scrubDeep(item, secrets)) as T;
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[scrubSecrets(key, secrets)] = scrubDeep(item, secrets);
    return out as T;
  }
  return value;
}

/**
 * An address as it may be shown. Everything up to the last `@` after the scheme is hidden, parsable or not: a password
 * may hold `/`, `?` or `#` (`https://me:pa/ss@host`), so no earlier character can be trusted to end it; an `@` that was
 * only in the path hides more than needed, never less. A query or fragment may carry a token, so it is shown as
 * `?[REDACTED]`.
 *
 * @param value an address as given, perhaps not a valid URL
 * @returns the address with its credentials, query and fragment replaced by `[REDACTED]`
 */
export function redactUrlCredentials(value: string): string {
  const scheme = /^[a-z][a-z\d+.-]*:\/\//i.exec(value)?.[0] ?? "";
  let rest = value.slice(scheme.length);
  const at = rest.lastIndexOf("@");
  if (at !== -1) rest = `${REDACTED}@${rest.slice(at + 1)}`;
  const query = rest.search(/[?#]/);
  if (query !== -1) rest = `${rest.slice(0, query)}?${REDACTED}`;
  return scheme + rest;
}

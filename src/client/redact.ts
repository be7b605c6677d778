/**
 * Keeping phone numbers and credentials out of what the client prints: error messages, hook events, dry runs.
 */

/** Shown instead of a credential. */
export const REDACTED = "[REDACTED]";

/** Headers whose value is a credential, compared in lower case. */
const SECRET_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"]);

/**
 * Masks a phone number for logs: the country code and the last four digits stay, so people can still tell numbers apart.
 *
 * @param userId the phone number, as sent (`593987654321`)
 * @returns `5939****4321`; short values keep less (`12****89`, `****`)
 * @example
 * ```ts
 * maskUserId("593987654321"); // "5939****4321"
 * ```
 */
export function maskUserId(userId: string): string {
  const keep = userId.length >= 9 ? 4 : userId.length >= 5 ? 2 : 0;
  return keep === 0 ? "****" : `${userId.slice(0, keep)}****${userId.slice(-keep)}`;
}

const USER_SEGMENT = /(\/users\/)([^/?#]+)/;

/**
 * Masks the phone number in a flow_message path or URL.
 *
 * @param pathOrUrl such as `/v1/bots/b/users/593987654321/flow_message` or a full URL
 * @returns the same with the `users/{userId}` segment masked
 * @example
 * ```ts
 * maskPath("/v1/bots/b/users/593987654321/flow_message"); // "/v1/bots/b/users/5939****4321/flow_message"
 * ```
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
 * Copies headers into a plain object with every credential replaced: `Authorization: Basic [REDACTED]`.
 *
 * @param headers request or response headers
 * @returns lower-case names to values, credentials redacted (the scheme of `Authorization` is kept)
 */
export function redactHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (!SECRET_HEADERS.has(name)) out[name] = value;
    else if (name === "authorization" || name === "proxy-authorization") out[name] = `${value.split(" ", 1)[0]} ${REDACTED}`;
    else out[name] = REDACTED;
  });
  return out;
}

/**
 * Removes known secrets from a text that came from elsewhere (a server's error description), in case it echoes them.
 *
 * @param text any text
 * @param secrets the values that must never be shown (the client secret, the encoded credentials)
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret !== "" && out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

/**
 * An address as it may be shown. Everything up to the last `@` after the scheme is hidden, parsable or not: a password
 * may hold `/`, `?` or `#` (`https://me:pa/ss@host`), so no earlier character can be trusted to end it; an `@` that was
 * only in the path hides more than needed, never less. A query or fragment may carry a token, so it is shown as
 * `?[REDACTED]`.
 *
 * @param value an address as given, perhaps not a valid URL
 * @returns the address with its credentials, query and fragment replaced by `[REDACTED]`
 * @example
 * ```ts
 * redactUrlCredentials("https://me:pa/ss@api.jelou.ai"); // "https://[REDACTED]@api.jelou.ai"
 * redactUrlCredentials("https://api.jelou.ai/v1?token=s3cr3t"); // "https://api.jelou.ai/v1?[REDACTED]"
 * ```
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

import * as crypto from "node:crypto";

/**
 * The outcome of reading and checking an `Authorization` header. A wrong pair carries its client id only when that id
 * is the configured one (the secret was wrong), never what else the header held.
 */
export type AuthResult =
  | { ok: true; clientId: string }
  | { ok: false; reason: "missing" | "malformed" | "wrong"; clientId?: string };

/** The credentials the mock accepts, or none for "any well-formed pair". */
export interface Credentials {
  clientId: string;
  clientSecret: string;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** How many accepted Authorization headers a credential check remembers (see createCredentialCheck). */
const MAX_ACCEPTED_HEADERS = 64;

/** SHA-256 in one call where Node has `crypto.hash` (20.12+): half the cost of `createHash` on the send route. */
const digest: (value: string | Buffer) => Buffer =
  typeof crypto.hash === "function"
    ? (value) => crypto.hash("sha256", value, "buffer")
    : (value) => crypto.createHash("sha256").update(value).digest();

/**
 * Builds the check of `Authorization: Basic base64(clientId:clientSecret)`. Both sides are hashed to digests of equal
 * length and compared with `timingSafeEqual`, so the time taken says nothing about how much of a guess was right,
 * nor about the length of the secret.
 * A header once accepted is remembered (up to 64) and accepted again without decoding or hashing.
 *
 * @param credentials the pair to accept, or undefined to accept any well-formed pair
 * @returns a function from the header's value to the outcome
 */
export function createCredentialCheck(credentials: Credentials | undefined): (header: string | undefined) => AuthResult {
  const expected = credentials === undefined ? undefined : digest(`${credentials.clientId}:${credentials.clientSecret}`);
  // Headers already accepted, looked up by their whole value: a client sends the same header on every request, and
  // decoding and hashing it again was most of the check's cost (~2 µs of a send's ~12). Only accepted headers are kept,
  // and a lookup hashes the whole value before comparing it, so finding one or not says nothing about how close a wrong
  // guess came. Bounded, for a mock that accepts any well-formed pair.
  const accepted = new Map<string, AuthResult>();
  return (header) => {
    if (header === undefined || header === "") return { ok: false, reason: "missing" };
    const known = accepted.get(header);
    if (known !== undefined) return known;
    const result = check(header);
    if (result.ok) {
      if (accepted.size >= MAX_ACCEPTED_HEADERS) accepted.clear();
      accepted.set(header, Object.freeze(result));
    }
    return result;
  };

  function check(header: string): AuthResult {
    const space = header.indexOf(" ");
    if (space < 0 || header.slice(0, space).toLowerCase() !== "basic") return { ok: false, reason: "malformed" };
    const token = header.slice(space + 1).trim();
    if (!BASE64.test(token)) return { ok: false, reason: "malformed" };
    const decoded = Buffer.from(token, "base64");
    const pair = decoded.toString("utf8");
    const colon = pair.indexOf(":");
    if (colon <= 0 || colon === pair.length - 1) return { ok: false, reason: "malformed" };
    const clientId = pair.slice(0, colon);
    if (expected !== undefined && !crypto.timingSafeEqual(digest(decoded), expected)) {
      // Only the configured id is named back: a client that swapped id and secret sends its secret as the id, and the
      // rejection log, the inspection API and the page would show it.
      return clientId === credentials?.clientId ? { ok: false, reason: "wrong", clientId } : { ok: false, reason: "wrong" };
    }
    return { ok: true, clientId };
  }
}

/**
 * The credentials from options, else from `JELOU_CLIENT_ID` / `JELOU_CLIENT_SECRET` when `useEnv`.
 *
 * @throws {TypeError} when only one of the two is given: a half-configured mock would accept what the user did not mean
 */
export function resolveCredentials(
  options: { clientId?: string; clientSecret?: string },
  useEnv: boolean,
): Credentials | undefined {
  const clientId = options.clientId ?? (useEnv ? process.env.JELOU_CLIENT_ID : undefined) ?? undefined;
  const clientSecret = options.clientSecret ?? (useEnv ? process.env.JELOU_CLIENT_SECRET : undefined) ?? undefined;
  const id = clientId === "" ? undefined : clientId;
  const secret = clientSecret === "" ? undefined : clientSecret;
  if (id === undefined && secret === undefined) return undefined;
  if (id === undefined || secret === undefined) {
    throw new TypeError(
      `The mock needs both a client id and a client secret, or neither (then any well-formed credentials pass); only the ${
        id === undefined ? "secret" : "client id"
      } was given.`,
    );
  }
  if (id.includes(":")) throw new TypeError("The client id must not contain ':' (Basic credentials split on it).");
  return { clientId: id, clientSecret: secret };
}

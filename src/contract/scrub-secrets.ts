/**
 * Scrubbing credentials out of text that came from elsewhere (an answer, a failure's message): the client and the mock's
 * relay both use it, so it lives in the contract module. Every secret is looked for as is, JSON-escaped, percent-encoded
 * or HTML-escaped (any mix), and as base64 (padded or not, base64url) or hex of its bytes.
 */

/** Shown instead of a credential. */
export const REDACTED = "[REDACTED]";

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A regular expression source matching `text` literally. */
const literal = (text: string): string => text.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");

/** Hex digits, at least `width` of them, matched in either case: `2f` becomes `2[fF]`. */
const hexDigits = (code: number, width = 1): string =>
  code.toString(16).padStart(width, "0").replace(/[a-f]/g, (digit) => `[${digit}${digit.toUpperCase()}]`);

/** JSON's short escapes (RFC 8259, section 7). */
const JSON_SHORT: Record<string, string> = {
  '"': '\\\\"', "\\": "\\\\\\\\", "/": "\\\\/",
  "\b": "\\\\b", "\f": "\\\\f", "\n": "\\\\n", "\r": "\\\\r", "\t": "\\\\t",
};

/** HTML's named entities for the characters HTML escapes, as browsers read them (lower or upper case). */
const HTML_NAMED: Record<string, string[]> = {
  "&": ["&amp;", "&AMP;"], "<": ["&lt;", "&LT;"], ">": ["&gt;", "&GT;"],
  '"': ["&quot;", "&QUOT;"], "'": ["&apos;"],
};

/** Every way a serialiser may write one character: as is, JSON-escaped, percent-encoded, HTML entities (any mix then matches). */
function characterPattern(char: string): string {
  const units = [...Array(char.length).keys()].map((i) => `\\\\u${hexDigits(char.charCodeAt(i), 4)}`).join("");
  const ways = [literal(char), units, ...(JSON_SHORT[char] === undefined ? [] : [JSON_SHORT[char]])];
  ways.push([...Buffer.from(char, "utf8")].map((byte) => `%${hexDigits(byte, 2)}`).join(""));
  if (char === " ") ways.push("\\+");
  const point = char.codePointAt(0) ?? 0;
  ways.push(`&#0*${point};?`, `&#[xX]0*${hexDigits(point)};?`, ...(HTML_NAMED[char] ?? []).map(literal));
  return `(?:${ways.join("|")})`;
}

/** A text's pattern, each character in any of its ways. */
const textPattern = (text: string): string => [...text].map(characterPattern).join("");

/** Base64 without its `=` padding, which then matches whether present or not (in any of its ways). */
const base64Pattern = (unpadded: string): string => `${textPattern(unpadded)}(?:${characterPattern("=")}){0,2}`;

/** A secret's patterns with the length of what they stand for: itself, and (from 4 characters) its bytes encoded. */
function secretPatterns(secret: string): [number, string][] {
  const patterns: [number, string][] = [[secret.length, textPattern(secret)]];
  const base64Itself = /^[A-Za-z\d+/]{6,}={0,2}$/.test(secret) && secret.length % 4 === 0;
  const encodings = [...(base64Itself ? [secret.replace(/=+$/, "")] : [])];
  if (secret.length >= 4) {
    const bytes = Buffer.from(secret, "utf8");
    encodings.push(bytes.toString("base64").replace(/=+$/, ""));
    patterns.push([bytes.length * 2, [...bytes].map((byte) => hexDigits(byte, 2)).join("")]);
  }
  for (const unpadded of encodings) {
    patterns.push([unpadded.length, base64Pattern(unpadded)]);
    const url = unpadded.replaceAll("+", "-").replaceAll("/", "_");
    if (url !== unpadded) patterns.push([url.length, base64Pattern(url)]);
  }
  return patterns;
}

/** The matcher of each list of secrets, built once per list (a client's list lives as long as the client). */
const matchers = new WeakMap<readonly string[], RegExp | null>();

function matcherOf(secrets: readonly string[]): RegExp | null {
  let matcher = matchers.get(secrets);
  if (matcher === undefined) {
    // Longest first, so that a secret holding another is replaced whole.
    const patterns = [...new Set(secrets)].filter((s) => s !== "").flatMap(secretPatterns).sort((a, b) => b[0] - a[0]);
    matcher = patterns.length === 0 ? null : new RegExp(patterns.map(([, source]) => source).join("|"), "g");
    matchers.set(secrets, matcher);
  }
  return matcher;
}

/** Replaces every secret in a text from elsewhere (an answer, a failure's message) by `[REDACTED]`, in any mix of encodings. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  if (secrets.length === 0 || text === "") return text;
  const matcher = matcherOf(secrets);
  return matcher === null ? text : text.replace(matcher, REDACTED);
}

/**
 * A copy of a value parsed from JSON with the secrets scrubbed from every text in it; keys too unless `keys` is false
 * (a report's own keys, which a short secret might otherwise hit).
 */
export function scrubDeep<T>(value: T, secrets: readonly string[], keys = true): T {
  if (typeof value === "string") return scrubSecrets(value, secrets) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => scrubDeep(item, secrets, keys)) as T;
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[keys ? scrubSecrets(key, secrets) : key] = scrubDeep(item, secrets, keys);
  return out as T;
}

/** What to scrub for a pair of credentials: the secret, its UTF-8 read as latin1 (as fetch reads headers), base64(id:secret). */
export function credentialSecrets(clientId: string, clientSecret: string): string[] {
  if (clientSecret === "") return [];
  const latin1 = Buffer.from(clientSecret, "utf8").toString("latin1");
  return [...new Set([clientSecret, latin1, Buffer.from(`${clientId}:${clientSecret}`, "utf8").toString("base64")])];
}

/**
 * The ways a secret may be written when a server echoes it: inside JSON, in a URL, in HTML. Serialisers encode
 * character by character, and not all alike (Go escapes `<>&` as `\u003c`, some escape every character, a percent-encoder
 * may use either case of hex, an HTML writer may pad entities with zeros), so a list of whole encoded forms always misses
 * one. Instead each character of the secret is matched by any of its encodings, so that any mix of them is found.
 */

/** A regular expression source matching `text` literally. */
const literal = (text: string): string => text.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");

/** Hex digits, at least `width` of them, matched in either case: `2f` becomes `2[fF]`. */
const hexDigits = (code: number, width = 1): string =>
  code
    .toString(16)
    .padStart(width, "0")
    .split("")
    .map((digit) => (/[a-f]/.test(digit) ? `[${digit}${digit.toUpperCase()}]` : digit))
    .join("");

/** A JSON `\uXXXX` escape of one UTF-16 code unit, in either case of hex. */
const unicodeEscape = (unit: number): string => `\\\\u${hexDigits(unit, 4)}`;

/** JSON's short escapes (RFC 8259, section 7). */
const JSON_SHORT: Record<string, string> = { '"': '\\\\"', "\\": "\\\\\\\\", "/": "\\\\/", "\b": "\\\\b", "\f": "\\\\f", "\n": "\\\\n", "\r": "\\\\r", "\t": "\\\\t" };

/** HTML's named entities for the characters HTML escapes, as browsers read them (lower or upper case). */
const HTML_NAMED: Record<string, string[]> = {
  "&": ["&amp;", "&AMP;"],
  "<": ["&lt;", "&LT;"],
  ">": ["&gt;", "&GT;"],
  '"': ["&quot;", "&QUOT;"],
  "'": ["&apos;"],
};

/** Every way one character (a code point) may be written: as is, JSON-escaped, percent-encoded, HTML-escaped. */
function characterPattern(char: string): string {
  const point = char.codePointAt(0) ?? 0;
  const ways = [literal(char)];
  const units = [...Array(char.length).keys()].map((i) => char.charCodeAt(i));
  ways.push(units.map(unicodeEscape).join(""));
  const short = JSON_SHORT[char];
  if (short !== undefined) ways.push(short);
  ways.push([...Buffer.from(char, "utf8")].map((byte) => `%${hexDigits(byte, 2)}`).join(""));
  if (char === " ") ways.push("\\+");
  // Numeric entities: decimal or hex, any number of leading zeros, the `;` optional as HTML parsers allow.
  ways.push(`&#0*${point};?`, `&#[xX]0*${hexDigits(point)};?`);
  for (const named of HTML_NAMED[char] ?? []) ways.push(literal(named));
  return `(?:${ways.join("|")})`;
}

/**
 * A regular expression source matching a secret written with any mix of encodings, character by character: as is,
 * JSON-escaped (short escapes, `\uXXXX` in either case, surrogate pairs beyond the BMP), percent-encoded (UTF-8, either
 * case of hex, `+` for a space) and HTML-escaped (named entities, decimal or hex numeric ones with leading zeros).
 * Encodings applied twice (`%2522`) are not recognised.
 *
 * @param secret a value that must never be shown
 * @returns the pattern, or undefined for an empty secret
 */
export function secretPattern(secret: string): string | undefined {
  if (secret === "") return undefined;
  return [...secret].map(characterPattern).join("");
}

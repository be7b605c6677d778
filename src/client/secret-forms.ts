/**
 * The forms a secret takes when a server echoes it: inside JSON, in a URL, in HTML. An exact-match scrubber misses
 * `s3\"cret`, `s3%22cret` and `s3&quot;cret`, so each secret is expanded into these forms once, and every one is
 * removed.
 */

type CharEncoder = (char: string, code: number) => string | undefined;

const hex = (code: number, width: number, upper: boolean): string => {
  const digits = code.toString(16).padStart(width, "0");
  return upper ? digits.toUpperCase() : digits;
};

/** `\uXXXX` escapes of a UTF-16 code unit. */
const unicodeEscape = (code: number, upper: boolean): string => `\\u${hex(code, 4, upper)}`;

/** JSON.stringify's own escapes: `"`, `\` and control characters. */
const jsonStandard: CharEncoder = (char, code) =>
  char === '"' ? '\\"' : char === "\\" ? "\\\\" : code < 0x20 ? JSON.stringify(char).slice(1, -1) : undefined;

const HTML_NAMED: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };

/** Each way a whole text may be written, as a function of one character (undefined keeps it as is). */
const ENCODERS: CharEncoder[] = [
  jsonStandard,
  // Some serialisers also escape `/`, or write everything beyond ASCII (or `<>&'`, as Go does) as \uXXXX.
  (char, code) => (char === "/" ? "\\/" : jsonStandard(char, code)),
  ...[false, true].flatMap((upper): CharEncoder[] => [
    (char, code) => jsonStandard(char, code) ?? (code > 0x7e ? unicodeEscape(code, upper) : undefined),
    (char, code) => jsonStandard(char, code) ?? (code > 0x7e || "<>&'".includes(char) ? unicodeEscape(code, upper) : undefined),
    (char, code) => (char === "/" ? "\\/" : (jsonStandard(char, code) ?? (code > 0x7e ? unicodeEscape(code, upper) : undefined))),
  ]),
  // HTML: named entities with each usual apostrophe, and numeric entities in decimal and hexadecimal.
  ...["&#39;", "&#x27;", "&#X27;", "&apos;", "'"].map((apostrophe): CharEncoder => (char) => (char === "'" ? apostrophe : HTML_NAMED[char])),
  (char, code) => ("&<>\"'".includes(char) ? `&#${code};` : undefined),
  ...[false, true].map((upper): CharEncoder => (char, code) => ("&<>\"'".includes(char) ? `&#x${hex(code, 1, upper)};` : undefined)),
];

function encodeEach(text: string, encoder: CharEncoder): string {
  let out = "";
  for (const char of text) out += encoder(char, char.charCodeAt(0)) ?? char;
  return out;
}

/** The percent-encodings of a text: encodeURIComponent's, form encoding's, and encodeURI's, in upper and lower hex. */
function percentForms(text: string): string[] {
  const forms = [encodeURIComponent(text), new URLSearchParams({ v: text }).toString().slice(2), encodeURI(text)];
  // escape() also percent-encodes ! ' ( ) * which some encoders (RFC 3986 strict) do.
  forms.push(encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${hex(c.charCodeAt(0), 2, true)}`));
  return forms.flatMap((form) => [form, form.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase())]);
}

/**
 * Every form of a secret a server may echo: as is, JSON-escaped (standard, with `\/`, with `\uXXXX` beyond ASCII, in
 * either case of hex), percent-encoded (encodeURIComponent, form encoding, encodeURI, upper and lower hex) and
 * HTML-escaped (named or numeric entities), without duplicates, longest first so that a longer form is replaced whole.
 *
 * @param secret a value that must never be shown
 * @returns its forms, the secret itself included; none for an empty secret
 * @example
 * ```ts
 * secretForms('a"b'); // ['a%22b', 'a&quot;b', 'a&#x22;b', ..., 'a\\"b', 'a"b']
 * ```
 */
export function secretForms(secret: string): string[] {
  if (secret === "") return [];
  const forms = new Set<string>([secret, ...percentForms(secret)]);
  for (const encoder of ENCODERS) forms.add(encodeEach(secret, encoder));
  return [...forms].sort((a, b) => b.length - a.length);
}

/**
 * WhatsApp's text formatting (`*bold*`, `_italic_`, `~strike~`, `` `code` `` and ```` ```monospace``` ````) parsed into a tree
 * whose leaves are plain strings. The tree holds no markup at all: the page renders each leaf as a text node, so no message
 * text can ever become an element, whatever it contains.
 */

/** The styles WhatsApp applies; `mono` is the triple-backtick block, `code` the single-backtick inline code. */
export type FormatStyle = "bold" | "italic" | "strike" | "code" | "mono";

/** A piece of formatted text: plain text, or a style applied to more pieces. */
export type FormatNode = string | { style: FormatStyle; children: FormatNode[] };

const MARKERS: Record<string, FormatStyle> = { "*": "bold", _: "italic", "~": "strike", "`": "code" };
const FENCE = "```";

/** Whitespace and punctuation may stand next to a marker; a letter or digit may not (`snake_case_name` stays plain). */
function isBoundary(char: string | undefined): boolean {
  return char === undefined || /[\s\p{P}\p{S}]/u.test(char);
}

function isBlank(char: string | undefined): boolean {
  return char === undefined || /\s/u.test(char);
}

/** Where the marker opened at `start` closes, or -1: same line, not right after a space, followed by a boundary. */
function findClose(text: string, start: number, marker: string): number {
  for (let j = start + 2; j < text.length; j++) {
    const char = text[j];
    if (char === "\n") return -1;
    if (char === marker && !isBlank(text[j - 1]) && isBoundary(text[j + 1])) return j;
  }
  return -1;
}

function pushText(out: FormatNode[], text: string): void {
  if (text === "") return;
  const last = out[out.length - 1];
  if (typeof last === "string") out[out.length - 1] = last + text;
  else out.push(text);
}

/**
 * Parses WhatsApp formatting the way WhatsApp shows it: a marker opens only at a word boundary and before a non-space,
 * closes only after a non-space and before a boundary, never spans lines, and styles nest (`*_both_*`). Text inside code
 * is taken literally. Unmatched markers stay as they were typed.
 *
 * @param text the message text
 * @returns the formatted pieces, in order; plain strings for unformatted text
 */
export function parseWhatsAppFormatting(text: string): FormatNode[] {
  const out: FormatNode[] = [];
  let plain = "";
  let i = 0;
  while (i < text.length) {
    if (text.startsWith(FENCE, i)) {
      const end = text.indexOf(FENCE, i + FENCE.length);
      if (end > i + FENCE.length) {
        pushText(out, plain);
        plain = "";
        out.push({ style: "mono", children: [text.slice(i + FENCE.length, end)] });
        i = end + FENCE.length;
        continue;
      }
    }
    const char = text[i] as string;
    const style = MARKERS[char];
    if (style && isBoundary(text[i - 1]) && !isBlank(text[i + 1]) && text[i + 1] !== char) {
      const end = findClose(text, i, char);
      if (end !== -1) {
        pushText(out, plain);
        plain = "";
        const inner = text.slice(i + 1, end);
        out.push({ style, children: style === "code" ? [inner] : parseWhatsAppFormatting(inner) });
        i = end + 1;
        continue;
      }
    }
    plain += char;
    i++;
  }
  pushText(out, plain);
  return out;
}

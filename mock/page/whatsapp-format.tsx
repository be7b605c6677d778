/**
 * WhatsApp's text formatting (`*bold*`, `_italic_`, `~strike~`, `` `code` `` and ```` ```monospace``` ````) as JSX. Every
 * piece of the text is a JSX text child, which Hono escapes: markup in a message is shown, never parsed.
 */
import type { Child, FC } from "hono/jsx";

const TAGS = { "*": "strong", _: "em", "~": "s", "`": "code" } as const;
type Marker = keyof typeof TAGS;
const FENCE = "```";

/** Whitespace and punctuation may stand next to a marker; a letter or digit may not (`snake_case_name` stays plain). */
function isBoundary(char: string | undefined): boolean {
  return char === undefined || /[\s\p{P}\p{S}]/u.test(char);
}

function isBlank(char: string | undefined): boolean {
  return char === undefined || /\s/u.test(char);
}

/** Where the marker opened at `start` closes, or -1: same line, not right after a space, followed by a boundary. */
function findClose(text: string, start: number): number {
  const marker = text[start];
  if (!(marker !== undefined && marker in TAGS && isBoundary(text[start - 1]) && !isBlank(text[start + 1]))) return -1;
  if (text[start + 1] === marker) return -1;
  for (let j = start + 2; j < text.length; j++) {
    if (text[j] === "\n") return -1;
    if (text[j] === marker && !isBlank(text[j - 1]) && isBoundary(text[j + 1])) return j;
  }
  return -1;
}

/**
 * Formats as WhatsApp shows it: a marker opens only at a word boundary and before a non-space, closes only after a
 * non-space and before a boundary, never spans lines, and styles nest (`*_both_*`). Code is taken literally; unmatched
 * markers stay as typed.
 */
function format(text: string): Child[] {
  const out: Child[] = [];
  let plain = "";
  for (let i = 0; i < text.length; ) {
    const fenceEnd = text.startsWith(FENCE, i) ? text.indexOf(FENCE, i + FENCE.length) : -1;
    const end = fenceEnd > i + FENCE.length ? fenceEnd : findClose(text, i);
    if (end === -1) {
      plain += text[i];
      i++;
      continue;
    }
    if (plain !== "") out.push(plain);
    plain = "";
    if (end === fenceEnd) {
      out.push(<code class="mono">{text.slice(i + FENCE.length, end)}</code>);
      i = end + FENCE.length;
      continue;
    }
    const marker = text[i] as Marker;
    const Tag = TAGS[marker];
    const inner = text.slice(i + 1, end);
    out.push(<Tag>{marker === "`" ? inner : format(inner)}</Tag>);
    i = end + 1;
  }
  if (plain !== "") out.push(plain);
  return out;
}

/** A message text with WhatsApp's formatting, such as `*Pick a time* that suits you.` */
export const FormattedText: FC<{ text: string }> = ({ text }) => <>{format(text)}</>;

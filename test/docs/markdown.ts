/**
 * Just enough Markdown for the docs tests: fenced blocks with the marker comment above them, headings with GitHub's
 * slugs, and the relative links and images of a page. Hand-written (no Markdown library is a dependency of this package),
 * line by line, so that every finding has its line number.
 */

/** What the line right above a fence says about the block (see the rule for code blocks in the docs). */
export type Marker =
  | { kind: "file"; path: string }
  | { kind: "fragment"; why: string }
  | { kind: "exit"; code: number }
  | { kind: "invalid"; text: string; problem: string };

export interface CodeBlock {
  /** 1-based line of the opening fence. */
  line: number;
  /** The first word of the info string, lowercased; "" when there is none. */
  lang: string;
  code: string;
  marker?: Marker;
}

export interface Finding {
  line: number;
  message: string;
}

export interface Link {
  line: number;
  /** The destination as written, such as `../README.md#install`. */
  target: string;
  image: boolean;
}

const OPEN = /^(\s*)(`{3,}|~{3,})(.*)$/;
const COMMENT = /^\s*<!--([\s\S]*?)-->\s*$/;

interface Fence {
  start: number;
  /** The line of the closing fence, or `lines.length` when there is none. */
  end: number;
  indent: string;
  info: string;
}

/** The fenced blocks of the page, in order (0-based line numbers). */
function fencesOf(lines: readonly string[]): Fence[] {
  const fences: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = OPEN.exec(lines[i] ?? "");
    if (!open || (open[2]?.startsWith("`") && open[3]?.includes("`"))) continue;
    const [, indent = "", fence = "", info = ""] = open;
    const close = new RegExp(`^\\s*${fence[0] === "`" ? "`" : "~"}{${fence.length},}\\s*$`);
    let end = i + 1;
    while (end < lines.length && !close.test(lines[end] ?? "")) end++;
    fences.push({ start: i, end, indent, info });
    i = end;
  }
  return fences;
}

/** Lines of the page with a flag per line: inside a fence (the fence lines included) or not. */
function fenceMap(lines: readonly string[]): boolean[] {
  const inside = lines.map(() => false);
  for (const { start, end } of fencesOf(lines)) for (let j = start; j <= Math.min(end, lines.length - 1); j++) inside[j] = true;
  return inside;
}

function parseMarker(comment: string): Marker {
  const text = comment.trim();
  const match = /^(file|fragment|exit)\s*(?::\s*([\s\S]*))?$/.exec(text);
  const value = match?.[2]?.trim() ?? "";
  if (!match) return { kind: "invalid", text, problem: `unknown marker <!-- ${text} --> (only file:, fragment:, exit:)` };
  if (match[1] === "fragment") {
    return value ? { kind: "fragment", why: value } : { kind: "invalid", text, problem: "a fragment marker gives no reason" };
  }
  if (match[1] === "exit") {
    return /^\d{1,3}$/.test(value) ? { kind: "exit", code: Number(value) } : { kind: "invalid", text, problem: `exit: needs a number, not "${value}"` };
  }
  if (!value || /\s/.test(value) || value.startsWith("/") || value.split("/").includes("..")) {
    return { kind: "invalid", text, problem: `file: needs one relative path inside the project, not "${value}"` };
  }
  return { kind: "file", path: value };
}

/** Every fenced block of `markdown`, with its marker, and what breaks the rule for code blocks. */
export function parseBlocks(markdown: string): { blocks: CodeBlock[]; findings: Finding[] } {
  const lines = markdown.split(/\r?\n/);
  const blocks: CodeBlock[] = [];
  const findings: Finding[] = [];
  for (const { start: i, end, indent, info } of fencesOf(lines)) {
    if (end >= lines.length) findings.push({ line: i + 1, message: "this fence is never closed" });
    const body = lines.slice(i + 1, end).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart()));
    const block: CodeBlock = { line: i + 1, lang: info.trim().split(/\s+/)[0]?.toLowerCase() ?? "", code: body.join("\n") + "\n" };
    if (!block.lang) findings.push({ line: i + 1, message: "a code block without a language tag (```ts, ```sh, ```json...)" });
    const above = COMMENT.exec(lines[i - 1] ?? "");
    if (above) block.marker = parseMarker(above[1] ?? "");
    else markerTooFar(lines, i, findings);
    if (block.marker?.kind === "invalid") findings.push({ line: i, message: block.marker.problem });
    if (block.marker?.kind === "exit" && block.lang !== "sh") {
      findings.push({ line: i, message: `exit: is for sh blocks; this one is ${block.lang || "untagged"}` });
    }
    blocks.push(block);
  }
  return { blocks, findings };
}

/** A marker with a blank line before its fence is not read as one: say so rather than run the block unmarked. */
function markerTooFar(lines: readonly string[], fence: number, findings: Finding[]): void {
  let j = fence - 1;
  while (j >= 0 && (lines[j] ?? "").trim() === "") j--;
  if (j < fence - 1 && j >= 0 && /^\s*<!--\s*(file|fragment|exit)\b/.test(lines[j] ?? "")) {
    findings.push({ line: j + 1, message: `this marker is not on the line right above the fence (line ${fence + 1})` });
  }
}

/** `code` spans blanked out (same length), so that nothing inside them reads as a link or as markup. */
function maskCode(line: string): string {
  return line.replace(/(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g, (span) => " ".repeat(span.length));
}

/** GitHub's anchor for a heading's text: inline markup dropped, lowercase, punctuation but - and _ removed, spaces to -. */
export function slugOf(heading: string): string {
  const text = heading
    .replace(/(`+)([\s\S]*?[^`]?)\1/g, (_, __, code: string) => code.replace(/[*~]/g, "\u0000$&"))
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/<[^>]+>/g, "")
    .replace(/(?<!\u0000)[*~]+/g, "")
    .replace(/(^|[\s(])_+|_+(?=$|[\s),.:;!?])/g, "$1")
    .replace(/\u0000/g, "");
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** Every anchor a page offers: its headings' slugs (duplicates numbered -1, -2...) and explicit `<a id>` / `<a name>`. */
export function anchorsOf(markdown: string): Set<string> {
  const lines = markdown.split(/\r?\n/);
  const inside = fenceMap(lines);
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  lines.forEach((line, i) => {
    if (inside[i]) return;
    for (const [, id = ""] of line.matchAll(/<a\s[^>]*?(?:id|name)\s*=\s*["']([^"']+)["']/gi)) anchors.add(id.toLowerCase());
    const atx = /^ {0,3}#{1,6}(?:\s+(.*?))?(?:\s+#+)?\s*$/.exec(line);
    const next = lines[i + 1] ?? "";
    const setext = !atx && line.trim() !== "" && !inside[i + 1] && /^ {0,3}(=+|-+)\s*$/.test(next) && !/^\s*([-*+]|\d+\.)\s/.test(line);
    if (!atx && !setext) return;
    const base = slugOf(atx ? (atx[1] ?? "") : line);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  });
  return anchors;
}

/** Every link and image destination of the page outside code: inline, reference definitions and HTML href/src. */
export function linksOf(markdown: string): Link[] {
  const lines = markdown.split(/\r?\n/);
  const inside = fenceMap(lines);
  const links: Link[] = [];
  lines.forEach((raw, i) => {
    if (inside[i]) return;
    const line = maskCode(raw).replace(/<!--[\s\S]*?-->/g, "");
    const inline = /(!?)\[((?:[^[\]]|\[[^[\]]*\])*)\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+["'(][^)]*)?\s*\)/g;
    for (const [, bang, , target = ""] of line.matchAll(inline)) {
      links.push({ line: i + 1, target: target.replace(/^<|>$/g, ""), image: bang === "!" });
    }
    const definition = /^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/.exec(line);
    if (definition) links.push({ line: i + 1, target: (definition[1] ?? "").replace(/^<|>$/g, ""), image: false });
    for (const [, tag = "", target = ""] of line.matchAll(/<(a|img)\b[^>]*?\s(?:href|src)\s*=\s*["']([^"']+)["']/gi)) {
      links.push({ line: i + 1, target, image: tag.toLowerCase() === "img" });
    }
  });
  return links;
}

/** True for a destination this check leaves alone: a URL with a scheme (`https:`, `mailto:`) or protocol-relative. */
export function isAbsolute(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//");
}

import type { FieldProblem } from "../contract/field-problems.js";

/** `{{column}}`, with optional spaces inside the braces; a backslash before it (`\{{column}}`) keeps it as text. */
const PLACEHOLDER = /(\\?)\{\{\s*([^{}\s]+)\s*\}\}/g;

/** Paths under which placeholders are filled: the texts, `payload`, and the initial screen data. */
const FILLABLE = [/^title$/, /^text$/, /^caption$/, /^payload(\.|\[|$)/, /^parameters\.flow_action_payload\.data(\.|\[|$)/];

/**
 * A message template that cannot be used, whatever the rows: the message says what to change.
 *
 * @example
 * ```ts
 * compileTemplate({ ...message, parameters: { flow_name: "{{flow}}", flow_cta: "Go" } }); // throws TemplateError naming parameters.flow_name
 * ```
 */
export class TemplateError extends Error {
  override name = "TemplateError";
}

/** A template checked once, ready to be filled per row. */
export interface MessageTemplate {
  /** The columns its placeholders name, in order of first use. */
  readonly columns: readonly string[];
  /** Fills the placeholders from a row; missing columns become problems, never `undefined` in the message. */
  render(row: Readonly<Record<string, unknown>>): { value: Record<string, unknown>; problems: FieldProblem[] };
}

function childPath(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  return parent === "" ? key : `${parent}.${key}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Calls `visit` for every string in `value`, with its dotted path. */
function eachString(value: unknown, path: string, visit: (text: string, path: string) => void): void {
  if (typeof value === "string") visit(value, path);
  else if (Array.isArray(value)) value.forEach((item, i) => eachString(item, childPath(path, i), visit));
  else if (isRecord(value)) for (const [k, v] of Object.entries(value)) eachString(v, childPath(path, k), visit);
}

function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return "";
  return typeof cell === "string" ? cell : typeof cell === "object" ? JSON.stringify(cell) : String(cell);
}

/**
 * Checks a message template and prepares it for filling. Placeholders are `{{column}}` and are replaced by the row's
 * value as text: the template is filled as parsed JSON, so quotes, backslashes and newlines in a cell can never break
 * the message, and an empty cell becomes an empty string (which the contract then rejects where a text is required).
 * A row without the column is a problem for that row. `\{{x}}` (written `"\\{{x}}"` in JSON) stays `{{x}}`.
 *
 * @param template the parsed template: a flow message body (`title`, `text`, `caption`, `parameters`, `payload`)
 * @returns the checked template
 * @throws {TemplateError} when it is not an object, or a placeholder sits where it is not filled (such as `flow_name`)
 * @example
 * ```ts
 * const t = compileTemplate({ title: "Hi {{name}}", text: "…", caption: "…", parameters: { flow_name: "s", flow_cta: "Go" } });
 * t.render({ name: "Ana" }).value.title; // "Hi Ana"
 * ```
 */
export function compileTemplate(template: unknown): MessageTemplate {
  if (!isRecord(template)) throw new TemplateError("The template must be a JSON object: a flow message with title, text, caption and parameters.");
  const columns: string[] = [];
  const misplaced: string[] = [];
  eachString(template, "", (text, path) => {
    for (const match of text.matchAll(PLACEHOLDER)) {
      if (match[1] === "\\") continue;
      if (!FILLABLE.some((rule) => rule.test(path))) misplaced.push(`${path} (${match[0]})`);
      else if (!columns.includes(match[2]!)) columns.push(match[2]!);
    }
  });
  if (misplaced.length > 0) {
    throw new TemplateError(
      `Placeholders are filled only in title, text, caption, payload and parameters.flow_action_payload.data; ` +
        `found one in ${misplaced.join(", ")}. Write that value out, or use a column such as botId for the bot.`,
    );
  }
  // Compiled once into a tree of parts, so that filling 100,000 rows runs no regular expression at all.
  const root = compileNode(template, "");
  return {
    columns,
    render(row) {
      const problems: FieldProblem[] = [];
      return { value: fillNode(root, row, problems) as Record<string, unknown>, problems };
    },
  };
}

/** A template value ready to fill: text with placeholders, a container of such values, or a value used as it is. */
type Node =
  | { kind: "fixed"; value: unknown }
  | { kind: "text"; path: string; parts: Array<string | { column: string }> }
  | { kind: "array"; items: Node[] }
  | { kind: "object"; entries: Array<[string, Node]> };

function compileNode(value: unknown, path: string): Node {
  if (typeof value === "string") {
    if (!value.includes("{{") || !FILLABLE.some((rule) => rule.test(path))) return { kind: "fixed", value };
    const parts: Array<string | { column: string }> = [];
    let last = 0;
    for (const match of value.matchAll(PLACEHOLDER)) {
      parts.push(value.slice(last, match.index));
      parts.push(match[1] === "\\" ? match[0].slice(1) : { column: match[2]! });
      last = match.index + match[0].length;
    }
    parts.push(value.slice(last));
    return { kind: "text", path, parts: parts.filter((p) => p !== "") };
  }
  if (Array.isArray(value)) return { kind: "array", items: value.map((item, i) => compileNode(item, childPath(path, i))) };
  if (isRecord(value)) return { kind: "object", entries: Object.entries(value).map(([k, v]) => [k, compileNode(v, childPath(path, k))]) };
  return { kind: "fixed", value };
}

function fillNode(node: Node, row: Readonly<Record<string, unknown>>, problems: FieldProblem[]): unknown {
  switch (node.kind) {
    case "fixed":
      // Shared between rows: a message is only read (validated, serialised), never changed.
      return node.value;
    case "array":
      return node.items.map((item) => fillNode(item, row, problems));
    case "object": {
      const out: Record<string, unknown> = {};
      for (const [key, child] of node.entries) out[key] = fillNode(child, row, problems);
      return out;
    }
    case "text": {
      let text = "";
      for (const part of node.parts) {
        if (typeof part === "string") text += part;
        else if (Object.hasOwn(row, part.column)) text += cellText(row[part.column]);
        else if (!problems.some((p) => p.path === node.path && p.message.includes(`{{${part.column}}}`))) {
          problems.push({
            path: node.path,
            rule: "placeholder",
            message: `${node.path} uses {{${part.column}}} but the row has no ${part.column} column; add the column or remove the placeholder.`,
          });
        }
      }
      return text;
    }
  }
}

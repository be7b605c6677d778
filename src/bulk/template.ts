import { isRecord } from "../client/redact.js";
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
 * compileTemplate({ ...message, parameters: { flow_name: "{{flow}}", flow_cta: "Go" } }); // throws, naming parameters.flow_name
 * ```
 */
export class TemplateError extends Error {
  /** Always `"TemplateError"`. */
  override readonly name = "TemplateError";
}

/** A template checked once, ready to be filled per row. */
export interface MessageTemplate {
  /** The columns its placeholders name, in order of first use. */
  readonly columns: readonly string[];
  /**
   * Fills the placeholders from a row; missing columns become problems, never `undefined` in the message.
   *
   * @param row the recipient's columns by name
   * @returns the filled message and the problems of the row
   */
  render(row: Readonly<Record<string, unknown>>): {
    /** The filled message, not yet checked against the contract. */
    value: Record<string, unknown>;
    /** One per field whose placeholder names a column the row lacks; empty when the row has every column. */
    problems: FieldProblem[];
  };
}

type Row = Readonly<Record<string, unknown>>;
type Fill = (row: Row, problems: FieldProblem[]) => unknown;

function cellText(row: Row, column: string, path: string, problems: FieldProblem[]): string {
  if (Object.hasOwn(row, column)) {
    const cell = row[column];
    if (cell === null || cell === undefined) return "";
    return typeof cell === "string" ? cell : typeof cell === "object" ? JSON.stringify(cell) : String(cell);
  }
  if (!problems.some((p) => p.path === path && p.message.includes(`{{${column}}}`))) {
    const message = `${path} uses {{${column}}} but the row has no ${column} column; add the column or remove the placeholder.`;
    problems.push({ path, rule: "placeholder", message });
  }
  return "";
}

/** Compiled once into closures, so that filling 100,000 rows runs no regular expression at all. */
function compile(value: unknown, path: string, found: { columns: string[]; misplaced: string[] }): Fill {
  if (Array.isArray(value)) {
    const items = value.map((item, i) => compile(item, `${path}[${i}]`, found));
    return (row, problems) => items.map((fill) => fill(row, problems));
  }
  if (isRecord(value)) {
    const entries = Object.entries(value).map(([k, v]) => [k, compile(v, path === "" ? k : `${path}.${k}`, found)] as const);
    return (row, problems) => Object.fromEntries(entries.map(([k, fill]) => [k, fill(row, problems)]));
  }
  // Shared between rows: a message is only read (validated, serialised), never changed.
  if (typeof value !== "string" || !value.includes("{{")) return () => value;
  const fillable = FILLABLE.some((rule) => rule.test(path));
  const parts: Array<string | { column: string }> = [];
  let last = 0;
  for (const match of value.matchAll(PLACEHOLDER)) {
    parts.push(value.slice(last, match.index));
    last = match.index + match[0].length;
    if (match[1] === "\\") parts.push(match[0].slice(1));
    else if (!fillable) found.misplaced.push(`${path} (${match[0]})`);
    else {
      parts.push({ column: match[2]! });
      if (!found.columns.includes(match[2]!)) found.columns.push(match[2]!);
    }
  }
  parts.push(value.slice(last));
  if (!fillable) return () => value;
  return (row, problems) => 
    parts.map((part) => (typeof part === "string" ? part : cellText(row, part.column, path, problems))).join("");
}

/**
 * Checks a message template and prepares it for filling. Placeholders are `{{column}}` and are replaced by the row's
 * value as text: the template is filled as parsed JSON, so quotes, backslashes and newlines in a cell can never break
 * the message, and an empty cell becomes an empty string (which the contract then rejects where a text is required).
 * A row without the column is a problem for that row. `\{{x}}` (written `"\\{{x}}"` in JSON) stays `{{x}}`.
 *
 * @param template the parsed template: a flow message body (`title`, `text`, `caption`, `parameters`, `payload`)
 * @returns the checked template
 * @throws {@link TemplateError} when it is not an object, or a placeholder sits where it is not filled (such as `flow_name`)
 * @example
 * ```ts
 * const t = compileTemplate({ title: "Hi {{name}}", text: "…", caption: "…",
 *   parameters: { flow_name: "s", flow_cta: "Go" } });
 * t.render({ name: "Ana" }).value.title; // "Hi Ana"
 * ```
 */
export function compileTemplate(template: unknown): MessageTemplate {
  if (!isRecord(template)) {
    throw new TemplateError("The template must be a JSON object: a flow message with title, text, caption and parameters.");
  }
  const found = { columns: [] as string[], misplaced: [] as string[] };
  const fill = compile(template, "", found);
  if (found.misplaced.length > 0) {
    throw new TemplateError(
      `Placeholders are filled only in title, text, caption, payload and parameters.flow_action_payload.data; ` +
        `found one in ${found.misplaced.join(", ")}. Write that value out, or use a column such as botId for the bot.`,
    );
  }
  return {
    columns: found.columns,
    render(row) {
      const problems: FieldProblem[] = [];
      return { value: fill(row, problems) as Record<string, unknown>, problems };
    },
  };
}

import type { ValidationIssue } from "../generated/mock/validators.js";
import { toFieldProblems, type FieldProblem } from "../src/index.js";

/** A generated validator of an operation's query parameters. */
type QueryValidator = ((data: unknown) => boolean) & { errors?: ValidationIssue[] | null };

const NUMBER = /^-?\d+(?:\.\d+)?$/;

/**
 * Checks a query string against the operation's parameters in mock/openapi.yaml with its generated validator. Query
 * values arrive as text, so the numeric ones (`limit`, `timeoutMs`) are turned into numbers first when they look like
 * numbers; anything else is left for the validator to name.
 *
 * @param query the query parameters (first value of each)
 * @param validator the generated validator of the operation
 * @param numeric the names of the numeric parameters
 * @returns the typed values, or the problems
 */
export function checkQuery<T>(
  query: Record<string, string>,
  validator: QueryValidator,
  numeric: readonly string[],
): { ok: true; value: T } | { ok: false; problems: FieldProblem[] } {
  const value: Record<string, string | number> = { ...query };
  for (const name of numeric) {
    const raw = query[name];
    if (raw !== undefined && NUMBER.test(raw)) value[name] = Number(raw);
  }
  if (validator(value)) return { ok: true, value: value as T };
  return { ok: false, problems: toFieldProblems(validator.errors ?? []) };
}

/**
 * The first query parameter given more than once. Every query parameter of the contract takes one value
 * (`?type=a&type=b` is an array, which a string schema refuses, as Prism does); keeping only the first value would
 * answer a question that was not asked.
 *
 * @param url the request's URL
 * @returns the problem naming the parameter, or undefined when each is given at most once
 * @example
 * ```ts
 * repeatedQuery("http://mock/__mock/messages?limit=1&limit=2"); // { path: "limit", rule: "maxItems", message: "…" }
 * ```
 */
export function repeatedQuery(url: string): FieldProblem | undefined {
  const query = url.indexOf("?");
  if (query === -1) return undefined;
  const seen = new Set<string>();
  for (const name of new URLSearchParams(url.slice(query + 1)).keys()) {
    if (seen.has(name)) {
      const message = `${name.slice(0, 100)} is given more than once; it takes one value. Give it once.`;
      return { path: name.slice(0, 200), rule: "maxItems", message };
    }
    seen.add(name);
  }
  return undefined;
}

/**
 * The problem of a path parameter whose percent-escapes do not decode (`%zz`, or bytes that are not UTF-8 such as
 * `%C3%28`): Hono then keeps the escape as it is, which would be stored and compared literally.
 *
 * @param name the parameter's name in the contract, such as `botId`
 * @param raw the segment as it came in the URL, still escaped
 * @returns the problem, or undefined when it decodes
 * @example
 * ```ts
 * undecodableSegment("botId", "%zz"); // { path: "botId", rule: "format", message: "botId holds %zz, …" }
 * ```
 */
export function undecodableSegment(name: string, raw: string): FieldProblem | undefined {
  if (!raw.includes("%")) return undefined;
  try {
    decodeURIComponent(raw);
    return undefined;
  } catch {
    const shown = raw.length > 80 ? `${raw.slice(0, 80)}…` : raw;
    return {
      path: name,
      rule: "format",
      message: `${name} holds ${shown}, a percent-escape that does not decode to UTF-8 text. Escape the value with encodeURIComponent.`,
    };
  }
}

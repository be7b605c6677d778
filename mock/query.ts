import type { ValidationIssue } from "../generated/mock/validators.js";
import { toFieldProblems, type FieldProblem } from "../src/contract/index.js";

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
 * The first problem of a query string that the contract cannot parse: a parameter given more than once (every query
 * parameter of the contract takes one value; `?type=a&type=b` is an array, which a string schema refuses, as Prism
 * does), or a name or value whose percent-escapes do not decode (`%zz`, `%C3%28`), which would otherwise be kept and
 * stored literally.
 *
 * @param url the request's URL
 * @returns the problem naming the parameter, or undefined when each is given at most once and decodes
 */
export function queryProblem(url: string): FieldProblem | undefined {
  const query = url.indexOf("?");
  if (query === -1) return undefined;
  const search = url.slice(query + 1).split("#")[0] as string;
  if (search.includes("%")) {
    for (const pair of search.split("&")) {
      const eq = pair.indexOf("=");
      const rawName = (eq === -1 ? pair : pair.slice(0, eq)).replaceAll("+", " ");
      const problem = undecodableSegment(rawName.slice(0, 200), rawName) ?? undecodableSegment(nameOf(rawName), eq === -1 ? "" : pair.slice(eq + 1));
      if (problem !== undefined) return problem;
    }
  }
  const seen = new Set<string>();
  for (const name of new URLSearchParams(search).keys()) {
    if (seen.has(name)) {
      const message = `${name.slice(0, 100)} is given more than once; it takes one value. Give it once.`;
      return { path: name.slice(0, 200), rule: "maxItems", message };
    }
    seen.add(name);
  }
  return undefined;
}

/** A query parameter's name as a problem names it: decoded, and cut to 200 characters. */
function nameOf(rawName: string): string {
  return decodeURIComponent(rawName).slice(0, 200);
}

/**
 * The problem of a path parameter (or a query name or value) whose percent-escapes do not decode (`%zz`, or bytes that are not UTF-8 such as
 * `%C3%28`): Hono then keeps the escape as it is, which would be stored and compared literally.
 *
 * @param name the parameter's name in the contract, such as `botId`
 * @param raw the segment as it came in the URL, still escaped
 * @returns the problem, or undefined when it decodes
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

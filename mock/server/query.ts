import type { ValidationIssue } from "../../generated/mock/validators.js";
import { toFieldProblems, type FieldProblem } from "../../src/contract/index.js";

type QueryValidator = ((data: unknown) => boolean) & { errors?: ValidationIssue[] | null };

const NUMBER = /^-?\d+(?:\.\d+)?$/;

/** Checks a query with its generated validator; the `numeric` values that look like numbers become numbers first. */
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

/** A parameter given twice (each takes one value, as Prism holds) or whose escapes do not decode (`%zz`). */
export function queryProblem(url: string): FieldProblem | undefined {
  const query = url.indexOf("?");
  if (query === -1) return undefined;
  const search = url.slice(query + 1).split("#")[0] as string;
  if (search.includes("%")) {
    for (const pair of search.split("&")) {
      const eq = pair.indexOf("=");
      const rawName = (eq === -1 ? pair : pair.slice(0, eq)).replaceAll("+", " ");
      const value = eq === -1 ? "" : pair.slice(eq + 1);
      const problem =
        undecodableSegment(rawName.slice(0, 200), rawName) ??
        undecodableSegment(decodeURIComponent(rawName).slice(0, 200), value);
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

/** The problem of a path or query part whose escapes do not decode to UTF-8 (`%zz`, `%C3%28`): Hono keeps them as they are. */
export function undecodableSegment(name: string, raw: string): FieldProblem | undefined {
  if (!raw.includes("%")) return undefined;
  try {
    decodeURIComponent(raw);
    return undefined;
  } catch {
    const shown = raw.length > 80 ? `${raw.slice(0, 80)}…` : raw;
    const message =
      `${name} holds ${shown}, a percent-escape that does not decode to UTF-8 text. ` +
      "Escape the value with encodeURIComponent.";
    return { path: name, rule: "format", message };
  }
}

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

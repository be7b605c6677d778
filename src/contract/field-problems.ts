import type { components } from "../../generated/openapi.js";
import type { ValidationIssue } from "../../generated/validators.js";

export type { ValidationIssue };
import { codePoints } from "./text-limits.js";

/**
 * One problem with one field: where (`parameters.flow_cta`), the rule broken (`maxLength`), and what to do.
 * @interface
 */
export type FieldProblem = components["schemas"]["FieldProblem"];

/** JSON Pointer (`/parameters/flow_cta`, `/items/0`) to the dotted form people read (`parameters.flow_cta`, `items[0]`). */
function dotted(pointer: string, prefix: string): string {
  const parts = pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  let out = prefix;
  for (const part of parts) out += /^\d+$/.test(part) ? `[${part}]` : out === "" ? part : `.${part}`;
  return out;
}

function join(parent: string, child: string): string {
  return parent === "" ? child : `${parent}.${child}`;
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  const t = typeof value;
  return t === "object" ? "an object" : t === "string" ? "a string" : `a ${t}`;
}

const SCHEMA_TYPE_NAMES: Record<string, string> = {
  string: "a string",
  object: "an object",
  array: "an array",
  number: "a number",
  integer: "an integer",
  boolean: "a boolean",
  null: "null",
};

function characters(value: unknown): number {
  return typeof value === "string" ? codePoints(value) : 0;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Turns one validator issue into a problem a person can act on; the limits and rules are read from the schema. */
function describe(issue: ValidationIssue, prefix: string): FieldProblem {
  const at = dotted(issue.instancePath, prefix);
  const params = issue.params;
  const schema = issue.parentSchema ?? {};
  const name = at === "" ? "the body" : at;
  switch (issue.keyword) {
    case "required": {
      const path = join(at, String(params.missingProperty));
      return { path, rule: "required", message: `${path} is missing; add it.` };
    }
    case "additionalProperties": {
      const path = join(at, String(params.additionalProperty));
      const known = Object.keys((schema.properties as Record<string, unknown> | undefined) ?? {});
      const hint = known.length > 0 ? ` (the known fields are ${known.join(", ")})` : "";
      return {
        path,
        rule: "additionalProperties",
        message: `${path} is not a field here${hint}; remove it or fix its spelling.`,
      };
    }
    case "maxLength": {
      const limit = Number(params.limit);
      const has = characters(issue.data);
      return {
        path: at,
        rule: "maxLength",
        message: `${name} has ${plural(has, "character")}; the limit is ${limit}. Shorten it by ${has - limit}.`,
      };
    }
    case "minLength":
      return { path: at, rule: "minLength", message: `${name} is empty; write at least ${plural(Number(params.limit), "character")}.` };
    case "minProperties":
      return {
        path: at,
        rule: "minProperties",
        message: `${name} is an empty object; give it at least ${plural(Number(params.limit), "key")} or leave it out.`,
      };
    case "pattern": {
      const rule = schema["x-pattern-description"];
      const text = typeof rule === "string" ? rule : `must match the pattern ${String(params.pattern)}`;
      // The value is not echoed: for userId it is a phone number, which never goes into an error text.
      return { path: at, rule: "pattern", message: `${name} ${text}.` };
    }
    case "enum": {
      const allowed = (params.allowedValues as unknown[] | undefined) ?? [];
      // The value is not echoed, as for a pattern; the allowed values are what the fix needs.
      return { path: at, rule: "enum", message: `${name} must be one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}.` };
    }
    case "type":
      return {
        path: at,
        rule: "type",
        message: `${name} must be ${SCHEMA_TYPE_NAMES[String(params.type)] ?? String(params.type)}, not ${typeName(issue.data)}.`,
      };
    default:
      return { path: at, rule: issue.keyword, message: `${name} ${issue.message ?? "is not valid"}.` };
  }
}

/** The issues of a generated validator as field problems (dotted path, rule, what to do), in order, without duplicates. */
export function toFieldProblems(issues: readonly ValidationIssue[], prefix = ""): FieldProblem[] {
  const seen = new Set<string>();
  const problems: FieldProblem[] = [];
  for (const issue of issues) {
    const problem = describe(issue, prefix);
    const key = `${problem.path}\u0000${problem.rule}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}

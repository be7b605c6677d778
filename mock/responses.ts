import type { components } from "../generated/openapi.js";
import type { FieldProblem } from "../src/contract/index.js";

/** Jelou's error body, as openapi.yaml's JelouError describes it. */
export type JelouErrorBody = components["schemas"]["JelouError"];

/**
 * A JSON answer. Headers are a plain object and the body a string: @hono/node-server writes such a Response straight
 * to the socket without building a Headers object or a stream.
 *
 * @param status the HTTP status
 * @param body what to serialise
 * @param headers extra headers
 */
export function json(status: number, body: unknown, headers?: Record<string, string>): Response {
  return jsonText(status, JSON.stringify(body), headers);
}

function jsonText(status: number, text: string, headers: Record<string, string> | undefined): Response {
  return new Response(text, {
    status,
    headers: headers === undefined ? { "content-type": "application/json" } : { "content-type": "application/json", ...headers },
  });
}

/**
 * The text of an error in Jelou's shape: `code`, `description`, and `errors` when there are field problems.
 *
 * @param code the machine-readable code (listed in openapi.yaml's JelouError.code)
 * @param description a sentence saying what is wrong and what to do
 * @param problems the field problems, when any
 */
export function jelouErrorText(code: string, description: string, problems?: FieldProblem[]): string {
  const body: JelouErrorBody = problems === undefined ? { code, description } : { code, description, errors: problems };
  return JSON.stringify(body);
}

/**
 * An error answer in Jelou's shape (see {@link jelouErrorText}).
 *
 * @param status the HTTP status
 * @param code the machine-readable code
 * @param description a sentence saying what is wrong and what to do
 * @param problems the field problems, when any
 * @param headers extra headers (X-Request-Id, Retry-After, WWW-Authenticate, Allow)
 */
export function jelouError(
  status: number,
  code: string,
  description: string,
  problems?: FieldProblem[],
  headers?: Record<string, string>,
): Response {
  return jsonText(status, jelouErrorText(code, description, problems), headers);
}

/**
 * Cuts a text for an error message or a log, so a megabyte of input never becomes a megabyte of answer.
 *
 * @param text the text
 * @param max the most characters kept before the marker
 * @returns the text, or its start followed by `… (N characters)`
 */
export function clip(text: string, max = 80): string {
  return text.length <= max ? text : `${excerpt(text, max)}… (${text.length} characters)`;
}

/**
 * The first `max` characters of a text, as a string of their own. V8 keeps a slice of a long string as a view that
 * holds the whole string alive: a kept 4 KB excerpt of a 1 MB body would keep the megabyte.
 *
 * @param text the text
 * @param max the most characters kept
 * @returns the text itself when short enough, else a copy of its start (a surrogate pair is never split)
 */
export function excerpt(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  const end = code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
  return Buffer.from(text.slice(0, end), "utf8").toString("utf8");
}

/**
 * `1 second`, `2 seconds`: a count with its noun, for answers and the page.
 *
 * @param n the count
 * @param word the noun in the singular
 * @returns the count and the noun
 */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

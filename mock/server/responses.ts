import type { components } from "../../generated/openapi.js";
import type { FieldProblem } from "../../src/contract/index.js";

/** Jelou's error body, as openapi.yaml's JelouError describes it. */
export type JelouErrorBody = components["schemas"]["JelouError"];

/** A JSON answer; a string body and plain headers let @hono/node-server write it straight to the socket. */
export function json(status: number, body: unknown, headers?: Record<string, string>): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

export function jelouErrorText(code: string, description: string, problems?: FieldProblem[]): string {
  const body: JelouErrorBody = problems === undefined ? { code, description } : { code, description, errors: problems };
  return JSON.stringify(body);
}

export function jelouError(
  status: number,
  code: string,
  description: string,
  problems?: FieldProblem[],
  headers?: Record<string, string>,
): Response {
  const body: JelouErrorBody = problems === undefined ? { code, description } : { code, description, errors: problems };
  return json(status, body, headers);
}

/** Cuts a text for an error message or a log, so a megabyte of input never becomes a megabyte of answer. */
export function clip(text: string, max = 80): string {
  return text.length <= max ? text : `${excerpt(text, max)}… (${text.length} characters)`;
}

/** The start of a text as a string of its own: V8 keeps a slice as a view that holds the whole string alive. */
export function excerpt(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  // A surrogate pair is never split.
  const end = code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
  return Buffer.from(text.slice(0, end), "utf8").toString("utf8");
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

import type { FieldProblem } from "../src/contract/index.js";

/**
 * How deep a body may nest. The contract puts no bound on `payload` or `flow_action_payload.data`, but a body nested
 * tens of thousands of levels deep parses fine and then overflows the stack of every `JSON.stringify` that shows it
 * (the inspection API, the inbox page). The mock refuses such a body up front; no real Flow payload comes near this.
 * Every JSON the mock reads is held to it: sends, replies, fault scripting, chaos, latency and the bot registry.
 */
export const MAX_NESTING = 1000;

/**
 * Finds the top-level field under which a parsed body nests deeper than {@link MAX_NESTING}. Bodies too short to nest
 * that deep (each level takes at least two characters) are not walked at all.
 *
 * @param value the parsed body
 * @param textLength the length of its JSON text (`Infinity` for a value that did not come as text)
 * @returns the top-level field that nests too deep ("" for the body itself), or undefined when it is within bounds
 */
export function tooDeep(value: unknown, textLength: number): string | undefined {
  if (textLength <= 2 * MAX_NESTING) return undefined;
  const stack: [unknown, number, string][] = [[value, 0, ""]];
  while (stack.length > 0) {
    const [node, depth, top] = stack.pop() as [unknown, number, string];
    if (node === null || typeof node !== "object") continue;
    if (depth >= MAX_NESTING) return top;
    for (const [key, child] of Object.entries(node)) stack.push([child, depth + 1, depth === 0 ? key : top]);
  }
  return undefined;
}

/**
 * The `maxDepth` problem of a parsed body that nests deeper than {@link MAX_NESTING}, as the 422 answers list it (the
 * send path's wording, so every route refuses too-deep JSON alike).
 *
 * @param value the parsed body
 * @param textLength the length of its JSON text (`Infinity` for a value that did not come as text)
 * @returns the problem, or undefined when the body is within bounds
 */
export function depthProblem(value: unknown, textLength: number): FieldProblem | undefined {
  const deep = tooDeep(value, textLength);
  if (deep === undefined) return undefined;
  const message = `${deep === "" ? "the body" : deep} nests more than ${MAX_NESTING} levels deep; the mock keeps at most ${MAX_NESTING}. Flatten it.`;
  return { path: deep, rule: "maxDepth", message };
}

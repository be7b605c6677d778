import type { RecipientRow, RecipientSource } from "./types.js";

/**
 * Whether the source can be read more than once: a function that reopens it, an array, or an iterable whose iterator
 * is a fresh object each time. Generator objects and streams are one-shot.
 */
export function isReplayable(source: RecipientSource): boolean {
  if (typeof source === "function" || Array.isArray(source)) return true;
  const candidate = source as object & { read?: unknown; pipe?: unknown };
  if (typeof candidate.read === "function" || typeof candidate.pipe === "function") return false;
  const asyncIt = (source as Partial<AsyncIterable<RecipientRow>>)[Symbol.asyncIterator];
  const syncIt = (source as Partial<Iterable<RecipientRow>>)[Symbol.iterator];
  const open = (asyncIt ?? syncIt) as ((this: unknown) => unknown) | undefined;
  return typeof open === "function" && open.call(source) !== source;
}

/** Opens one pass over the rows. */
export function openRows(source: RecipientSource): AsyncIterator<RecipientRow> | Iterator<RecipientRow> {
  const iterable = typeof source === "function" ? source() : source;
  const asyncIt = (iterable as Partial<AsyncIterable<RecipientRow>>)[Symbol.asyncIterator];
  if (typeof asyncIt === "function") return asyncIt.call(iterable);
  return (iterable as Iterable<RecipientRow>)[Symbol.iterator]();
}

import { scrubSecrets } from "../client/redact.js";

/** How deep a chain of causes is copied, and how many errors of an AggregateError: a cause could be built to be endless. */
const MAX_DEPTH = 8;
const MAX_ERRORS = 16;

/**
 * A copy of a failure's cause that holds no secret, for `JelouError.cause`: fetch's errors keep what the server sent
 * (undici's parser error holds the bytes it could not parse, in `data`), and a custom fetch's may hold anything, so a
 * logger that prints causes would print what a server echoed. Each Error in the chain (its `cause`, the `errors` of an
 * AggregateError) is copied with the same prototype (so `instanceof` still holds), its message, stack and every string
 * property scrubbed, its numbers and booleans (`errno`, `port`) kept, and any other object dropped. A cause that is
 * not an Error is kept when it is a string (scrubbed), else replaced by its tag (`[object Object]`).
 *
 * @param cause what a fetch or a body read rejected with
 * @param secrets the texts to scrub, as given to {@link scrubSecrets}
 * @returns the scrubbed copy
 */
export function scrubbedCause(cause: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof cause === "string") return scrubSecrets(cause, secrets);
  if (!(cause instanceof Error)) return cause === undefined || cause === null ? cause : Object.prototype.toString.call(cause);
  const copy = Object.create(Object.getPrototypeOf(cause) as object) as Error & Record<string, unknown>;
  const define = (key: string, value: unknown, enumerable: boolean): void => {
    Object.defineProperty(copy, key, { value, enumerable, writable: true, configurable: true });
  };
  define("message", scrubSecrets(cause.message, secrets), false);
  define("stack", scrubSecrets(cause.stack ?? `${cause.name}: ${cause.message}`, secrets), false);
  for (const [key, value] of Object.entries(cause)) {
    if (typeof value === "string") define(key, scrubSecrets(value, secrets), true);
    else if (typeof value === "number" || typeof value === "boolean") define(key, value, true);
  }
  if (depth < MAX_DEPTH) {
    if (cause.cause !== undefined) define("cause", scrubbedCause(cause.cause, secrets, depth + 1), false);
    const errors = (cause as { errors?: unknown }).errors;
    if (Array.isArray(errors)) define("errors", errors.slice(0, MAX_ERRORS).map((inner) => scrubbedCause(inner, secrets, depth + 1)), false);
  }
  return copy;
}

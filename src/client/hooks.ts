import type { JelouError } from "../errors/jelou-error.js";
import type { Call } from "./call.js";
import { maskPath, redactHeaders } from "./redact.js";

/**
 * Runs a hook so that it can never change the outcome of a send: a hook that throws after the message went out must not
 * turn a sent message into a failure (the caller would send it again). Its error becomes a process warning.
 */
function observe<E>(hook: (event: E) => void, event: E, name: string): void {
  try {
    hook(event);
  } catch (error) {
    warnCallbackFailed(name, error);
  }
}

/**
 * Reports an error thrown by one of the caller's callbacks (a hook, `shouldRetry`) as a process warning.
 *
 * @param name the option's name
 * @param error what it threw
 */
export function warnCallbackFailed(name: string, error: unknown): void {
  const text = error instanceof Error ? error.message : String(error);
  if (typeof process === "object") process.emitWarning(`jelou-flow: ${name} threw: ${text}`, "JelouHookWarning");
}

/** Calls `onRequest`, if set, before an attempt. */
export function emitRequest(call: Call, request: Request): void {
  const hook = call.config.onRequest;
  if (hook === undefined) return;
  observe(
    hook,
    {
      method: request.method,
      url: maskPath(request.url),
      path: call.path(),
      attempt: call.attempts,
      headers: redactHeaders(request.headers, call.config.secrets),
      body: call.settings.body ?? call.bodyText,
    },
    "the onRequest hook",
  );
}

/** Calls `onResponse`, if set, after an attempt, answered or not. */
export function emitResponse(
  call: Call,
  startedAt: number,
  outcome: { response?: Response; error?: JelouError; retryInMs?: number },
): void {
  const hook = call.config.onResponse;
  if (hook === undefined) return;
  const event: Parameters<typeof hook>[0] = {
    method: call.method,
    url: maskPath(call.url),
    path: call.path(),
    attempt: call.attempts,
    durationMs: performance.now() - startedAt,
  };
  if (outcome.response !== undefined) {
    event.status = outcome.response.status;
    event.headers = redactHeaders(outcome.response.headers, call.config.secrets);
  }
  if (outcome.error !== undefined) event.error = outcome.error;
  if (outcome.retryInMs !== undefined) event.retryInMs = outcome.retryInMs;
  observe(hook, event, "the onResponse hook");
}

import type { ResponseErrorContext } from "../errors/from-response.js";
import type { JelouError } from "../errors/jelou-error.js";
import type { RequestEvent, ResponseEvent } from "./options.js";
import { maskPath, redactHeaders } from "./redact.js";

/** What `onRequest` is given about the attempt about to start: phone number masked, credentials redacted. */
export function requestEvent(attempt: ResponseErrorContext, url: string, headers: Headers, body: unknown): RequestEvent {
  const { method, path, attempts, secrets } = attempt;
  return { method, url: maskPath(url), path, attempt: attempts, headers: redactHeaders(headers, secrets), body };
}

/** What `onResponse` is given after an attempt, answered or not; bodies never. */
export function responseEvent(
  attempt: ResponseErrorContext,
  url: string,
  startedAt: number,
  outcome: { response?: Response; error?: JelouError; retryInMs?: number | undefined },
): ResponseEvent {
  const { method, path, attempts, secrets } = attempt;
  const { response, error, retryInMs } = outcome;
  return {
    method, url: maskPath(url), path, attempt: attempts, durationMs: performance.now() - startedAt,
    ...(response && { status: response.status, headers: redactHeaders(response.headers, secrets) }),
    ...(error && { error }),
    ...(retryInMs !== undefined && { retryInMs }),
  };
}

/** Reports what one of the caller's callbacks (a hook, `shouldRetry`) threw as a process warning. */
export function warnCallbackFailed(name: string, error: unknown): void {
  const text = error instanceof Error ? error.message : String(error);
  if (typeof process === "object") process.emitWarning(`jelou-flow: ${name} threw: ${text}`, "JelouHookWarning");
}

/** Calls a hook so that it can never change the outcome: one that throws after the message went out must not fail it. */
export function observe<E>(name: string, hook: (event: E) => void, event: E): void {
  try {
    hook(event);
  } catch (error) {
    warnCallbackFailed(name, error);
  }
}

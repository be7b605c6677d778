import { errorFromResponse, redirectError, refusedBeforeWork } from "../errors/from-response.js";
import { neverReachedServer } from "../errors/from-failure.js";
import { parseRetryAfter } from "../errors/retry-after.js";
import type { Call } from "./call.js";
import { boundBody, withBody } from "./bounded-body.js";
import { emitRequest, emitResponse } from "./hooks.js";
import { retryDelay } from "./retry-policy.js";

/** A body as JSON when it is JSON, else as text. */
export function parseLoose(text: string | undefined): unknown {
  if (text === undefined || text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function readText(response: Response, call: Call): Promise<string> {
  try {
    return await call.guard(() => response.text());
  } catch (error) {
    throw call.failure(error, true);
  }
}

/** Lets go of an answer's unread body, without waiting: a body whose cancel never settles must not hold the send. */
function drop(response: Response): void {
  response.body?.cancel().catch(() => undefined);
}

/** Waits before the next attempt; throws the `aborted` error when the caller aborts meanwhile. */
async function pause(call: Call, ms: number): Promise<void> {
  try {
    await call.pause(ms);
  } catch (reason) {
    throw call.failure(reason, false);
  }
}

/**
 * The attempt loop: the `fetch` openapi-fetch calls, so it runs beneath openapi-fetch's middleware, once per call.
 * The first attempt sends openapi-fetch's request untouched (no clone: building a Request is the costliest step of a
 * send); a retry builds a new one from the same URL, headers and body. Each attempt is raced against the call's timer
 * and the caller's signal ({@link Call.guard}). A redirect is never followed (every request is sent with `redirect:
 * "manual"`): a 3xx rejects with a JelouError of kind `http`, maybe sent, never retried. It resolves with the last answer, whatever its
 * status, for openapi-fetch to parse; it rejects with a JelouError when the last attempt got no answer.
 *
 * @param first the request openapi-fetch built
 * @param call the call's state
 * @throws JelouError of kind `network`, `timeout` or `aborted`; of kind `http` for a 3xx
 */
export async function runAttempts(first: Request, call: Call): Promise<Response> {
  const { onRequest, onResponse } = call.config;
  const timed = onRequest !== undefined || onResponse !== undefined;
  call.url = first.url;
  call.method = first.method;
  let request = first;
  for (;;) {
    call.attempts++;
    call.answered = false;
    call.bodyTruncated = false;
    if (onRequest !== undefined) emitRequest(call, request);
    const startedAt = timed ? performance.now() : 0;
    let response: Response;
    try {
      response = await call.guard(() => call.send(request));
    } catch (thrown) {
      const error = call.failure(thrown, true);
      const safe = call.abortCause === undefined && neverReachedServer(thrown, request.url);
      const unsafeCandidate = error.kind === "network" || error.timeout === "attempt";
      // Known before shouldRetry runs, so that an abort during it reports what may already have been sent.
      call.maybeSent ||= !safe;
      call.settle();
      const delay = await retryDelay(call, { safe, unsafeCandidate, retryAfterMs: undefined, error: () => error });
      if (onResponse !== undefined) emitResponse(call, startedAt, { error, retryInMs: delay });
      if (delay === undefined) throw error;
      await pause(call, delay);
      request = call.nextRequest(request);
      continue;
    }

    const status = response.status;
    call.answered = true;
    // A custom fetch may follow a redirect whatever the request says: its answer (a GET's 200) is no send either.
    if ((status >= 300 && status < 400) || response.redirected) {
      // Never followed and never retried, even with retry.unsafe: the server had the whole request.
      call.maybeSent = true;
      call.settle();
      const context = { method: call.method, path: call.path(), attempts: call.attempts, earlierMaybeSent: true, secrets: call.config.secrets };
      const error = redirectError(status, response.headers, request.url, context, response.redirected ? response.url : undefined);
      drop(response);
      if (onResponse !== undefined) emitResponse(call, startedAt, { response, error });
      throw error;
    }
    response = boundBody(response, call.config.maxResponseBytes, call);
    if (status < 400) {
      if (onResponse !== undefined) emitResponse(call, startedAt, { response });
      return response;
    }
    const headers = response.headers;
    const safe = refusedBeforeWork(status, headers);
    const unsafeCandidate = status >= 500 && !safe;
    const policy = call.settings.retry;
    // shouldRetry is shown the error with Jelou's code, so the body is read first; otherwise it stays unread.
    const text = policy.shouldRetry !== undefined && call.attempts <= policy.limit ? await readText(response, call) : undefined;
    const earlierMaybeSent = call.maybeSent;
    call.maybeSent ||= unsafeCandidate;
    call.settle();
    const delay = await retryDelay(call, {
      safe,
      unsafeCandidate,
      retryAfterMs: parseRetryAfter(headers.get("retry-after")),
      error: () =>
        errorFromResponse(status, headers, parseLoose(text), {
          method: call.method,
          path: call.path(),
          attempts: call.attempts,
          earlierMaybeSent,
          secrets: call.config.secrets,
        }),
    });
    if (onResponse !== undefined) emitResponse(call, startedAt, { response, retryInMs: delay });
    if (delay === undefined) {
      if (text !== undefined) return withBody(response, text);
      call.resume();
      return response;
    }
    if (text === undefined) drop(response);
    await pause(call, delay);
    request = call.nextRequest(request);
  }
}

/**
 * One send, from its first attempt to its outcome: every decision about what is retried and about `maybeSent` is here.
 * The attempt loop is the `fetch` openapi-fetch calls, once per send; the first attempt sends openapi-fetch's request
 * untouched (building a Request is the costliest step of a send). Timeouts and the caller's abort end a wait through
 * {@link Call.guard}, not a signal on the Request, which costs Node's fetch a listener, a WeakRef and a FinalizationRegistry
 * entry per request; the default fetch gets a signal of its own, so that the socket is released.
 */
import { errorFromFailure, neverReachedServer, type AbortCause } from "../errors/from-failure.js";
import { errorFromResponse, redirectError, refusedBeforeWork, type ResponseErrorContext } from "../errors/from-response.js";
import { JelouError } from "../errors/jelou-error.js";
import { parseRetryAfter } from "../errors/retry-after.js";
import { boundBody, drop, parseLoose, withBody } from "./bounded-body.js";
import { backoffDelay, type ClientConfig, type RetryPolicy } from "./config.js";
import { observe, requestEvent, responseEvent, warnCallbackFailed } from "./hook-events.js";
import type { FetchLike } from "./options.js";
import { maskPath } from "./redact.js";

/** setTimeout cannot wait longer than this; a longer timeout means none. */
const MAX_TIMER_MS = 2_147_483_647;

/** What one send is given: its unmasked path, and its `body` parsed (for hooks, and to retry) or as `bodyText` (`client.raw`). */
export interface SendSettings {
  timeoutMs: number;
  totalTimeoutMs: number | undefined;
  retry: RetryPolicy;
  signal: AbortSignal | undefined;
  body?: unknown;
  bodyText?: string | undefined;
  path: string;
}

/** `run`'s value, the attempts made, whether the last body was cut, and the context of the last answer's error. */
export type SendOutcome<T> = { value: T; attempts: number; bodyTruncated: boolean; context: ResponseErrorContext };

/** Runs `run` with the attempt loop as its fetch, within the timers and the caller's signal (reading the answer too). */
export async function send<T>(
  config: ClientConfig,
  settings: SendSettings,
  run: (fetch: FetchLike) => Promise<T>,
): Promise<SendOutcome<T>> {
  const call = new Call(config, settings);
  try {
    const value = await call.guard(() => run(call.fetch));
    return { value, attempts: call.attempts, bodyTruncated: call.bodyTruncated, context: call.context() };
  } catch (failure) {
    // Whether a request was out then (reading an answer counts) says whether it may have been sent.
    throw JelouError.is(failure) ? failure : call.failure(failure, call.inFlight);
  } finally {
    call.end();
  }
}

/** The sends waiting on each caller's signal: one listener per signal, however many sends share it (a bulk run). */
const watchers = new WeakMap<AbortSignal, Set<Call>>();

function watchSignal(signal: AbortSignal, call: Call): void {
  const calls = watchers.get(signal) ?? new Set<Call>();
  if (!watchers.has(signal)) {
    watchers.set(signal, calls);
    signal.addEventListener("abort", () => calls.forEach((each) => each.interrupt("caller", signal.reason)), { once: true });
  }
  calls.add(call);
}

function fire(call: Call, cause: AbortCause): void {
  call.interrupt(cause, new DOMException(`The ${cause} timeout ran out.`, "TimeoutError"));
}

/** The state of one send across its attempts. */
class Call {
  attempts = 0;
  maybeSent = false; // once any attempt may have reached the server
  inFlight = false; // from handing an attempt to fetch until its outcome is known, and while its answer is read
  bodyTruncated = false;
  readonly fetch: FetchLike = (request) => this.loop(request);
  private answered = false; // the attempt got an answer: a failure after that reached the server, whatever its code
  private ended = false; // the caller has its answer: nothing more may be sent, whatever is still pending
  private abortCause: AbortCause | undefined = undefined; // the client interrupted the wait itself, not the network
  private abortReason: unknown = undefined;
  private url = "";
  private method = "POST";
  private maskedPath: string | undefined = undefined;
  private bodyText: string | undefined;
  private readonly deadline: number;
  private attemptEndsAt = Infinity;
  private timers: (ReturnType<typeof setTimeout> | undefined)[] = [undefined, undefined, undefined]; // attempt, total, pause
  private controller: AbortController | undefined = undefined;
  private rejecter: ((reason: unknown) => void) | undefined = undefined;

  constructor(private readonly config: ClientConfig, private readonly settings: SendSettings) {
    const { totalTimeoutMs = Infinity, signal } = settings;
    this.deadline = performance.now() + totalTimeoutMs;
    if (signal?.aborted === true) {
      this.abortCause = "caller";
      throw this.failure(signal.reason, false);
    }
    if (signal !== undefined) watchSignal(signal, this);
    if (totalTimeoutMs <= MAX_TIMER_MS) this.timers[1] = setTimeout(fire, totalTimeoutMs, this, "total");
    this.armAttempt(true);
  }

  private async loop(first: Request): Promise<Response> {
    this.url = first.url;
    this.method = first.method;
    for (let request = first; ; request = this.nextRequest(request)) {
      this.attempts++;
      this.answered = false;
      this.bodyTruncated = false;
      const { onRequest, onResponse } = this.config;
      const body = this.settings.body ?? this.settings.bodyText;
      if (onRequest) observe("the onRequest hook", onRequest, requestEvent(this.context(), this.url, request.headers, body));
      const startedAt = onResponse === undefined ? 0 : performance.now();
      let response: Response;
      try {
        response = await this.guard(() => this.sendOnce(request));
      } catch (thrown) {
        const error = this.failure(thrown, true);
        const safe = this.abortCause === undefined && neverReachedServer(thrown, request.url);
        // Known before shouldRetry runs, so that an abort during it reports what may already have been sent.
        this.maybeSent ||= !safe;
        this.settle();
        const unsafe = error.kind === "network" || error.timeout === "attempt";
        const delay = await this.retryDelay(safe, unsafe, undefined, () => error);
        this.emitResponse(startedAt, { error, retryInMs: delay });
        if (delay === undefined) throw error;
        await this.pause(delay);
        continue;
      }
      this.answered = true;
      const { status, headers } = response;
      // Never followed nor retried, even with retry.unsafe: the server had the whole request. A custom fetch may follow
      // a redirect whatever the request says: its answer (a GET's 200) is no send either.
      if ((status >= 300 && status < 400) || response.redirected) {
        this.maybeSent = true;
        this.settle();
        const error = redirectError(status, headers, request.url, this.context(), response.redirected ? response.url : undefined);
        drop(response);
        this.emitResponse(startedAt, { response, error });
        throw error;
      }
      response = boundBody(response, this.config.maxResponseBytes, this);
      if (status < 400) {
        this.emitResponse(startedAt, { response });
        return response;
      }
      // Only a 429 or a 503 with a readable Retry-After proves nothing was done; any other 5xx may have been sent.
      const safe = refusedBeforeWork(status, headers);
      const { shouldRetry, limit } = this.settings.retry;
      // shouldRetry is shown the error with Jelou's code, so the body is read first; otherwise it stays unread.
      const text = shouldRetry !== undefined && this.attempts <= limit ? await this.wait(() => response.text(), true) : undefined;
      const context = this.context();
      this.maybeSent ||= status >= 500 && !safe;
      this.settle();
      const error = (): JelouError => errorFromResponse(status, headers, parseLoose(text), context);
      const delay = await this.retryDelay(safe, status >= 500 && !safe, parseRetryAfter(headers.get("retry-after")), error);
      this.emitResponse(startedAt, { response, retryInMs: delay });
      if (delay === undefined) {
        if (text !== undefined) return withBody(response, text);
        this.inFlight = true;
        this.armAttempt(false);
        return response;
      }
      if (text === undefined) drop(response);
      await this.pause(delay);
    }
  }

  /** How long to wait before trying a failed attempt again (Retry-After, else the backoff); undefined for no retry. */
  private async retryDelay(safe: boolean, unsafe: boolean, retryAfterMs: number | undefined, error: () => JelouError) {
    const policy = this.settings.retry;
    if (this.stopped() || this.attempts > policy.limit) return undefined;
    // By default only what provably never reached the server; `unsafe` adds timeouts, resets and 5xx; shouldRetry overrides.
    let wanted = safe || (policy.unsafe && unsafe);
    if (policy.shouldRetry !== undefined) {
      let verdict: boolean | undefined;
      try {
        verdict = await policy.shouldRetry({ attempt: this.attempts, error: error(), safe, retryAfterMs });
      } catch (thrown) {
        // The send still ends with the attempt's own error, which says whether the message may have been sent.
        warnCallbackFailed("retry.shouldRetry", thrown);
        return undefined;
      }
      if (this.stopped()) return undefined;
      if (typeof verdict === "boolean") wanted = verdict;
    }
    if (!wanted || (retryAfterMs !== undefined && retryAfterMs > policy.maxRetryAfterMs)) return undefined;
    const delay = retryAfterMs ?? backoffDelay(this.attempts, policy);
    // Not past the deadline, nor longer than a timer can hold (about 24.8 days: it would fire at once).
    return performance.now() + delay >= this.deadline || delay > MAX_TIMER_MS ? undefined : delay;
  }

  private stopped(): boolean {
    return this.ended || this.abortCause === "caller" || this.abortCause === "total";
  }

  private async sendOnce(request: Request): Promise<Response> {
    this.inFlight = true;
    if (this.config.fetch !== undefined) return this.config.fetch(request);
    this.controller = new AbortController();
    // A redirect is never followed: a followed POST may be sent again elsewhere, or turned into a GET.
    return globalThis.fetch(request, { signal: this.controller.signal, redirect: "manual" });
  }

  /** Reads an answer (`inFlight`), or pauses between attempts; a timeout or the caller's abort ends it with its error. */
  private async wait<T>(start: () => Promise<T>, inFlight: boolean): Promise<T> {
    try {
      return await this.guard(start);
    } catch (error) {
      throw this.failure(error, inFlight);
    }
  }

  private pause(ms: number): Promise<void> {
    return this.wait(() => new Promise<void>((resolve) => (this.timers[2] = setTimeout(resolve, ms))), false);
  }

  /** A new attempt's timer, and a request from the same URL, headers and body (the previous one's was consumed). */
  private nextRequest(previous: Request): Request {
    this.abortCause = undefined;
    this.armAttempt(true);
    const { body, bodyText } = this.settings;
    this.bodyText ??= bodyText ?? (body === undefined ? undefined : JSON.stringify(body));
    const { method, headers } = previous;
    return new Request(this.url, { method, headers, body: this.bodyText ?? null, redirect: "manual" });
  }

  /** Starts a new attempt's timer, or after {@link settle} runs it on for what the attempt had left (its answer is read). */
  private armAttempt(fresh: boolean): void {
    const { timeoutMs } = this.settings;
    if (fresh) this.attemptEndsAt = performance.now() + timeoutMs;
    const ms = fresh ? timeoutMs : Math.max(0, this.attemptEndsAt - performance.now());
    if (ms <= MAX_TIMER_MS) this.timers[0] = setTimeout(fire, ms, this, "attempt");
  }

  /** The attempt's outcome is known: its timer stops (a slow `shouldRetry` is not its fault), the deadline runs on. */
  private settle(): void {
    this.inFlight = false;
    clearTimeout(this.timers[0]);
  }

  /** Ends the current wait (an attempt, a pause, reading an answer); the caller's abort wins over a timeout. */
  interrupt(cause: AbortCause, reason: unknown): void {
    if (this.stopped()) return;
    this.abortCause = cause;
    this.abortReason = reason;
    this.controller?.abort(reason);
    this.rejecter?.(reason);
  }

  /** Runs `start` so that {@link interrupt} rejects it at once; guards nest, and only the innermost is interrupted. */
  guard<T>(start: () => Promise<T>): Promise<T> {
    if (this.ended) return Promise.reject(new DOMException("The call is over.", "AbortError"));
    if (this.stopped()) return Promise.reject(this.abortReason);
    const outer = this.rejecter;
    return new Promise<T>((resolve, reject) => {
      const done = (ok: boolean, value: unknown): void => {
        if (this.rejecter === fail) this.rejecter = outer;
        if (ok) resolve(value as T);
        else reject(value);
      };
      const fail = (error: unknown): void => done(false, error);
      this.rejecter = fail;
      // Every `start` is async or a body read: none throws before returning its promise.
      start().then((value) => done(true, value), fail);
    });
  }

  /** The error of a wait that got no answer; `inFlight` says whether a request was out. */
  failure(error: unknown, inFlight: boolean): JelouError {
    const { answered, abortCause, url, settings } = this;
    const timeoutMs = abortCause === "total" ? settings.totalTimeoutMs : settings.timeoutMs;
    return errorFromFailure(error, { ...this.context(), inFlight, answered, abortCause, url, timeoutMs });
  }

  context(): ResponseErrorContext {
    const { method, attempts, maybeSent } = this;
    const path = (this.maskedPath ??= maskPath(this.settings.path));
    return { method, path, attempts, earlierMaybeSent: maybeSent, secrets: this.config.secrets };
  }

  /** Stops the timers and lets go of the caller's signal, once the send is over. */
  end(): void {
    this.ended = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.rejecter = undefined;
    if (this.settings.signal !== undefined) watchers.get(this.settings.signal)?.delete(this);
  }

  private emitResponse(startedAt: number, outcome: Parameters<typeof responseEvent>[3]): void {
    const hook = this.config.onResponse;
    if (hook !== undefined) observe("the onResponse hook", hook, responseEvent(this.context(), this.url, startedAt, outcome));
  }
}

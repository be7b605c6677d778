import { errorFromFailure, type AbortCause } from "../errors/from-failure.js";
import type { JelouError } from "../errors/jelou-error.js";
import type { ClientConfig, RetryPolicy } from "./config.js";
import { unwatchSignal, watchSignal } from "./abort-watch.js";
import { maskPath } from "./redact.js";

/** setTimeout cannot wait longer than this; a longer timeout means none. */
export const MAX_TIMER_MS = 2_147_483_647;

function fire(call: Call, cause: AbortCause): void {
  call.interrupt(cause, new DOMException(`The ${cause} timeout ran out.`, "TimeoutError"));
}

/** What one send is given: its limits, its signal, its body. */
export interface CallSettings {
  timeoutMs: number;
  totalTimeoutMs: number | undefined;
  retry: RetryPolicy;
  signal: AbortSignal | undefined;
  /** The parsed body, for hooks and to serialise again for a retry. */
  body: unknown;
  /** The request path when known before the request exists (unmasked; masked when shown). */
  path?: string;
}

/**
 * The state of one send across its attempts: how many attempts were made, whether any may have reached the server, the
 * timer of the current attempt (set to whichever of the attempt timeout and the total deadline comes first), and the
 * caller's signal.
 *
 * Timeouts and the caller's abort end the wait through {@link Call.guard}, not through a signal on the Request: an
 * AbortSignal given to `new Request()` costs a listener, a WeakRef and a FinalizationRegistry entry per request in
 * Node's fetch, which measured as the largest part of the client's overhead. The default fetch still gets the signal
 * (as `fetch(request, { signal })`, which builds its own Request anyway) so the socket is released.
 */
export class Call {
  attempts = 0;
  /** True once any attempt may have reached the server. */
  maybeSent = false;
  /**
   * True from the moment an attempt is handed to fetch until its outcome is known: a failure then may have reached the
   * server. False between attempts (while `shouldRetry` decides, and during the pause), so an abort there adds nothing.
   */
  inFlight = false;
  /**
   * True once the current attempt got an answer: a failure after that (reading the body) reached the server, whatever
   * its error code says.
   */
  answered = false;
  /** True when the current attempt's answer was longer than `maxResponseBytes` and its body was cut there. */
  bodyTruncated = false;
  /** Set by {@link Call.end}: the caller has its answer, so nothing more may be sent, whatever is still pending. */
  ended = false;
  /** Set when the client interrupts the current attempt itself, so the failure can be told apart from the network's. */
  abortCause: AbortCause | undefined = undefined;
  /** The request body as text, once known (read from the request, or serialised for a retry). */
  bodyText: string | undefined = undefined;
  readonly deadline: number | undefined;
  /** The fetch given to openapi-fetch for this call: the attempt loop, bound to this state. */
  readonly fetch: (request: Request) => Promise<Response>;
  /** The URL and method of the first request, set by the attempt loop. */
  url = "";
  method = "POST";
  private controller: AbortController | undefined = undefined;
  private abortReason: unknown = undefined;
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private attemptEndsAt = Infinity;
  private rejecter: ((reason: unknown) => void) | undefined = undefined;
  private maskedPath: string | undefined = undefined;

  /**
   * @param config the client's
   * @param settings this call's
   * @param loop the attempt loop, given the first request and this state
   * @throws JelouError (kind `aborted`) when the caller's signal has already fired: nothing is sent
   */
  constructor(
    readonly config: ClientConfig,
    readonly settings: CallSettings,
    loop: (request: Request, call: Call) => Promise<Response>,
  ) {
    this.deadline = settings.totalTimeoutMs === undefined ? undefined : performance.now() + settings.totalTimeoutMs;
    this.fetch = (request) => loop(request, this);
    const signal = settings.signal;
    if (signal !== undefined) {
      if (signal.aborted) {
        this.abortCause = "caller";
        throw this.failure(signal.reason, false);
      }
      watchSignal(signal, this);
    }
    this.armAttempt();
  }

  /** The request's path with the phone number masked, for messages and hooks. */
  path(): string {
    if (this.maskedPath === undefined && this.settings.path !== undefined) this.maskedPath = maskPath(this.settings.path);
    if (this.maskedPath === undefined) {
      const at = this.url.indexOf("/", this.url.indexOf("//") + 2);
      const path = at === -1 ? "/" : this.url.slice(at).split("?", 1)[0] ?? "/";
      this.maskedPath = maskPath(path);
    }
    return this.maskedPath;
  }

  /** Starts the timer of a new attempt. */
  private armAttempt(): void {
    this.attemptEndsAt = performance.now() + this.settings.timeoutMs;
    this.arm(this.settings.timeoutMs);
  }

  /** Sets the timer to whichever comes first: `attemptMs` from now (Infinity for none), or the total deadline. */
  private arm(attemptMs: number): void {
    let ms = attemptMs;
    let cause: AbortCause = "attempt";
    if (this.deadline !== undefined) {
      const left = this.deadline - performance.now();
      if (left < ms) {
        ms = Math.max(0, left);
        cause = "total";
      }
    }
    if (ms <= MAX_TIMER_MS) this.timer = setTimeout(fire, ms, this, cause);
  }

  /**
   * Ends the current wait: the attempt, the pause between attempts, or the reading of the answer. The caller's abort
   * wins over a timeout.
   */
  interrupt(cause: AbortCause, reason: unknown): void {
    if (this.abortCause === "caller") return;
    this.abortCause = cause;
    this.abortReason = reason;
    clearTimeout(this.timer);
    this.controller?.abort(reason);
    this.rejecter?.(reason);
  }

  /**
   * Runs `start` so that {@link interrupt} rejects it at once. Guards nest: the innermost one is interrupted, and when it
   * settles the one around it is interruptible again (the attempt inside the whole call, whose answer is read after).
   */
  guard<T>(start: () => Promise<T>): Promise<T> {
    if (this.abortCause === "caller" || this.abortCause === "total") return Promise.reject(this.abortReason);
    if (this.ended) return Promise.reject(new DOMException("The call is over.", "AbortError"));
    return new Promise<T>((resolve, reject) => {
      const outer = this.rejecter;
      const fail = (error: unknown): void => {
        if (this.rejecter === fail) this.rejecter = outer;
        reject(error);
      };
      this.rejecter = fail;
      try {
        start().then((value) => {
          if (this.rejecter === fail) this.rejecter = outer;
          resolve(value);
        }, fail);
      } catch (error) {
        fail(error);
      }
    });
  }

  /** Sends one attempt through the configured fetch; the default fetch also gets a signal, to release the socket. */
  send(request: Request): Promise<Response> {
    this.inFlight = true;
    const custom = this.config.fetch;
    if (custom !== undefined) return custom(request);
    this.controller = new AbortController();
    // A redirect is never followed: a followed POST may be sent again elsewhere, or turned into a GET.
    return globalThis.fetch(request, { signal: this.controller.signal, redirect: "manual" });
  }

  /**
   * Marks the current attempt as over, its outcome known: its own timer stops (a slow `shouldRetry` is not the
   * attempt's fault, and must not turn a 500 into a timeout), while the total deadline keeps running.
   */
  settle(): void {
    this.inFlight = false;
    clearTimeout(this.timer);
    this.arm(Infinity);
  }

  /** After {@link Call.settle}, when the answer is to be read after all: the attempt's timer runs on for what it had left. */
  resume(): void {
    this.inFlight = true;
    clearTimeout(this.timer);
    this.arm(Math.max(0, this.attemptEndsAt - performance.now()));
  }

  /**
   * Prepares the next attempt: a fresh timer, and a new request from the same URL, headers and body (the previous
   * request's body has been consumed).
   */
  nextRequest(previous: Request): Request {
    clearTimeout(this.timer);
    this.abortCause = undefined;
    this.armAttempt();
    if (this.bodyText === undefined && this.settings.body !== undefined) this.bodyText = JSON.stringify(this.settings.body);
    return new Request(this.url, {
      method: previous.method,
      headers: previous.headers,
      body: this.bodyText ?? null,
      redirect: "manual",
    });
  }

  /**
   * Waits between attempts.
   *
   * @param ms how long
   * @throws the caller's abort reason when the caller aborts meanwhile
   */
  pause(ms: number): Promise<void> {
    clearTimeout(this.timer);
    if (this.abortCause !== "caller") this.abortCause = undefined;
    return this.guard(
      () =>
        new Promise<void>((resolve) => {
          this.timer = setTimeout(resolve, ms);
        }),
    );
  }

  /**
   * The error an attempt that got no answer ends with.
   *
   * @param error what fetch rejected with
   * @param inFlight whether a request was out (false while waiting between attempts)
   */
  failure(error: unknown, inFlight: boolean): JelouError {
    const timeoutMs = this.abortCause === "total" ? this.settings.totalTimeoutMs : this.settings.timeoutMs;
    return errorFromFailure(error, {
      method: this.method,
      path: this.path(),
      attempts: this.attempts,
      earlierMaybeSent: this.maybeSent,
      inFlight,
      answered: this.answered,
      abortCause: this.abortCause,
      timeoutMs,
      secrets: this.config.secrets,
      url: this.url,
    });
  }

  /** Stops the timer and lets go of the caller's signal. Call once, when the call is over. */
  end(): void {
    this.ended = true;
    clearTimeout(this.timer);
    this.rejecter = undefined;
    if (this.settings.signal !== undefined) unwatchSignal(this.settings.signal, this);
  }
}

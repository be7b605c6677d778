import type { FieldProblem } from "../contract/field-problems.js";
import { scrubbedCause, scrubSecrets } from "../client/redact.js";

/**
 * What went wrong, as one word a program can switch on:
 * - `validation`: the message breaks the contract (checked before sending, or Jelou's 422); nothing to retry, fix the fields.
 * - `auth`: credentials missing (at creation) or refused (401).
 * - `forbidden`: these credentials may not use this bot (403).
 * - `not_found`: the bot, or the route, does not exist (404).
 * - `rate_limited`: too many requests (429); not processed, safe to send again later.
 * - `server`: Jelou failed (5xx); the message may have been sent.
 * - `http`: any other refusal (400, 413, 415...).
 * - `network`: no HTTP answer; `maybeSent` says whether the request could have reached Jelou.
 * - `timeout`: no answer in time (`timeout` says which limit); the message may have been sent.
 * - `aborted`: the caller's `AbortSignal` fired.
 */
export type JelouErrorKind =
  "validation" | "auth" | "forbidden" | "not_found" | "rate_limited" | "server" | "http" | "network" | "timeout" | "aborted";

/** The fields set only when known, in the order `toJSON()` lists them. */
const OPTIONAL_FIELDS = [
  "status", "code", "description", "retryAfterMs", "problems", "requestId", "method", "path", "timeout",
] as const;
type OptionalField = (typeof OPTIONAL_FIELDS)[number];

/** The facts of a {@link JelouError}, as its fields declare them. */
export type JelouErrorFacts = {
  -readonly [K in keyof Pick<JelouError, "kind" | "retryable" | "attempts" | "maybeSent" | OptionalField>]: JelouError[K];
};

/** Everything a {@link JelouError} carries, as given to its constructor. */
export interface JelouErrorInit extends Partial<JelouErrorFacts> {
  kind: JelouErrorKind;
  /** The whole message: what happened, to which request, and what to do. */
  message: string;
  /** The underlying failure (a network error, an abort reason); kept scrubbed of `secrets`, never serialised as is. */
  cause?: unknown;
  /** Texts the cause must never show, in any encoding (the secret, the credentials): it is kept scrubbed. Not kept. */
  secrets?: readonly string[];
}

/** The plain, secret-free form of a {@link JelouError}, as `toJSON()` returns it. */
export interface JelouErrorJSON extends JelouErrorFacts {
  /** Always `JelouError`, so that logs and queues can tell it from other errors after serialisation. */
  name: "JelouError";
  /** The whole message: what happened, to which request, and what to do. */
  message: string;
  /** The name, code and message of the underlying failure, never the object itself. */
  cause?: string;
}

/** The facts the advice depends on. */
type AdviceFacts = Pick<JelouErrorFacts, "kind" | "maybeSent" | "retryAfterMs" | "timeout"> & { timeoutMs?: number };

const UNKNOWN = "The message may have been sent: check before sending it again.";
/** A refusal after an attempt that may have reached Jelou (an unsafe retry) does not make the call safe to repeat. */
const EARLIER = `An earlier attempt of this call may have reached Jelou. ${UNKNOWN}`;

/** What to fix when Jelou refused a request outright. */
const FIX = {
  validation: "Fix the fields listed and send again.",
  auth: "Check clientId and clientSecret (or JELOU_CLIENT_ID and JELOU_CLIENT_SECRET).",
  forbidden: "These credentials may not use this bot: check botId, or use the credentials of the company that owns the bot.",
  not_found: "Check botId, and that baseUrl points at Jelou.",
  http: "Fix what the description says and send again.",
};

/** What a person should do: the second half of every message, saying whether sending again is safe. */
export function adviceFor(facts: AdviceFacts): string {
  const wait = facts.retryAfterMs === undefined ? undefined : `${Math.ceil(facts.retryAfterMs / 100) / 10} s`;
  const later = wait === undefined ? "later" : `after ${wait}`;
  const limit = facts.timeoutMs === undefined ? "" : ` (${facts.timeoutMs} ms)`;
  switch (facts.kind) {
    case "validation":
    case "auth":
    case "forbidden":
    case "not_found":
    case "http":
      return facts.maybeSent ? `${FIX[facts.kind]} ${EARLIER}` : `Nothing was sent. ${FIX[facts.kind]}`;
    case "rate_limited":
      if (facts.maybeSent) return `Send fewer messages per second. ${EARLIER}`;
      return `Nothing was sent. Wait ${wait === undefined ? "a little" : `${wait} (Retry-After)`} and send again, ` +
        "or send fewer messages per second.";
    case "server":
      if (facts.maybeSent) return UNKNOWN;
      return `Jelou refused it before doing any work; nothing was sent. Send again ${later}.`;
    case "network":
      return facts.maybeSent
        ? `The connection failed after the request went out. ${UNKNOWN}`
        : "The request never reached the server, so nothing was sent. Check baseUrl and the network, then send again.";
    case "timeout": {
      const after = facts.maybeSent ? UNKNOWN : "Nothing was sent (every attempt was refused before any work): send again later.";
      return facts.timeout === "total"
        ? `The call ran out of its totalTimeoutMs${limit}. ${after}`
        : `No answer within timeoutMs${limit}; raise it if Jelou is slow. ${after}`;
    }
    case "aborted":
      if (facts.maybeSent) return `Aborted by the caller's signal while the request was out. ${UNKNOWN}`;
      return "Aborted by the caller's signal before anything was sent.";
  }
}

const BRAND = Symbol.for("jelou-flow.JelouError");
const INSPECT = Symbol.for("nodejs.util.inspect.custom");

/** `name: message [code]` of a cause, without walking into objects that might hold anything. */
function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return typeof cause === "string" ? cause : Object.prototype.toString.call(cause);
  const code = (cause as { code?: unknown }).code;
  const inner = cause.cause instanceof Error ? ` <- ${describeCause(cause.cause)}` : "";
  return `${cause.name}: ${cause.message}${typeof code === "string" ? ` [${code}]` : ""}${inner}`;
}

/**
 * The one error the client throws. `kind` says what went wrong, `maybeSent` whether the message may have reached Jelou
 * (a sender must then record the recipient as "unknown", never resend blindly), `retryable` whether sending it again is
 * safe and may succeed. No field ever holds the client secret or the Authorization header, and `toJSON()`, `String()` and
 * `util.inspect` print only these fields.
 *
 * @example
 * ```ts
 * try {
 *   await client.sendFlowMessage(message);
 * } catch (error) {
 *   if (!JelouError.is(error)) throw error;
 *   if (error.kind === "validation") for (const p of error.problems ?? []) console.error(p.path, p.message);
 *   else if (error.maybeSent) console.error("unknown outcome, check before resending:", error.message);
 *   else if (error.retryable) setTimeout(retryLater, error.retryAfterMs ?? 60_000);
 * }
 * ```
 */
export class JelouError extends Error {
  /** Always `JelouError`; survives serialisation, unlike `instanceof`. */
  override readonly name = "JelouError";
  /** What went wrong; see {@link JelouErrorKind}. */ readonly kind: JelouErrorKind;
  /** The HTTP status, when Jelou answered. */ readonly status?: number;
  /** Jelou's error `code` (such as `forbidden_bot`), when it sent one. */ readonly code?: string;
  /** Jelou's `description` of the problem, when it sent one. */ readonly description?: string;
  /** True when sending the same message again is safe (it provably was not processed) and may succeed. */
  readonly retryable: boolean;
  /** How long Jelou asked to wait (`Retry-After`), in milliseconds. */ readonly retryAfterMs?: number;
  /** How many HTTP attempts were made (0 when nothing was sent). */ readonly attempts: number;
  /** Every problem with the message, for `validation` errors. */ readonly problems?: FieldProblem[];
  /** Jelou's `X-Request-Id`, to quote when asking for support. */ readonly requestId?: string;
  /** True when the request may have reached Jelou: the message may have been sent, do not resend blindly. */
  readonly maybeSent: boolean;
  /** The HTTP method of the request. */ readonly method?: string;
  /** The request path, with the phone number masked (`/v1/bots/b/users/5939****4321/flow_message`). */ readonly path?: string;
  /** For `timeout` errors: `attempt` when one attempt ran out of time, `total` when the whole call did. */
  readonly timeout?: "attempt" | "total";
  /** The cause's name, code and message, scrubbed; see {@link JelouErrorJSON.cause}. */ readonly #cause: string | undefined;

  /**
   * Made by the client for every failure; make one yourself to test how your code handles each kind.
   *
   * @param init the kind, the full message and the facts; `retryable` and `maybeSent` default to false, `attempts` to 0
   * @example
   * ```ts
   * const error = new JelouError({ kind: "timeout", message: "No answer in time.", maybeSent: true, attempts: 1 });
   * ```
   */
  constructor(init: JelouErrorInit) {
    // The cause is set below, scrubbed: never handed to Error as is.
    super(init.message);
    this.kind = init.kind;
    this.retryable = init.retryable ?? false;
    this.attempts = init.attempts ?? 0;
    this.maybeSent = init.maybeSent ?? false;
    const fields = this as unknown as Record<string, unknown>;
    for (const key of OPTIONAL_FIELDS) if (init[key] !== undefined) fields[key] = init[key];
    // Kept reachable for debugging, but scrubbed and out of enumeration, and described now, while the secrets are at hand.
    const secrets = init.secrets ?? [];
    if (init.cause !== undefined) {
      const cause = secrets.length === 0 ? init.cause : scrubbedCause(init.cause, secrets);
      Object.defineProperty(this, "cause", { value: cause, enumerable: false });
    }
    this.#cause = init.cause === undefined ? undefined : scrubSecrets(describeCause(init.cause), secrets);
    Object.defineProperty(this, BRAND, { value: true });
  }

  /**
   * True for a JelouError, even one from another copy of this package (where `instanceof` fails).
   *
   * @param value anything caught
   * @example
   * ```ts
   * catch (error) { if (JelouError.is(error) && error.kind === "rate_limited") ... }
   * ```
   */
  static is(value: unknown): value is JelouError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** The secret-free plain form, for logs and JSON. */
  toJSON(): JelouErrorJSON {
    const { kind, message, retryable, attempts, maybeSent } = this;
    const json: JelouErrorJSON = { name: "JelouError", kind, message, retryable, attempts, maybeSent };
    const out = json as unknown as Record<string, unknown>;
    for (const key of OPTIONAL_FIELDS) if (this[key] !== undefined) out[key] = this[key];
    if (this.#cause !== undefined) json.cause = this.#cause;
    return json;
  }

  /** What `util.inspect` and `console.log` print: the stack, then the fields of `toJSON()`. */
  [INSPECT](): string {
    const { name: _name, message: _message, ...fields } = this.toJSON();
    const lines = Object.entries(fields).map(([key, value]) => `  ${key}: ${JSON.stringify(value)}`);
    return `${this.stack ?? `${this.name}: ${this.message}`}\n{\n${lines.join(",\n")}\n}`;
  }
}

import { scrubSecrets } from "../client/redact.js";
import { scrubbedCause } from "./scrubbed-cause.js";
import type { FieldProblem } from "../contract/field-problems.js";

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
  | "validation"
  | "auth"
  | "forbidden"
  | "not_found"
  | "rate_limited"
  | "server"
  | "http"
  | "network"
  | "timeout"
  | "aborted";

/** Everything a {@link JelouError} carries, as given to its constructor. */
export interface JelouErrorInit {
  kind: JelouErrorKind;
  /** The whole message: what happened, to which request, and what to do. */
  message: string;
  status?: number;
  code?: string;
  description?: string;
  retryable?: boolean;
  retryAfterMs?: number;
  attempts?: number;
  problems?: FieldProblem[];
  requestId?: string;
  maybeSent?: boolean;
  method?: string;
  path?: string;
  timeout?: "attempt" | "total";
  cause?: unknown;
  /**
   * Texts the cause and its description must not show (the client secret, the encoded credentials), in any of their
   * encoded forms, in case the failure echoes them: `cause` is then kept as a scrubbed copy. The other fields are given
   * clean. Not kept.
   */
  secrets?: readonly string[];
}

/** The plain, secret-free form of a {@link JelouError}, as `toJSON()` returns it. */
export interface JelouErrorJSON {
  name: "JelouError";
  kind: JelouErrorKind;
  message: string;
  status?: number;
  code?: string;
  description?: string;
  retryable: boolean;
  retryAfterMs?: number;
  attempts: number;
  maybeSent: boolean;
  problems?: FieldProblem[];
  requestId?: string;
  method?: string;
  path?: string;
  timeout?: "attempt" | "total";
  /** The name, code and message of the underlying failure, never the object itself. */
  cause?: string;
}

/** The fields that are set only when known, in the order `toJSON()` lists them. */
const OPTIONAL_FIELDS = [
  "status",
  "code",
  "description",
  "retryAfterMs",
  "problems",
  "requestId",
  "method",
  "path",
  "timeout",
] as const satisfies readonly (keyof JelouErrorInit & keyof JelouErrorJSON)[];

const BRAND = Symbol.for("jelou-flow.JelouError");
const INSPECT = Symbol.for("nodejs.util.inspect.custom");

/** `name: message [code]` of a cause, without walking into objects that might hold anything. */
function describeCause(cause: unknown): string | undefined {
  if (cause === undefined) return undefined;
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
  override readonly name = "JelouError";
  /** What went wrong; see {@link JelouErrorKind}. */
  readonly kind: JelouErrorKind;
  /** The HTTP status, when Jelou answered. */
  readonly status?: number;
  /** Jelou's error `code` (such as `forbidden_bot`), when it sent one. */
  readonly code?: string;
  /** Jelou's `description` of the problem, when it sent one. */
  readonly description?: string;
  /** True when sending the same message again is safe (it provably was not processed) and may succeed. */
  readonly retryable: boolean;
  /** How long Jelou asked to wait (`Retry-After`), in milliseconds. */
  readonly retryAfterMs?: number;
  /** How many HTTP attempts were made (0 when nothing was sent). */
  readonly attempts: number;
  /** Every problem with the message, for `validation` errors. */
  readonly problems?: FieldProblem[];
  /** Jelou's `X-Request-Id`, to quote when asking for support. */
  readonly requestId?: string;
  /** True when the request may have reached Jelou: the message may have been sent, do not resend blindly. */
  readonly maybeSent: boolean;
  /** The HTTP method of the request. */
  readonly method?: string;
  /** The request path, with the phone number masked (`/v1/bots/b/users/5939****4321/flow_message`). */
  readonly path?: string;
  /** For `timeout` errors: `attempt` when one attempt ran out of time, `total` when the whole call did. */
  readonly timeout?: "attempt" | "total";

  /**
   * @param init the kind, the full message and the facts; `retryable` and `maybeSent` default to false, `attempts` to 0
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
    // A cause could hold anything a server sent: keep it reachable for debugging, but scrubbed and out of enumeration,
    // and describe it once, now, while the secrets are at hand.
    if (init.cause !== undefined) {
      const cause = init.secrets === undefined || init.secrets.length === 0 ? init.cause : scrubbedCause(init.cause, init.secrets);
      Object.defineProperty(this, "cause", { value: cause, enumerable: false });
      const described = describeCause(init.cause);
      this.#cause = described === undefined ? undefined : scrubSecrets(described, init.secrets ?? []);
    }
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** The cause's name, code and message, scrubbed; see {@link JelouErrorJSON.cause}. */
  readonly #cause: string | undefined;

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
    const json: JelouErrorJSON = {
      name: "JelouError",
      kind: this.kind,
      message: this.message,
      retryable: this.retryable,
      attempts: this.attempts,
      maybeSent: this.maybeSent,
    };
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

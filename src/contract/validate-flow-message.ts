import type { components } from "../../generated/openapi.js";
import { validateFlowMessage as checkBody, validateSendFlowMessageParameters as checkParameters } from "../../generated/validators.js";
import { toFieldProblems, type FieldProblem } from "./field-problems.js";

/**
 * The body Jelou takes, exactly as `openapi.yaml` describes it.
 * @interface
 */
export type FlowMessageBody = components["schemas"]["FlowMessage"];

/** A flow message as the client takes it: the body, plus the bot and the recipient that go in the URL path. */
export type FlowMessageInput = FlowMessageBody & {
  /** The bot whose WhatsApp channel sends the message. */
  botId: string;
  /** The recipient's phone number; `+593 98-765-4321` is accepted and sent as `593987654321`. */
  userId: string;
};

/** The request a valid message becomes: what goes in the path, the query and the body. */
export interface FlowMessageRequestParts {
  /** The bot, for the URL path. */
  botId: string;
  /** The recipient, normalised to international form without `+` (`593987654321`), for the URL path. */
  userId: string;
  /** The `type` query parameter, when one was given. */
  type?: string;
  /** The JSON body to send. */
  body: FlowMessageBody;
}

/** The outcome of {@link validateFlowMessage}. */
export type FlowMessageValidation =
  | {
      /** The message is valid. */
      ok: true;
      /** What to send: path parts, query and body. */
      request: FlowMessageRequestParts;
      /** Always empty when `ok`. */
      problems: [];
    }
  | {
      /** The message breaks the contract; nothing should be sent. */
      ok: false;
      /** Every problem found, one per field and rule. */
      problems: FieldProblem[];
    };

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Checks a flow message against `openapi.yaml` with the generated validators, without sending anything. The phone number is
 * normalised first (see {@link normalizeUserId}); every problem is listed, not only the first.
 *
 * @param message the message, with `botId` and `userId`
 * @param options what goes in the query besides the message
 * @param options.type the optional `type` query parameter, checked too when given
 * @returns `{ ok: true, request }` with the normalised parts, or `{ ok: false, problems }`
 * @example
 * ```ts
 * const result = validateFlowMessage({
 *   botId: "bot-1", userId: "+593 98-765-4321", title: "Hello", text: "Hi", caption: "Jelou",
 *   parameters: { flow_name: "welcome_flow", flow_cta: "Start, please, right now" },
 * });
 * if (!result.ok) for (const p of result.problems) console.log(p.path, p.rule, p.message);
 * // parameters.flow_cta maxLength parameters.flow_cta has 23 characters; the limit is 20. Shorten it by 3.
 * ```
 */
export function validateFlowMessage(message: FlowMessageInput, options: { type?: string } = {}): FlowMessageValidation {
  if (!isRecord(message)) {
    return { ok: false, problems: [{ path: "", rule: "type", message: "The message must be an object." }] };
  }
  const { botId, userId: rawUserId, ...body } = message as Record<string, unknown>;
  const userId = typeof rawUserId === "string" ? normalizeUserId(rawUserId) : rawUserId;
  const parameters: Record<string, unknown> = { botId, userId };
  if (options.type !== undefined) parameters.type = options.type;
  for (const key of ["botId", "userId"] as const) if (parameters[key] === undefined) delete parameters[key];

  const problems: FieldProblem[] = [];
  if (!checkParameters(parameters)) problems.push(...toFieldProblems(checkParameters.errors ?? []));
  if (!checkBody(body)) problems.push(...toFieldProblems(checkBody.errors ?? []));
  if (problems.length > 0) return { ok: false, problems };

  const request: FlowMessageRequestParts = {
    botId: botId as string,
    userId: userId as string,
    body: body as FlowMessageBody,
  };
  if (options.type !== undefined) request.type = options.type;
  return { ok: true, request, problems: [] };
}

/** Separators people type inside phone numbers; anything else is left for the contract's rule to report. */
const SEPARATORS = /[\s\-.()\u00a0]/g;
const DIGITS = /^\d+$/;

/**
 * Turns a phone number as people write it into the form Jelou's `userId` takes: international digits without the `+`.
 * Only a leading `+` and the usual separators (spaces, dashes, dots, parentheses) are removed; a value that still is not
 * digits is returned as it came, so the contract's check can name the problem instead of a guess hiding it.
 *
 * @param userId the recipient's phone number, such as `+593 98-765-4321`
 * @returns the digits, such as `593987654321`, or the input unchanged when it is not a phone number
 * @example
 * ```ts
 * normalizeUserId("+593 98-765-4321"); // "593987654321"
 * normalizeUserId("(593) 98.765.4321"); // "593987654321"
 * normalizeUserId("abc"); // "abc" (left for validation to report)
 * ```
 */
export function normalizeUserId(userId: string): string {
  if (typeof userId !== "string") return userId;
  // The common case, already digits, skips the three passes below: this runs before every send.
  if (DIGITS.test(userId)) return userId;
  const trimmed = userId.trim();
  const stripped = trimmed.replace(/^\+/, "").replace(SEPARATORS, "");
  return DIGITS.test(stripped) ? stripped : userId;
}

/**
 * Masks a phone number for logs: the country code and the last four digits stay, so people can still tell numbers apart.
 *
 * @param userId the phone number, as sent (`593987654321`)
 * @returns `5939****4321`; short values keep less (`12****89`, `****`)
 * @example
 * ```ts
 * maskUserId("593987654321"); // "5939****4321"
 * ```
 */
export function maskUserId(userId: string): string {
  const keep = userId.length >= 9 ? 4 : userId.length >= 5 ? 2 : 0;
  return keep === 0 ? "****" : `${userId.slice(0, keep)}****${userId.slice(-keep)}`;
}

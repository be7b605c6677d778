import type { components } from "../../generated/openapi.js";
import { validateFlowMessage as checkBody, validateSendFlowMessageParameters as checkParameters } from "../../generated/validators.js";
import { toFieldProblems, type FieldProblem } from "./field-problems.js";
import { normalizeUserId } from "./normalize-user-id.js";

/** The body Jelou takes, exactly as `openapi.yaml` describes it. */
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
  botId: string;
  userId: string;
  type?: string;
  body: FlowMessageBody;
}

/** The outcome of {@link validateFlowMessage}. */
export type FlowMessageValidation =
  | { ok: true; request: FlowMessageRequestParts; problems: [] }
  | { ok: false; problems: FieldProblem[] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Checks a flow message against `openapi.yaml` with the generated validators, without sending anything. The phone number is
 * normalised first (see {@link normalizeUserId}); every problem is listed, not only the first.
 *
 * @param message the message, with `botId` and `userId`
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

/**
 * jelou-flow: a typed, validated, retry-safe client for Jelou's "send a WhatsApp Flow message" endpoint.
 * Everything public is re-exported from here; the mock Jelou is `jelou-flow/mock`.
 */
export { validateFlowMessage } from "./validation/validate-flow-message.js";
export type {
  FlowMessageBody,
  FlowMessageInput,
  FlowMessageRequestParts,
  FlowMessageValidation,
} from "./validation/validate-flow-message.js";
export { normalizeUserId } from "./validation/normalize-user-id.js";
export { toFieldProblems } from "./validation/field-problems.js";
export type { FieldProblem } from "./validation/field-problems.js";

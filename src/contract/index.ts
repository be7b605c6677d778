/**
 * The contract module: what the client and the mock both read off `openapi.yaml` (the generated validators' wrappers, the
 * text limits, field problems, phone normalisation and masking) and the webhook signature both sides compute. The mock
 * imports this and `generated/`, and nothing else of `src/`, so loading `jelou-flow/mock` loads no client code.
 */
export { validateFlowMessage } from "./validate-flow-message.js";
export type { FlowMessageBody, FlowMessageInput, FlowMessageRequestParts, FlowMessageValidation } from "./validate-flow-message.js";
export { maskUserId, normalizeUserId } from "./validate-flow-message.js";
export { codePoints, TEXT_FIELDS, textLimits } from "./text-limits.js";
export type { TextField, TextLimit } from "./text-limits.js";
export { toFieldProblems } from "./field-problems.js";
export type { FieldProblem, ValidationIssue } from "./field-problems.js";
export { signJelouWebhook, verifyJelouSignature } from "./webhook-signature.js";
export type { components, paths } from "../../generated/openapi.js";
export { checkFlowMessageResponse, describeFlowMessageResponse } from "./check-response.js";
export type { AnswerToCheck, ResponseCheck, ResponseDifference } from "./check-response.js";
export { credentialSecrets, isRecord, REDACTED, scrubDeep, scrubSecrets } from "./scrub-secrets.js";

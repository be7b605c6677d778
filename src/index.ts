/**
 * jelou-flow: a typed, validated, retry-safe client for Jelou's "send a WhatsApp Flow message" endpoint.
 * Everything public is re-exported from here; the mock Jelou is `jelou-flow/mock`.
 */
export { validateFlowMessage } from "./contract/validate-flow-message.js";
export type {
  FlowMessageBody,
  FlowMessageInput,
  FlowMessageRequestParts,
  FlowMessageValidation,
} from "./contract/validate-flow-message.js";
export { normalizeUserId } from "./contract/normalize-user-id.js";
export { codePoints, TEXT_FIELDS, textLimits } from "./contract/text-limits.js";
export type { TextField, TextLimit } from "./contract/text-limits.js";
export { toFieldProblems } from "./contract/field-problems.js";
export type { FieldProblem, ValidationIssue } from "./contract/field-problems.js";
export { createJelouClient } from "./client/create-client.js";
export type { JelouClient, FlowMessageResult } from "./client/create-client.js";
export { sendFlowMessage } from "./client/send-flow-message.js";
export type { OneOffSendOptions } from "./client/send-flow-message.js";
export type {
  FetchLike,
  JelouClientOptions,
  RequestEvent,
  ResponseEvent,
  RetryContext,
  RetryOptions,
  SendOptions,
} from "./client/options.js";
export type { DryRunRequest } from "./client/dry-run.js";
export { maskUserId } from "./contract/mask-user-id.js";
export { JelouError } from "./errors/jelou-error.js";
export type { JelouErrorInit, JelouErrorJSON, JelouErrorKind } from "./errors/jelou-error.js";
export { verifyJelouSignature, signJelouWebhook } from "./contract/webhook-signature.js";
export { sendFlowMessages, BulkValidationError } from "./bulk/send-flow-messages.js";
export { readRecipientsCsv, readCsvHeader } from "./bulk/csv-recipients.js";
export { compileTemplate, TemplateError } from "./bulk/template.js";
export type { MessageTemplate } from "./bulk/template.js";
export { JournalFileError, JournalInUseError, JournalMismatchError, JournalWriteError } from "./bulk/journal.js";
export type { JournalEntry, LockHolder } from "./bulk/journal.js";
export type {
  BulkErrorSummary,
  BulkPlan,
  BulkResult,
  FlowMessageSender,
  PlannedSend,
  RecipientRow,
  RecipientSource,
  SendFlowMessagesOptions,
} from "./bulk/types.js";

/**
 * jelou-flow: a typed, validated, retry-safe client for Jelou's "send a WhatsApp Flow message" endpoint.
 * Everything public is re-exported from here; the mock Jelou is `jelou-flow/mock`.
 *
 * @packageDocumentation
 * @module jelou-flow
 */
export { validateFlowMessage, type FlowMessageBody, type FlowMessageInput } from "./contract/validate-flow-message.js";
export type { FlowMessageRequestParts, FlowMessageValidation } from "./contract/validate-flow-message.js";
export { normalizeUserId } from "./contract/validate-flow-message.js";
export type { FieldProblem } from "./contract/field-problems.js";
export { maskUserId } from "./contract/validate-flow-message.js";
export { verifyJelouSignature, signJelouWebhook } from "./contract/webhook-signature.js";
export { createJelouClient, sendFlowMessage, type JelouClient, type FlowMessageResult } from "./client/create-client.js";
export type { OneOffSendOptions } from "./client/create-client.js";
export type { FetchLike, JelouClientOptions, RequestEvent, ResponseEvent } from "./client/options.js";
export type { RetryContext, RetryOptions, SendOptions } from "./client/options.js";
export type { DryRunRequest } from "./client/create-client.js";
export { JelouError, type JelouErrorInit, type JelouErrorJSON, type JelouErrorKind } from "./errors/jelou-error.js";
export { sendFlowMessages, BulkValidationError } from "./bulk/send-flow-messages.js";
export { readRecipientsCsv, readCsvHeader, type CsvOptions } from "./bulk/csv-recipients.js";
export { compileTemplate, TemplateError, type MessageTemplate } from "./bulk/template.js";
export { JournalFileError, JournalInUseError, JournalMismatchError, JournalWriteError } from "./bulk/journal.js";
export type { JournalEntry, LockHolder } from "./bulk/journal.js";
export type { BulkErrorSummary, BulkPlan, BulkResult, FlowMessageSender } from "./bulk/types.js";
export type { PlannedSend, RecipientRow, RecipientSource, SendFlowMessagesOptions } from "./bulk/types.js";
export { checkFlowMessageResponse, describeFlowMessageResponse } from "./contract/check-response.js";
export type { AnswerToCheck, ResponseCheck, ResponseDifference } from "./contract/check-response.js";

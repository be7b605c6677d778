/**
 * jelou-flow/mock: a local Jelou for the flow_message endpoint, in-process or over HTTP, with an inbox to read back
 * what was sent, scripted faults and seeded chaos.
 *
 * @packageDocumentation
 * @module jelou-flow/mock
 */
export { createMockJelou } from "./create-mock-jelou.js";
export type { MockJelou } from "./create-mock-jelou.js";
export { Inbox } from "./inbox/inbox.js";
export type { MessagePage, NewInboxMessage, RejectionPage } from "./types.js";
export { Faults, FaultSpecError } from "./faults/faults.js";
export type { FaultDecision } from "./faults/faults.js";
export { FLOW_PROVIDERS } from "./send/registry.js";
export type { Registry, RegistryRefusal } from "./send/registry.js";
export type { MockContext, MockEnv } from "./server/context.js";
export type { AuthResult } from "./send/credentials.js";
export type {
  BotEntry,
  BotRegistry,
  ChaosSettings,
  ChaosState,
  Fault,
  FaultKind,
  FaultSpec,
  InboxEvent,
  InboxFilter,
  InboxMessage,
  InboxRejection,
  InboxStats,
  InboxUpstream,
  ListenOptions,
  MockJelouOptions,
  MockServer,
  RejectionFilter,
  WebhookOptions,
} from "./types.js";
export type { FlowReplies, FlowReplyChange, FlowReplyRecord } from "./replies/flow-replies.js";
export type { FlowReplyEvent, NfmReplyMessage } from "./replies/reply-event.js";
export type { DeliveryStatus, WebhookDelivery } from "./replies/webhook-sender.js";
export { runMockCli } from "./server/cli.js";
export type { MockCliIo } from "./server/cli.js";
export { describeMock } from "./server/cli.js";

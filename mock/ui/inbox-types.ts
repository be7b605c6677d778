/**
 * The parts of the mock's inbox the page and the replies read, as a structural interface: the page renders over the
 * mock's `Inbox` or over a fixture in a test. The shapes themselves are the mock's (from `mock/openapi.yaml`).
 */
import type { InboxEvent, InboxMessage, InboxRejection } from "../types.js";

export type InboxMessageView = InboxMessage;
export type InboxRejectionView = InboxRejection;
export type InboxEventView = InboxEvent;

/** The inbox operations the page uses. */
export interface InboxSource {
  /** Messages, newest first. */
  list(filter?: { limit?: number }): InboxMessageView[];
  /** One message by id, or the newest with `"latest"`. */
  get(id: string): InboxMessageView | undefined;
  /** Messages, newest first, within one listing's byte budget; `omitted` counts those within `limit` left out. */
  query(filter?: { limit?: number }, budgetBytes?: number): { messages: InboxMessageView[]; total: number; omitted?: number };
  /** Rejections, newest first. */
  rejections(filter?: { limit?: number }): InboxRejectionView[];
  /** Rejections, newest first, within one listing's byte budget. */
  queryRejections(filter?: { limit?: number }, budgetBytes?: number): { rejections: InboxRejectionView[]; total: number; omitted?: number };
  subscribe(listener: (event: InboxEventView) => void): () => void;
}

/**
 * The Flow reply the mock simulates when a recipient completes a Flow. Jelou does not publish how a reply reaches an
 * integrator; this event is the mock's own model of it: Meta's inbound `interactive` message of type `nfm_reply` (the
 * answers as a JSON string holding the `flow_token`, as WhatsApp delivers them to every provider) wrapped with what the
 * seed says Jelou adds: the conversation, the flow name and the `payload` cached from the message.
 */
import { randomBytes } from "node:crypto";
import type { components } from "../../generated/mock/openapi.js";
import type { InboxMessage } from "../types.js";

/**
 * Meta's inbound message carrying a completed Flow (`interactive.type: "nfm_reply"`); `NfmReplyMessage` in the contract.
 * @interface
 */
export type NfmReplyMessage = components["schemas"]["NfmReplyMessage"];

/**
 * The reply event the mock records and POSTs to its webhook; `FlowReplyEvent` in `mock/inspection/openapi.yaml`.
 * @interface
 */
export type FlowReplyEvent = components["schemas"]["FlowReplyEvent"];

const randomHex = (bytes: number): string => randomBytes(bytes).toString("hex");

/**
 * The reply event of `message` completed with `answers` (a `flow_token` among them overrides the default: the message's
 * `parameters.flow_token` when it has one, otherwise its id, so the reply can always be matched to its message).
 *
 * @throws `TypeError` when `answers` is not a plain object
 */
export function buildFlowReplyEvent(message: InboxMessage, answers: Record<string, unknown>, now = new Date()): FlowReplyEvent {
  if (answers === null || typeof answers !== "object" || Array.isArray(answers)) {
    throw new TypeError(`buildFlowReplyEvent: answers must be an object of the Flow's fields, such as { "date": "2025-01-31" }.`);
  }
  const token = (message.body.parameters as Record<string, unknown>).flow_token;
  const flowToken = typeof token === "string" && token !== "" ? token : message.id;
  const event: FlowReplyEvent = {
    id: `evt_${randomHex(8)}`,
    type: "flow_reply",
    simulated: true,
    createdAt: now.toISOString(),
    botId: message.botId,
    userId: message.userId,
    conversation: message.conversation,
    messageId: message.id,
    flowName: message.body.parameters.flow_name,
    message: {
      from: message.userId,
      id: `wamid.SIM${randomHex(12).toUpperCase()}`,
      timestamp: String(Math.floor(now.getTime() / 1000)),
      type: "interactive",
      context: { id: message.id },
      interactive: {
        type: "nfm_reply",
        nfm_reply: { name: "flow", body: "Sent", response_json: JSON.stringify({ flow_token: flowToken, ...answers }) },
      },
    },
  };
  if (message.body.payload !== undefined) event.payload = message.body.payload;
  return event;
}

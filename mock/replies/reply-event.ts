/**
 * The Flow reply the mock simulates when a recipient completes a Flow. Jelou does not publish how a reply reaches an
 * integrator; this event is the mock's own model of it: Meta's inbound `interactive` message of type `nfm_reply` (the
 * answers as a JSON string holding the `flow_token`, as WhatsApp delivers them to every provider) wrapped with what the
 * seed says Jelou adds: the conversation, the flow name and the `payload` cached from the message. Its schema is
 * `FlowReplyEvent` in `mock/openapi.yaml`.
 */
import { randomBytes } from "node:crypto";
import type { components } from "../../generated/mock/openapi.js";
import type { InboxMessageView } from "../ui/inbox-types.js";

type Schemas = components["schemas"];

/** Meta's inbound message carrying a completed Flow (`interactive.type: "nfm_reply"`); `NfmReplyMessage` in the contract. */
export type NfmReplyMessage = Schemas["NfmReplyMessage"];

/** The reply event the mock records and POSTs to its webhook; `FlowReplyEvent` in `mock/openapi.yaml`. */
export type FlowReplyEvent = Schemas["FlowReplyEvent"];

function randomHex(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}

/**
 * The `flow_token` WhatsApp echoes back: the one the sender put in `parameters.flow_token` when there is one (older
 * Jelou variants took extra parameters), otherwise the message id, so the reply can always be matched to its message.
 */
function flowTokenOf(message: InboxMessageView): string {
  const token = (message.body.parameters as Record<string, unknown>).flow_token;
  return typeof token === "string" && token !== "" ? token : message.id;
}

/**
 * Builds the reply event of a flow message completed with `answers`.
 *
 * @param message the flow message from the inbox
 * @param answers what the recipient entered, as the Flow's screens name them; a `flow_token` key here overrides the
 *   default token
 * @param now the time of the reply (for tests)
 * @returns the event, with the answers serialised in `message.interactive.nfm_reply.response_json`
 * @throws {TypeError} when `answers` is not a plain object
 */
export function buildFlowReplyEvent(
  message: InboxMessageView,
  answers: Record<string, unknown>,
  now: Date = new Date(),
): FlowReplyEvent {
  if (answers === null || typeof answers !== "object" || Array.isArray(answers)) {
    throw new TypeError("buildFlowReplyEvent: answers must be an object of the Flow's fields, such as { \"date\": \"2025-01-31\" }.");
  }
  const responseJson = JSON.stringify({ flow_token: flowTokenOf(message), ...answers });
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
      interactive: { type: "nfm_reply", nfm_reply: { name: "flow", body: "Sent", response_json: responseJson } },
    },
  };
  if (message.body.payload !== undefined) event.payload = message.body.payload;
  return event;
}

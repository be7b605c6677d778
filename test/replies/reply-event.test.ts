import { describe, expect, it } from "vitest";
import { buildFlowReplyEvent } from "../../mock/replies/reply-event.js";
import type { InboxMessage } from "../../mock/index.js";

const message: InboxMessage = {
  id: "msg_1",
  receivedAt: "2025-01-31T10:00:00.000Z",
  conversation: "bot-1:593987654321",
  botId: "bot-1",
  userId: "593987654321",
  body: {
    title: "Your appointment",
    text: "Pick a time",
    caption: "Clinic",
    parameters: { flow_name: "book_appointment", flow_cta: "Book now" },
    payload: { orderId: "A-1001", nested: { keep: [1, 2] } },
  },
};

describe("buildFlowReplyEvent", () => {
  const now = new Date("2025-01-31T10:05:00.000Z");

  it("models Meta's nfm_reply: answers as a JSON string with the flow token, answering the message", () => {
    const event = buildFlowReplyEvent(message, { date: "2025-02-01", time: "10:30" }, now);
    expect(event.message).toMatchObject({
      from: "593987654321",
      timestamp: "1738317900",
      type: "interactive",
      context: { id: "msg_1" },
      interactive: { type: "nfm_reply", nfm_reply: { name: "flow", body: "Sent" } },
    });
    expect(event.message.id).toMatch(/^wamid\.SIM[0-9A-F]{24}$/);
    expect(JSON.parse(event.message.interactive.nfm_reply.response_json)).toEqual({
      flow_token: "msg_1",
      date: "2025-02-01",
      time: "10:30",
    });
  });

  it("returns the cached payload, the flow name and the conversation with it", () => {
    const event = buildFlowReplyEvent(message, {}, now);
    expect(event).toMatchObject({
      type: "flow_reply",
      simulated: true,
      createdAt: "2025-01-31T10:05:00.000Z",
      botId: "bot-1",
      userId: "593987654321",
      conversation: "bot-1:593987654321",
      messageId: "msg_1",
      flowName: "book_appointment",
      payload: { orderId: "A-1001", nested: { keep: [1, 2] } },
    });
    expect(event.id).toMatch(/^evt_[0-9a-f]{16}$/);
  });

  it("leaves payload out when the message had none, and uses a flow_token the sender gave", () => {
    const { payload: _omitted, ...body } = message.body;
    const withToken = { ...message, body: { ...body, parameters: { ...body.parameters, flow_token: "tok-9" } } };
    const event = buildFlowReplyEvent(withToken, { a: 1 }, now);
    expect(event).not.toHaveProperty("payload");
    expect(JSON.parse(event.message.interactive.nfm_reply.response_json)).toEqual({ flow_token: "tok-9", a: 1 });
  });

  it("refuses answers that are not an object", () => {
    for (const answers of [null, [], "x", 1]) {
      expect(() => buildFlowReplyEvent(message, answers as never, now)).toThrow(/answers must be an object/);
    }
  });
});

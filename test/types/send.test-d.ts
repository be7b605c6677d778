import { describe, expectTypeOf, it } from "vitest";
import { createJelouClient, JelouError, type DryRunRequest, type FlowMessageResult, type JelouErrorKind } from "../../src/index.js";

const client = createJelouClient({ clientId: "id", clientSecret: "secret" });
const message = {
  botId: "bot-1",
  userId: "593987654321",
  title: "Hello",
  text: "Complete this flow",
  caption: "Jelou",
  parameters: { flow_name: "welcome_flow", flow_cta: "Start" },
};

describe("sendFlowMessage types", () => {
  it("accepts a complete message and resolves with a result", () => {
    expectTypeOf(client.sendFlowMessage(message)).toEqualTypeOf<Promise<FlowMessageResult>>();
    expectTypeOf(client.sendFlowMessage(message, { dryRun: true })).toEqualTypeOf<Promise<DryRunRequest>>();
  });

  it("rejects a missing field at compile time", () => {
    // @ts-expect-error caption is required
    void client.sendFlowMessage({ botId: "b", userId: "1", title: "t", text: "x", parameters: { flow_name: "f", flow_cta: "c" } });
    // @ts-expect-error parameters.flow_cta is required
    void client.sendFlowMessage({ ...message, parameters: { flow_name: "f" } });
    // @ts-expect-error botId is required
    void client.sendFlowMessage({ userId: "1", title: "t", text: "x", caption: "c", parameters: { flow_name: "f", flow_cta: "c" } });
  });

  it("rejects a misspelt field and a wrong type at compile time", () => {
    // @ts-expect-error `paylaod` is not a field (payload is)
    void client.sendFlowMessage({ ...message, paylaod: { orderId: "A-1" } });
    // @ts-expect-error title must be a string
    void client.sendFlowMessage({ ...message, title: 60 });
    // @ts-expect-error flow_action_payload needs a screen
    void client.sendFlowMessage({ ...message, parameters: { flow_name: "f", flow_cta: "c", flow_action_payload: { data: { a: 1 } } } });
  });

  it("types options and errors", () => {
    // @ts-expect-error timeoutMs is a number
    void client.sendFlowMessage(message, { timeoutMs: "30s" });
    // @ts-expect-error there is no such kind
    const kind: JelouErrorKind = "teapot";
    void kind;
    expectTypeOf<JelouError["maybeSent"]>().toEqualTypeOf<boolean>();
    expectTypeOf<JelouError["kind"]>().toEqualTypeOf<JelouErrorKind>();
  });
});

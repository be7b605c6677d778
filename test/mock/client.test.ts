import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { JelouError, type FlowMessageInput, type JelouClient } from "../../src/index.js";
import { CLIENT_ID, clientFor, MODES, startTarget, useTarget, USER, validMessage } from "./harness.js";

function message(overrides: Partial<FlowMessageInput> = {}): FlowMessageInput {
  return { botId: "bot-1", userId: USER, ...(validMessage() as Omit<FlowMessageInput, "botId" | "userId">), ...overrides };
}

async function failure(promise: Promise<unknown>): Promise<JelouError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(JelouError);
  return error as JelouError;
}

describe.each(MODES)("the real client against the mock (%s)", (mode) => {
  const target = useTarget(mode);
  let client: JelouClient;
  beforeAll(() => {
    client = clientFor(target, { retry: { baseDelayMs: 1, backoffLimitMs: 5, jitter: false } });
  });
  beforeEach(() => {
    target.mock.inbox.clear();
    target.mock.faults.clear();
  });

  it("sends a message that is recorded exactly once, with the id the client reports", async () => {
    const result = await client.sendFlowMessage(message({ userId: "+593 98-765-4321" }), { type: "standard" });
    expect(result.status).toBe(200);
    const recorded = target.mock.inbox.list();
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ userId: USER, type: "standard", clientId: CLIENT_ID, body: validMessage() });
    expect(result.messageId).toBe(recorded[0]?.id);
  });

  it("gets 401 as an auth error with wrong credentials", async () => {
    const wrong = clientFor(target, { clientSecret: "nope" });
    const error = await failure(wrong.sendFlowMessage(message()));
    expect(error).toMatchObject({ kind: "auth", status: 401, code: "unauthorized" });
    expect(target.mock.inbox.list()).toHaveLength(0);
  });

  it("retries a 429 after Retry-After and sends once", async () => {
    target.mock.faults.add({ kind: "rate_limit", retryAfterSeconds: 0 });
    const result = await client.sendFlowMessage(message());
    expect(result.attempts).toBe(2);
    expect(target.mock.inbox.list()).toHaveLength(1);
  });

  it("does not retry a dropped connection by default: maybe sent, and recorded once", async () => {
    target.mock.faults.add({ kind: "drop" });
    const error = await failure(client.sendFlowMessage(message()));
    expect(error.kind).toBe("network");
    expect(error.maybeSent).toBe(true);
    expect(target.mock.inbox.list()).toHaveLength(1);
  });

  it("retries a 503 that carries Retry-After (refused before any work) and sends once", async () => {
    target.mock.faults.add({ kind: "unavailable", retryAfterSeconds: 0 });
    const result = await client.sendFlowMessage(message());
    expect(result.attempts).toBe(2);
    expect(target.mock.inbox.list()).toHaveLength(1);
  });

  it("reports a 500 as a server error that may have been sent", async () => {
    target.mock.faults.add({ kind: "server_error", times: 5 });
    const error = await failure(client.sendFlowMessage(message()));
    expect(error).toMatchObject({ kind: "server", status: 500, maybeSent: true });
  });

  it("times out on a hang, and the mock still records the message", async () => {
    target.mock.faults.add({ kind: "hang", delayMs: 400 });
    const error = await failure(client.sendFlowMessage(message(), { timeoutMs: 50 }));
    expect(error.kind).toBe("timeout");
    expect(await target.mock.inbox.waitFor({ timeoutMs: 2000 })).toBeDefined();
  });

  it("never reaches the mock with a message the contract refuses", async () => {
    const before = target.mock.inbox.stats();
    const error = await failure(client.sendFlowMessage(message({ title: "t".repeat(61) })));
    expect(error.kind).toBe("validation");
    expect(target.mock.inbox.stats()).toEqual(before);
    expect(target.mock.inbox.rejections()).toHaveLength(0);
  });

  it("gets the mock's 422 with every field named when the check is bypassed through client.raw", async () => {
    const { error, response } = await client.raw.POST("/v1/bots/{botId}/users/{userId}/flow_message", {
      params: { path: { botId: "bot-1", userId: "+593987654321" } },
      // Deliberately broken: the cast is what bypassing the types looks like.
      body: { ...validMessage(), title: "", parameters: { flow_name: "f", flow_cta: "Start, please, right now" } } as never,
    });
    expect(response.status).toBe(422);
    expect((error as { errors: { path: string }[] }).errors.map((e) => e.path).sort()).toEqual([
      "parameters.flow_cta",
      "title",
      "userId",
    ]);
    expect(target.mock.inbox.list()).toHaveLength(0);
  });

  it("gets the registry's answers as typed errors", async () => {
    const strict = await startTarget(mode, { bots: { bots: { "bot-1": { flows: ["other"] } } } });
    try {
      const strictClient = clientFor(strict);
      const unknownFlow = await failure(strictClient.sendFlowMessage(message()));
      expect(unknownFlow).toMatchObject({ status: 422, code: "flow_not_found" });
      expect(unknownFlow.problems?.[0]?.path).toBe("parameters.flow_name");
      const unknownBot = await failure(strictClient.sendFlowMessage(message({ botId: "ghost" })));
      expect(unknownBot).toMatchObject({ kind: "not_found", status: 404, code: "bot_not_found" });
    } finally {
      await strict.close();
    }
  });
});

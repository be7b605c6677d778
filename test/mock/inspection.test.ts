import { beforeEach, describe, expect, it, vi } from "vitest";
import {
  validateBotsState,
  validateChaosState,
  validateCleared,
  validateFault,
  validateFaultList,
  validateHealth,
  validateInboxMessage,
  validateLatency,
  validateMessageList,
  validateMockError,
  validateRejectionList,
} from "../../generated/mock/validators.js";
import { validateFlowMessage } from "../../generated/validators.js";
import { BOT, MODES, send, useTarget, validMessage } from "./harness.js";

type Check = ((data: unknown) => boolean) & { errors?: unknown };

/** Reads an inspection answer and asserts it conforms to mock/inspection/openapi.yaml's schema for it. */
async function read<T>(response: Response, status: number, schema: Check): Promise<T> {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  const body: unknown = await response.json();
  expect(schema(body), JSON.stringify(schema.errors)).toBe(true);
  return body as T;
}

function message(flowName: string): Record<string, unknown> {
  return { ...validMessage(), parameters: { flow_name: flowName, flow_cta: "Go" } };
}

interface Listed {
  messages: { id: string; botId: string; userId: string; body: { parameters: { flow_name: string } } }[];
  total: number;
}

describe.each(MODES)("the inspection API (%s)", (mode) => {
  const target = useTarget(mode);
  const json = (method: string, body: unknown): RequestInit => ({
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  beforeEach(() => {
    target.mock.inbox.clear();
    target.mock.faults.clear();
  });

  async function seed(): Promise<string[]> {
    const ids: string[] = [];
    for (const [bot, user, flow] of [
      ["bot-1", "593987654321", "welcome_flow"],
      ["bot-1", "14155550100", "book_appointment"],
      ["bot-2", "593987654321", "welcome_flow"],
    ] as const) {
      const response = await send(target, message(flow), { path: `/v1/bots/${bot}/users/${user}/flow_message` });
      ids.push(response.headers.get("x-message-id") as string);
    }
    return ids;
  }

  it("answers the health probe with the inbox counters", async () => {
    const health = await read<{ status: string; inbox: { messages: number } }>(await target.call("/__mock/health"), 200, validateHealth);
    expect(health.status).toBe("ok");
  });

  it("lists messages newest first, each a FlowMessage as sent", async () => {
    const ids = await seed();
    const list = await read<Listed>(await target.call("/__mock/messages"), 200, validateMessageList);
    expect(list.messages.map((m) => m.id)).toEqual([...ids].reverse());
    expect(list.total).toBe(3);
    for (const m of list.messages) expect(validateFlowMessage(m.body)).toBe(true);
  });

  it.each([
    ["botId=bot-2", [2]],
    ["userId=593987654321", [2, 0]],
    ["flowName=book_appointment", [1]],
    ["botId=bot-1&flowName=welcome_flow", [0]],
    ["limit=2", [2, 1]],
    ["botId=nobody", []],
  ])("filters with %s", async (query, expected) => {
    const ids = await seed();
    const list = await read<Listed>(await target.call(`/__mock/messages?${query}`), 200, validateMessageList);
    expect(list.messages.map((m) => m.id)).toEqual(expected.map((i) => ids[i]));
  });

  it("reports the total before the limit", async () => {
    await seed();
    const list = await read<Listed>(await target.call("/__mock/messages?limit=1"), 200, validateMessageList);
    expect(list).toMatchObject({ total: 3 });
    expect(list.messages).toHaveLength(1);
  });

  it("filters with since, as an id and as a time", async () => {
    const ids = await seed();
    const afterFirst = await read<Listed>(await target.call(`/__mock/messages?since=${ids[0]}`), 200, validateMessageList);
    expect(afterFirst.messages.map((m) => m.id)).toEqual([ids[2], ids[1]]);
    const future = new Date(Date.now() + 60_000).toISOString();
    const none = await read<Listed>(await target.call(`/__mock/messages?since=${future}`), 200, validateMessageList);
    expect(none.total).toBe(0);
    const past = new Date(Date.now() - 60_000).toISOString();
    const all = await read<Listed>(await target.call(`/__mock/messages?since=${encodeURIComponent(past)}`), 200, validateMessageList);
    expect(all.total).toBe(3);
  });

  it.each([["limit=0"], ["limit=abc"], ["limit=1.5"], ["since=yesterday"], ["flow_name=x"]])(
    "answers 400 invalid_query naming the parameter for %s",
    async (query) => {
      const error = await read<{ code: string; errors: { path: string }[] }>(
        await target.call(`/__mock/messages?${query}`),
        400,
        validateMockError,
      );
      expect(error.code).toBe("invalid_query");
      expect(error.errors[0]?.path).toBe(query.split("=")[0]);
    },
  );

  it("gets one message by id and by `latest`, and 404s an unknown id", async () => {
    const ids = await seed();
    const one = await read<{ id: string }>(await target.call(`/__mock/messages/${ids[1]}`), 200, validateInboxMessage);
    expect(one.id).toBe(ids[1]);
    const latest = await read<{ id: string }>(await target.call("/__mock/messages/latest"), 200, validateInboxMessage);
    expect(latest.id).toBe(ids[2]);
    const missing = await read<{ code: string }>(await target.call("/__mock/messages/msg_nope"), 404, validateMockError);
    expect(missing.code).toBe("not_found");
  });

  it("404s `latest` on an empty inbox", async () => {
    await read(await target.call("/__mock/messages/latest"), 404, validateMockError);
  });

  it("clears messages and rejections with DELETE", async () => {
    await seed();
    await send(target, {}, {});
    const cleared = await read<{ cleared: number }>(await target.call("/__mock/messages", { method: "DELETE" }), 200, validateCleared);
    expect(cleared.cleared).toBe(4);
    expect(target.mock.inbox.list()).toEqual([]);
    expect(target.mock.inbox.rejections()).toEqual([]);
  });

  it("lists rejections with their reasons", async () => {
    await send(target, { ...validMessage(), title: "" });
    const list = await read<{ rejections: { status: number; problems: { path: string }[] }[] }>(
      await target.call(`/__mock/rejections?botId=${BOT}`),
      200,
      validateRejectionList,
    );
    expect(list.rejections[0]?.status).toBe(422);
    expect(list.rejections[0]?.problems[0]?.path).toBe("title");
  });

  describe("wait", () => {
    it("answers at once when a matching message is already there", async () => {
      const ids = await seed();
      const found = await read<{ id: string }>(await target.call("/__mock/messages/wait?flowName=book_appointment&timeoutMs=2000"), 200, validateInboxMessage);
      expect(found.id).toBe(ids[1]);
    });

    it("answers as soon as a matching message arrives", async () => {
      const [first] = await seed();
      const started = Date.now();
      const waiting = target.call(`/__mock/messages/wait?since=${first}&botId=bot-3&timeoutMs=10000`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const sent = await send(target, message("late_flow"), { path: "/v1/bots/bot-3/users/593987654321/flow_message" });
      const found = await read<{ id: string; botId: string }>(await waiting, 200, validateInboxMessage);
      expect(found.id).toBe(sent.headers.get("x-message-id"));
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it("holds `since` for messages that arrive while it waits", async () => {
      // Readiness, not a sleep: the route has registered its waiter once inbox.waitFor has returned.
      const { inbox } = target.mock;
      const waitFor = inbox.waitFor.bind(inbox);
      let registered!: () => void;
      const ready = new Promise<void>((resolve) => (registered = resolve));
      const spy = vi.spyOn(inbox, "waitFor").mockImplementation((filter) => {
        const waiting = waitFor(filter);
        registered();
        return waiting;
      });
      try {
        const future = encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString());
        const waiting = target.call(`/__mock/messages/wait?since=${future}&timeoutMs=300`);
        await ready;
        expect((await send(target, message("welcome_flow"))).status).toBe(200);
        expect((await waiting).status).toBe(204);
      } finally {
        spy.mockRestore();
      }
    });

    it("answers 204 when the timeout passes first", async () => {
      const started = Date.now();
      const response = await target.call("/__mock/messages/wait?botId=never&timeoutMs=150");
      expect(response.status).toBe(204);
      expect(await response.text()).toBe("");
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    });

    it("answers 400 to a timeout out of range", async () => {
      await read(await target.call("/__mock/messages/wait?timeoutMs=999999"), 400, validateMockError);
    });
  });

  describe("faults, chaos and latency", () => {
    it("scripts, lists and clears faults", async () => {
      const fault = await read<{ id: string; remaining: number; retryAfterSeconds: number }>(
        await target.call("/__mock/faults", json("POST", { kind: "rate_limit", times: 2, botId: BOT })),
        201,
        validateFault,
      );
      expect(fault).toMatchObject({ remaining: 2, retryAfterSeconds: 2 });
      const list = await read<{ faults: unknown[] }>(await target.call("/__mock/faults"), 200, validateFaultList);
      expect(list.faults).toHaveLength(1);
      await read(await target.call("/__mock/faults", { method: "DELETE" }), 200, validateCleared);
      expect(target.mock.faults.list()).toEqual([]);
    });

    it.each([
      [{ kind: "explode" }, "kind"],
      [{ kind: "hang" }, "delayMs"],
      [{ kind: "rate_limit", times: 0 }, "times"],
      [{ kind: "drop", extra: true }, "extra"],
    ])("answers 422 naming the field for the fault %j", async (spec, field) => {
      const error = await read<{ errors: { path: string }[] }>(await target.call("/__mock/faults", json("POST", spec)), 422, validateMockError);
      expect(error.errors.map((e) => e.path)).toContain(field);
      expect(error.errors.map((e) => e.path)).not.toContain("");
    });

    it("answers 400 to a fault that is not JSON", async () => {
      await read(await target.call("/__mock/faults", { method: "POST", body: "{" }), 400, validateMockError);
    });

    it("turns chaos on and off", async () => {
      const on = await read<{ enabled: boolean }>(await target.call("/__mock/chaos", json("PUT", { probability: 0.5, seed: 3 })), 200, validateChaosState);
      expect(on.enabled).toBe(true);
      await read(await target.call("/__mock/chaos"), 200, validateChaosState);
      await read(await target.call("/__mock/chaos", json("PUT", { probability: 2, seed: 3 })), 422, validateMockError);
      const off = await read<{ enabled: boolean }>(await target.call("/__mock/chaos", { method: "DELETE" }), 200, validateChaosState);
      expect(off.enabled).toBe(false);
    });

    it("sets the latency", async () => {
      const set = await read<{ latencyMs: number }>(await target.call("/__mock/latency", json("PUT", { latencyMs: 5 })), 200, validateLatency);
      expect(set.latencyMs).toBe(5);
      await read(await target.call("/__mock/latency", json("PUT", { latencyMs: -1 })), 422, validateMockError);
      await read(await target.call("/__mock/latency", json("PUT", { latencyMs: 0 })), 200, validateLatency);
    });
  });

  it("describes the bot registry", async () => {
    const state = await read<{ enforced: boolean }>(await target.call("/__mock/bots"), 200, validateBotsState);
    expect(state.enforced).toBe(false);
  });

  it("answers 405 with Allow to a wrong method", async () => {
    const response = await target.call("/__mock/health", { method: "POST" });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD");
    await read(response, 405, validateMockError);
  });
});

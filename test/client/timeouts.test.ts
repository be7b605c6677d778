import { getEventListeners } from "node:events";
import { describe, expect, it, vi } from "vitest";
import { createJelouClient, JelouError, type JelouClientOptions } from "../../src/index.js";
import { hang, json, validMessage, useFakeJelou } from "./fake-jelou.js";

const jelou = useFakeJelou();

function client(options: Partial<JelouClientOptions> = {}) {
  return createJelouClient({ clientId: "id", clientSecret: "secret", baseUrl: jelou.url, ...options });
}

function outcome(promise: Promise<unknown>): Promise<JelouError> {
  return promise.then(
    () => {
      throw new Error("expected the send to fail");
    },
    (error: unknown) => error as JelouError,
  );
}

/** Headers at once, then a body that never ends. */
const stallBody = (_r: unknown, res: import("node:http").ServerResponse) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.write("{");
};

describe("timeouts", () => {
  it("ends an attempt after timeoutMs with kind timeout, scope attempt", async () => {
    jelou.script(hang);
    const started = performance.now();
    const error = await outcome(client({ timeoutMs: 200 }).sendFlowMessage(validMessage()));
    expect(error).toMatchObject({ kind: "timeout", timeout: "attempt", attempts: 1, maybeSent: true, retryable: false });
    expect(error.message).toMatch(/got no answer in time\. No answer within timeoutMs \(200 ms\)/);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });

  it("defaults to 30 s per attempt", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const never = createJelouClient({ clientId: "id", clientSecret: "s", baseUrl: "http://jelou.test", fetch: () => new Promise<Response>(() => undefined) });
      let settled = false;
      const pending = outcome(never.sendFlowMessage(validMessage())).finally(() => (settled = true));
      await vi.advanceTimersByTimeAsync(29_999);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(await pending).toMatchObject({ kind: "timeout", timeout: "attempt", attempts: 1 });
      expect((await pending).message).toContain("(30000 ms)");
    } finally {
      vi.useRealTimers();
    }
  });

  it("covers the answer's body too, not only its headers", async () => {
    jelou.script(stallBody);
    const error = await outcome(client({ timeoutMs: 200 }).sendFlowMessage(validMessage()));
    expect(error).toMatchObject({ kind: "timeout", timeout: "attempt", maybeSent: true });
  });

  it("covers the body with a custom fetch too", async () => {
    const stalled = new ReadableStream<Uint8Array>({ start: (controller) => controller.enqueue(new TextEncoder().encode("{")) });
    const error = await outcome(
      client({ timeoutMs: 150, fetch: async () => new Response(stalled, { status: 200 }) }).sendFlowMessage(validMessage()),
    );
    expect(error).toMatchObject({ kind: "timeout", timeout: "attempt", maybeSent: true });
  });

  it("releases the connection of a timed-out request", async () => {
    let closed = false;
    jelou.script((_request, res) => res.on("close", () => (closed = true)));
    await outcome(client({ timeoutMs: 100 }).sendFlowMessage(validMessage()));
    for (let i = 0; i < 100 && !closed; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(closed).toBe(true);
  });

  it("takes a per-send timeoutMs over the client's", async () => {
    jelou.script(hang);
    const error = await outcome(client({ timeoutMs: 60_000 }).sendFlowMessage(validMessage(), { timeoutMs: 100 }));
    expect(error.timeout).toBe("attempt");
  });

  it("ends the whole call after totalTimeoutMs, retries and waits included, with scope total", async () => {
    jelou.script(hang, hang, hang);
    const started = performance.now();
    const error = await outcome(client({ timeoutMs: 150, totalTimeoutMs: 250, retry: { unsafe: true, baseDelayMs: 1 } }).sendFlowMessage(validMessage()));
    expect(error).toMatchObject({ kind: "timeout", timeout: "total", attempts: 2, maybeSent: true });
    expect(error.message).toMatch(/totalTimeoutMs \(250 ms\)/);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("does not start a retry whose wait would pass the total deadline", async () => {
    jelou.script(json(429, { code: "rate_limited" }, { "retry-after": "2" }));
    const error = await outcome(client({ totalTimeoutMs: 1_000 }).sendFlowMessage(validMessage()));
    expect(error).toMatchObject({ kind: "rate_limited", attempts: 1, retryAfterMs: 2_000 });
  });
});

describe("the caller's AbortSignal", () => {
  it("refuses to start when the signal has already fired: nothing sent", async () => {
    const error = await outcome(client().sendFlowMessage(validMessage(), { signal: AbortSignal.abort() }));
    expect(error).toMatchObject({ kind: "aborted", attempts: 0, maybeSent: false });
    expect(jelou.received).toHaveLength(0);
  });

  it("aborts a request in flight, as maybe sent", async () => {
    jelou.script(hang);
    const controller = new AbortController();
    const pending = outcome(client().sendFlowMessage(validMessage(), { signal: controller.signal }));
    while (jelou.received.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    const error = await pending;
    expect(error).toMatchObject({ kind: "aborted", attempts: 1, maybeSent: true });
    expect(error.message).toMatch(/was aborted/);
  });

  it("aborts the wait between attempts, as not sent when no attempt went through", async () => {
    jelou.script(json(429, { code: "rate_limited" }, { "retry-after": "5" }));
    const controller = new AbortController();
    const pending = outcome(client().sendFlowMessage(validMessage(), { signal: controller.signal }));
    while (jelou.received.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    controller.abort();
    const error = await pending;
    expect(performance.now() - started).toBeLessThan(500);
    expect(error).toMatchObject({ kind: "aborted", attempts: 1, maybeSent: false });
    expect(jelou.received).toHaveLength(1);
  });

  it("cancels a client.raw call too", async () => {
    jelou.script(hang);
    const controller = new AbortController();
    const pending = client().raw.POST("/v1/bots/{botId}/users/{userId}/flow_message", {
      params: { path: { botId: "bot-1", userId: "593987654321" } },
      body: { title: "t", text: "x", caption: "c", parameters: { flow_name: "f", flow_cta: "Go" } },
      signal: controller.signal,
    });
    while (jelou.received.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ kind: "aborted", attempts: 1, maybeSent: true });
  });

  it("shares one listener among many sends on one signal, and aborts them all", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      const controller = new AbortController();
      const shared = client();
      for (let i = 0; i < 5; i++) await shared.sendFlowMessage(validMessage(), { signal: controller.signal });
      jelou.script(...Array.from({ length: 30 }, () => hang));
      const pending = Array.from({ length: 30 }, () => outcome(shared.sendFlowMessage(validMessage(), { signal: controller.signal })));
      expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
      while (jelou.received.length < 35) await new Promise((resolve) => setTimeout(resolve, 5));
      controller.abort();
      const errors = await Promise.all(pending);
      expect(errors.map((e) => e.kind)).toEqual(Array.from({ length: 30 }, () => "aborted"));
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("is told apart from a timeout: the caller's abort is aborted, the client's limit is timeout", async () => {
    jelou.script(hang);
    const error = await outcome(client({ timeoutMs: 5_000 }).sendFlowMessage(validMessage(), { signal: AbortSignal.timeout(100) }));
    expect(error.kind).toBe("aborted");
  });
});

import { describe, expect, it } from "vitest";
import { createJelouClient, JelouError, type JelouClientOptions, type RetryContext } from "../../src/index.js";
import { backoffDelay, resolveRetry } from "../../src/client/config.js";
import { closedPort, dropAfterBody, hang, json, validMessage, useFakeJelou } from "./fake-jelou.js";

const jelou = useFakeJelou();

function client(options: Partial<JelouClientOptions> = {}) {
  return createJelouClient({
    clientId: "id",
    clientSecret: "secret",
    baseUrl: jelou.url,
    ...options,
    retry: { baseDelayMs: 1, ...(options.retry || {}) },
  });
}

async function send(options: Partial<JelouClientOptions> = {}) {
  return client(options)
    .sendFlowMessage(validMessage())
    .then(
      (result) => ({ result, error: undefined }),
      (error: unknown) => ({ result: undefined, error: error as JelouError }),
    );
}

const error500 = json(500, { code: "internal_server_error", description: "Internal server error." });

describe("retries that cannot send twice (default)", () => {
  it("retries a refused connection twice, then fails as never sent", async () => {
    const { error } = await send({ baseUrl: `http://127.0.0.1:${await closedPort()}` });
    expect(error).toMatchObject({ kind: "network", attempts: 3, maybeSent: false, retryable: true });
    expect(error?.message).toMatch(/ECONNREFUSED/);
  });

  it("retries a DNS failure (the cause code ENOTFOUND) as never sent", async () => {
    let calls = 0;
    const dnsFailure = async () => {
      calls++;
      throw new TypeError("fetch failed", { cause: Object.assign(new Error("getaddrinfo ENOTFOUND jelou.invalid"), { code: "ENOTFOUND" }) });
    };
    const { error } = await send({ fetch: dnsFailure });
    expect(calls).toBe(3);
    expect(error).toMatchObject({ kind: "network", maybeSent: false });
  });

  it("retries a 429, then succeeds", async () => {
    jelou.script(json(429, { code: "rate_limited" }));
    const { result } = await send();
    expect(result).toMatchObject({ status: 200, attempts: 2 });
    expect(jelou.received).toHaveLength(2);
  });

  it("honours Retry-After before retrying", async () => {
    jelou.script(json(429, { code: "rate_limited" }, { "retry-after": "1" }));
    const started = performance.now();
    const { result } = await send();
    expect(result?.attempts).toBe(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
  });

  it("does not wait for a Retry-After longer than maxRetryAfterMs: it ends with retryAfterMs to schedule", async () => {
    jelou.script(json(429, { code: "rate_limited" }, { "retry-after": "120" }));
    const { error } = await send();
    expect(error).toMatchObject({ kind: "rate_limited", attempts: 1, retryAfterMs: 120_000, retryable: true });
  });

  it("retries a 503 that carries Retry-After, not one without it", async () => {
    jelou.script(json(503, { code: "service_unavailable" }, { "retry-after": "0" }));
    expect((await send()).result).toMatchObject({ attempts: 2 });
    jelou.reset();
    jelou.script(json(503, { code: "service_unavailable" }));
    expect((await send()).error).toMatchObject({ kind: "server", status: 503, attempts: 1, maybeSent: true });
    expect(jelou.received).toHaveLength(1);
  });

  it("does not retry a 500: the message may have been sent", async () => {
    jelou.script(error500);
    const { error } = await send();
    expect(error).toMatchObject({ kind: "server", attempts: 1, maybeSent: true, retryable: false });
    expect(jelou.received).toHaveLength(1);
  });

  it("does not retry a timeout after the body was sent", async () => {
    jelou.script(hang);
    const { error } = await send({ timeoutMs: 150 });
    expect(error).toMatchObject({ kind: "timeout", timeout: "attempt", attempts: 1, maybeSent: true });
    expect(jelou.received).toHaveLength(1);
  });

  it("does not retry a connection dropped after the body was sent", async () => {
    jelou.script(dropAfterBody);
    const { error } = await send();
    expect(error).toMatchObject({ kind: "network", attempts: 1, maybeSent: true, retryable: false });
    expect(error?.message).toMatch(/may have been sent/);
    expect(jelou.received).toHaveLength(1);
  });

  it("stops after limit retries, and makes none with limit 0 or retry: false", async () => {
    const port = await closedPort();
    expect((await send({ baseUrl: `http://127.0.0.1:${port}`, retry: { limit: 1 } })).error?.attempts).toBe(2);
    expect((await send({ baseUrl: `http://127.0.0.1:${port}`, retry: { limit: 0 } })).error?.attempts).toBe(1);
    const noRetry = createJelouClient({ clientId: "id", clientSecret: "s", baseUrl: `http://127.0.0.1:${port}`, retry: false });
    expect(await noRetry.sendFlowMessage(validMessage()).catch((e: JelouError) => e.attempts)).toBe(1);
  });

  it("keeps maybeSent once any attempt may have gone through", async () => {
    jelou.script(error500, json(429, { code: "rate_limited" }, { "retry-after": "0" }), json(429, { code: "rate_limited" }, { "retry-after": "0" }));
    const { error } = await send({ retry: { unsafe: true } });
    expect(error).toMatchObject({ kind: "rate_limited", attempts: 3, maybeSent: true, retryable: false });
    // Its message must not invite a resend: the first attempt may have sent the message.
    expect(error?.message).toContain("may have been sent");
    expect(error?.message).not.toMatch(/nothing was sent/i);
  });

  it("says a refusal after a maybe-sent attempt may have been sent, for every kind of refusal", async () => {
    const refusals = [
      json(401, { code: "unauthorized" }),
      json(404, { code: "bot_not_found" }),
      json(400, { code: "message_could_not_be_send" }),
    ];
    for (const refusal of refusals) {
      jelou.script(error500, refusal);
      const { error } = await send({ retry: { unsafe: true } });
      expect(error?.maybeSent).toBe(true);
      expect(error?.message).toContain("may have been sent");
      expect(error?.message).not.toMatch(/nothing was sent/i);
    }
  });
});

describe("opting in to retries that may send twice", () => {
  it("retries a 500 with unsafe: true", async () => {
    jelou.script(error500);
    const { result } = await send({ retry: { unsafe: true } });
    expect(result).toMatchObject({ status: 200, attempts: 2 });
    expect(jelou.received).toHaveLength(2);
  });

  it("retries a timeout after sending with unsafe: true, resending the same body", async () => {
    jelou.script(hang);
    const { result } = await send({ timeoutMs: 150, retry: { unsafe: true } });
    expect(result).toMatchObject({ status: 200, attempts: 2 });
    expect(jelou.received).toHaveLength(2);
    expect(jelou.received[1]?.body).toBe(jelou.received[0]?.body);
    expect(jelou.received[1]?.headers.authorization).toBe(jelou.received[0]?.headers.authorization);
  });

  it("retries what shouldRetry says, and tells it the error with Jelou's code", async () => {
    const contexts: RetryContext[] = [];
    jelou.script(error500);
    const { result } = await send({
      retry: {
        shouldRetry: (context) => {
          contexts.push(context);
          return context.error.code === "internal_server_error";
        },
      },
    });
    expect(result?.attempts).toBe(2);
    expect(contexts).toHaveLength(1);
    expect(contexts[0]).toMatchObject({ attempt: 1, safe: false, error: { kind: "server", status: 500, code: "internal_server_error" } });
  });

  it("retries a timeout when shouldRetry says so", async () => {
    jelou.script(hang);
    const { result } = await send({ timeoutMs: 150, retry: { shouldRetry: ({ error }) => error.kind === "timeout" } });
    expect(result?.attempts).toBe(2);
  });

  it("lets shouldRetry refuse a safe retry, and defer with undefined", async () => {
    jelou.script(json(429, { code: "rate_limited" }, { "retry-after": "0" }));
    expect((await send({ retry: { shouldRetry: () => false } })).error).toMatchObject({ kind: "rate_limited", attempts: 1 });
    jelou.reset();
    jelou.script(json(429, { code: "rate_limited" }, { "retry-after": "0" }));
    expect((await send({ retry: { shouldRetry: async () => undefined } })).result?.attempts).toBe(2);
  });

  it("ends with the attempt's own error when shouldRetry throws", async () => {
    jelou.script(error500);
    const { error } = await send({
      retry: {
        shouldRetry: () => {
          throw new Error("bug in shouldRetry");
        },
      },
    });
    expect(error).toMatchObject({ kind: "server", status: 500, attempts: 1, maybeSent: true });
  });

  it("overrides the retry policy per send", async () => {
    jelou.script(error500);
    const result = await client().sendFlowMessage(validMessage(), { retry: { unsafe: true } });
    expect(result.attempts).toBe(2);
  });
});

describe("backoff", () => {
  const policy = resolveRetry({ baseDelayMs: 100, backoffLimitMs: 350, jitter: false });

  it("doubles from baseDelayMs up to backoffLimitMs", () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, policy))).toEqual([100, 200, 350, 350]);
  });

  it("with full jitter, waits between 0 and the exponential delay", () => {
    const jittered = resolveRetry({ baseDelayMs: 100, backoffLimitMs: 350, jitter: true });
    const delays = Array.from({ length: 200 }, () => backoffDelay(2, jittered));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThanOrEqual(200);
    expect(new Set(delays).size).toBeGreaterThan(100);
  });
});

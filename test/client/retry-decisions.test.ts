import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { createJelouClient, JelouError, type JelouClientOptions, type ResponseEvent } from "../../src/index.js";
import { json, useFakeJelou, validMessage, type Handler } from "./fake-jelou.js";

// What happens while the client decides about a retry and waits for it: an async shouldRetry, the caller's abort and
// the total deadline landing between attempts, and waits a timer cannot hold.

const jelou = useFakeJelou();

function client(options: Partial<JelouClientOptions> = {}) {
  return createJelouClient({ clientId: "id", clientSecret: "secret", baseUrl: jelou.url, ...options });
}

function settle<T>(promise: Promise<T>): Promise<{ result?: T; error?: JelouError }> {
  return promise.then(
    (result) => ({ result }),
    (error: unknown) => ({ error: error as JelouError }),
  );
}

/** Answers after `ms`, as a slow Jelou would. */
function late(ms: number, handler: Handler): Handler {
  return (request, res) => void setTimeout(() => handler(request, res), ms);
}

const rateLimited = json(429, { code: "rate_limited" });

describe("an async shouldRetry", () => {
  it("is not charged to the attempt: a slow decision does not turn the answer into a timeout", async () => {
    jelou.script(rateLimited, rateLimited);
    const outcome = await settle(
      client({
        timeoutMs: 100,
        retry: { baseDelayMs: 1, jitter: false, shouldRetry: () => sleep(150).then(() => undefined) },
      }).sendFlowMessage(validMessage()),
    );
    expect(outcome.error).toBeUndefined();
    expect(outcome.result).toMatchObject({ status: 200, attempts: 3 });
  });

  it("ends with the answer's own error when it declines after the attempt's time ran out", async () => {
    // Wide margins: the answer comes 950 ms before the attempt's time runs out, the decision 150 ms after it.
    jelou.script(late(50, json(500, { code: "internal_server_error" })));
    const { error } = await settle(
      client({ timeoutMs: 1_000, retry: { shouldRetry: () => sleep(1_100).then(() => false) } }).sendFlowMessage(validMessage()),
    );
    expect(error).toMatchObject({ kind: "server", status: 500, attempts: 1, maybeSent: true });
  });

  it("sends nothing more once the call has ended, whatever the callback says later", async () => {
    const controller = new AbortController();
    jelou.script(json(500, { code: "internal_server_error" }));
    const send = client({ retry: { baseDelayMs: 1, shouldRetry: () => sleep(100).then(() => true) } }).sendFlowMessage(
      validMessage(),
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 30);
    const { error } = await settle(send);
    expect(error).toMatchObject({ kind: "aborted", maybeSent: true, attempts: 1 });
    await sleep(200);
    expect(jelou.received).toHaveLength(1);
  });

  it("reports an abort during the decision as not sent when every answer proved nothing was sent", async () => {
    const controller = new AbortController();
    jelou.script(rateLimited);
    const send = client({ retry: { shouldRetry: () => sleep(100).then(() => true) } }).sendFlowMessage(validMessage(), {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 30);
    expect((await settle(send)).error).toMatchObject({ kind: "aborted", maybeSent: false, attempts: 1 });
  });
});

describe("the total deadline between attempts", () => {
  it("ends as not sent, and retryable, when it runs out after answers that proved nothing was sent", async () => {
    jelou.script(rateLimited, rateLimited, rateLimited);
    const { error } = await settle(
      client({ totalTimeoutMs: 150, retry: { limit: 5, shouldRetry: () => sleep(200).then(() => true) } }).sendFlowMessage(
        validMessage(),
      ),
    );
    expect(error).toMatchObject({ kind: "timeout", timeout: "total", maybeSent: false, retryable: true });
    expect(error?.message).toMatch(/Nothing was sent/);
  });

  it("still ends as maybe sent when an earlier attempt may have reached the server", async () => {
    jelou.script(json(500, { code: "internal_server_error" }));
    const { error } = await settle(
      client({ totalTimeoutMs: 150, retry: { unsafe: true, shouldRetry: () => sleep(200).then(() => true) } }).sendFlowMessage(
        validMessage(),
      ),
    );
    expect(error).toMatchObject({ kind: "timeout", timeout: "total", maybeSent: true, retryable: false });
  });
});

describe("waits that cannot be timed", () => {
  it("does not retry at once when Retry-After is longer than a timer can hold: it ends with retryAfterMs", async () => {
    const thirtyDays = 30 * 24 * 3600;
    jelou.script(json(429, { code: "rate_limited" }, { "retry-after": String(thirtyDays) }));
    const { error } = await settle(client({ retry: { maxRetryAfterMs: Infinity } }).sendFlowMessage(validMessage()));
    expect(error).toMatchObject({ kind: "rate_limited", attempts: 1, retryAfterMs: thirtyDays * 1000, retryable: true });
    expect(jelou.received).toHaveLength(1);
  });

  it("uses the backoff, not an immediate retry, when Retry-After is unreadable", async () => {
    jelou.script(json(429, { code: "rate_limited" }, { "retry-after": "-1" }));
    const waits: (number | undefined)[] = [];
    const onResponse = (event: ResponseEvent) => waits.push(event.retryInMs);
    const { result } = await settle(
      client({ onResponse, retry: { baseDelayMs: 40, jitter: false } }).sendFlowMessage(validMessage()),
    );
    expect(result).toMatchObject({ status: 200, attempts: 2 });
    expect(waits[0]).toBe(40);
  });
});

describe("per-send limits", () => {
  for (const options of [{ timeoutMs: Number.NaN }, { timeoutMs: -5 }, { totalTimeoutMs: Number.NaN }, { totalTimeoutMs: -1 }]) {
    it(`refuses ${JSON.stringify(options).replace("null", "NaN")} before sending anything`, async () => {
      const name = Object.keys(options)[0] as string;
      await expect(client().sendFlowMessage(validMessage(), options)).rejects.toThrow(
        new RegExp(`^${name} must be a number of milliseconds >= 0`),
      );
      await expect(client().sendFlowMessage(validMessage(), { ...options, dryRun: true })).rejects.toThrow(RangeError);
      expect(jelou.received).toHaveLength(0);
    });
  }
});

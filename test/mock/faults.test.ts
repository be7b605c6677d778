import { beforeEach, describe, expect, it } from "vitest";
import { createMockJelou, FaultSpecError } from "../../mock/index.js";
import { AUTH, BOT, MODES, readAnswer, send, SEND_PATH, startTarget, useTarget, USER, validMessage } from "./harness.js";

const OTHER_USER = "14155550100";
const OTHER_PATH = `/v1/bots/${BOT}/users/${OTHER_USER}/flow_message`;

describe.each(MODES)("faults (%s)", (mode) => {
  const target = useTarget(mode);
  beforeEach(() => {
    target.mock.inbox.clear();
    target.mock.faults.clear();
    target.mock.faults.chaos(null);
    target.mock.faults.setLatency(0);
  });

  it("answers 429 with Retry-After to the next N matching requests, then normally", async () => {
    target.mock.faults.add({ kind: "rate_limit", times: 2, retryAfterSeconds: 2 });
    for (let i = 0; i < 2; i++) {
      const answer = await readAnswer(await send(target));
      expect(answer.status).toBe(429);
      expect(answer.body.code).toBe("rate_limited");
      expect(answer.headers.get("retry-after")).toBe("2");
    }
    expect((await readAnswer(await send(target))).status).toBe(200);
    expect(target.mock.inbox.list()).toHaveLength(1);
    expect(target.mock.faults.list()).toEqual([]);
    expect(target.mock.inbox.rejections()[0]).toMatchObject({ status: 429, fault: "fault_1" });
  });

  it("answers 500, recording nothing", async () => {
    target.mock.faults.add({ kind: "server_error" });
    const answer = await readAnswer(await send(target));
    expect(answer.status).toBe(500);
    expect(answer.body.code).toBe("internal_server_error");
    expect(target.mock.inbox.list()).toHaveLength(0);
  });

  it("answers 503, with Retry-After only when asked", async () => {
    target.mock.faults.add({ kind: "unavailable" });
    target.mock.faults.add({ kind: "unavailable", retryAfterSeconds: 7 });
    const first = await readAnswer(await send(target));
    expect(first.status).toBe(503);
    expect(first.headers.get("retry-after")).toBeNull();
    const second = await readAnswer(await send(target));
    expect(second.headers.get("retry-after")).toBe("7");
  });

  it("matches faults by bot and user, leaving other requests alone", async () => {
    target.mock.faults.add({ kind: "server_error", userId: OTHER_USER, times: 1 });
    target.mock.faults.add({ kind: "rate_limit", botId: "another-bot" });
    expect((await readAnswer(await send(target))).status).toBe(200);
    expect((await readAnswer(await send(target, undefined, { path: OTHER_PATH }))).status).toBe(500);
    expect((await readAnswer(await send(target, undefined, { path: OTHER_PATH }))).status).toBe(200);
    expect(target.mock.faults.list()).toMatchObject([{ kind: "rate_limit", botId: "another-bot", remaining: 1 }]);
  });

  it("hangs for the time asked, then handles the request", async () => {
    target.mock.faults.add({ kind: "hang", delayMs: 200 });
    const started = performance.now();
    const answer = await readAnswer(await send(target));
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(answer.status).toBe(200);
  });

  it("hangs long enough for a client timeout to fire", async () => {
    target.mock.faults.add({ kind: "hang", delayMs: 300 });
    // The timeout is the client's: an AbortSignal on the request.
    const timed = await target
      .call(SEND_PATH, {
        method: "POST",
        headers: { authorization: AUTH, "content-type": "application/json" },
        body: JSON.stringify(validMessage()),
        signal: AbortSignal.timeout(50),
      })
      .catch((e: unknown) => e);
    expect((timed as Error).name).toBe("TimeoutError");
    // The mock still got the request: once the hang ends it handles it, as a real server would.
    const recorded = await target.mock.inbox.waitFor({ timeoutMs: 2000 });
    expect(recorded?.userId).toBe(USER);
  });

  it("drops the connection like a network failure, after recording the message", async () => {
    target.mock.faults.add({ kind: "drop" });
    const error = await send(target).then(
      () => undefined,
      (e: unknown) => e as TypeError & { cause?: { code?: string } },
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(error?.cause?.code).toBe("UND_ERR_SOCKET");
    expect(target.mock.inbox.list()).toHaveLength(1);
    expect((await readAnswer(await send(target))).status).toBe(200);
  });

  it("drops the connection before recording when record is false", async () => {
    target.mock.faults.add({ kind: "drop", record: false });
    await expect(send(target)).rejects.toThrow(TypeError);
    expect(target.mock.inbox.list()).toHaveLength(0);
  });

  it("adds the global latency to every send", async () => {
    target.mock.faults.setLatency(120);
    const started = performance.now();
    expect((await readAnswer(await send(target))).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  });

  it("applies faults before credentials are checked", async () => {
    target.mock.faults.add({ kind: "rate_limit" });
    const answer = await readAnswer(await send(target, undefined, { headers: { authorization: "" } }));
    expect(answer.status).toBe(429);
  });

  it("does not spend faults on inspection requests", async () => {
    target.mock.faults.add({ kind: "server_error" });
    expect((await target.call("/__mock/health")).status).toBe(200);
    expect(target.mock.faults.list()).toHaveLength(1);
  });
});

describe("seeded chaos", () => {
  async function run(seed: number, count: number): Promise<number[]> {
    const target = await startTarget("in-process");
    target.mock.faults.chaos({ probability: 0.3, seed, kinds: ["rate_limit", "server_error", "unavailable"] });
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) statuses.push((await readAnswer(await send(target))).status);
    return statuses;
  }

  it("fails about the share asked, with the kinds asked", async () => {
    const statuses = await run(42, 400);
    const failed = statuses.filter((s) => s !== 200);
    expect(failed.length).toBeGreaterThan(80);
    expect(failed.length).toBeLessThan(160);
    expect(new Set(failed)).toEqual(new Set([429, 500, 503]));
  });

  it("gives the same sequence for the same seed, another for another seed", async () => {
    const [a, b, c] = await Promise.all([run(7, 60), run(7, 60), run(8, 60)]);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it("restarts its sequence when set again, and counts its decisions", async () => {
    const target = await startTarget("in-process");
    const settings = { probability: 0.5, seed: 11 };
    target.mock.faults.chaos(settings);
    const first: number[] = [];
    for (let i = 0; i < 20; i++) first.push((await send(target)).status);
    expect(target.mock.faults.chaosState()).toMatchObject({ enabled: true, decisions: 20 });
    expect(target.mock.faults.chaosState().injected).toBe(first.filter((s) => s !== 200).length);
    target.mock.faults.chaos(settings);
    const again: number[] = [];
    for (let i = 0; i < 20; i++) again.push((await send(target)).status);
    expect(again).toEqual(first);
  });

  it("drops and hangs too when asked, recording what it handled", async () => {
    const target = await startTarget("in-process");
    target.mock.faults.chaos({ probability: 1, seed: 5, kinds: ["drop", "hang"], delayMs: 20 });
    const outcomes: string[] = [];
    for (let i = 0; i < 12; i++) {
      outcomes.push(await send(target).then((r) => String(r.status), (e: unknown) => (e as Error).name));
    }
    expect(new Set(outcomes)).toEqual(new Set(["200", "TypeError"]));
    // A drop loses the answer, not the send: every request was recorded.
    expect(target.mock.inbox.stats().received).toBe(12);
  });

  it("lets scripted faults go first, without a chaos draw", async () => {
    const target = await startTarget("in-process");
    target.mock.faults.chaos({ probability: 1, seed: 1, kinds: ["server_error"] });
    target.mock.faults.add({ kind: "rate_limit" });
    expect((await send(target)).status).toBe(429);
    expect((await send(target)).status).toBe(500);
    expect(target.mock.faults.chaosState().decisions).toBe(1);
  });
});

describe("fault settings in-process", () => {
  it("throws FaultSpecError with field problems for a bad spec", () => {
    const mock = createMockJelou({ env: false });
    expect(() => mock.faults.add({ kind: "hang" })).toThrow(FaultSpecError);
    try {
      mock.faults.chaos({ probability: -1, seed: 1 });
    } catch (error) {
      expect((error as FaultSpecError).problems).toContainEqual(expect.objectContaining({ path: "probability", rule: "minimum" }));
    }
    expect(() => mock.faults.setLatency(1.5)).toThrow(FaultSpecError);
    expect(mock.faults.latencyMs).toBe(0);
  });

  it("takes the latency from the options", () => {
    expect(createMockJelou({ env: false, latencyMs: 30 }).faults.latencyMs).toBe(30);
  });

  it("returns copies, so editing a listed fault changes nothing", () => {
    const mock = createMockJelou({ env: false });
    mock.faults.add({ kind: "server_error", times: 3 });
    const [listed] = mock.faults.list();
    if (listed) listed.remaining = 99;
    expect(mock.faults.list()[0]?.remaining).toBe(3);
    expect(mock.faults.take(BOT, USER)).toMatchObject({ kind: "server_error", source: "fault_1" });
  });
});

import { describe, expect, it } from "vitest";
import { sendFlowMessages } from "../../src/bulk/send-flow-messages.js";
import type { FlowMessageSender } from "../../src/bulk/types.js";
import { collect, fakeSender, rows, TEMPLATE } from "./helpers.js";

/** A sender that records when each send started. */
function timedSender() {
  const startedAt: number[] = [];
  const inner = fakeSender();
  const sender: FlowMessageSender = {
    sendFlowMessage: (message, options) => {
      startedAt.push(performance.now());
      return inner.sendFlowMessage(message, options);
    },
  };
  return { startedAt, sender };
}

describe("ratePerSecond", () => {
  it("spaces starts 1000/rate ms apart, from the first, without drift", async () => {
    const { startedAt, sender } = timedSender();
    await collect(sendFlowMessages(sender, rows(10), { template: TEMPLATE, botId: "b", ratePerSecond: 50, concurrency: 8 }));
    const gaps = startedAt.slice(1).map((t, i) => t - startedAt[i]!);
    for (const gap of gaps) expect(gap).toBeGreaterThan(8); // on schedule: a late timer shortens only the gap after it
    const span = startedAt.at(-1)! - startedAt[0]!;
    expect(span).toBeGreaterThanOrEqual(175);
    expect(span).toBeLessThan(260);
  });

  it("never makes up for a stall with a burst: after the reader pauses, starts stay 1000/rate ms apart", async () => {
    const { startedAt, sender } = timedSender();
    let paused = false;
    const run = sendFlowMessages(sender, rows(8), { template: TEMPLATE, botId: "b", ratePerSecond: 20, concurrency: 4 });
    for await (const _result of run) {
      if (paused) continue;
      paused = true;
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
    const gaps = startedAt.slice(1).map((t, i) => t - startedAt[i]!);
    expect(gaps.some((gap) => gap > 300)).toBe(true); // the pause happened between two starts
    for (const gap of gaps) expect(gap).toBeGreaterThan(40);
  });

  it("reports each result when its send ends, not when the next slot opens", async () => {
    const { startedAt, sender } = timedSender();
    const reportedAfter: number[] = [];
    const run = sendFlowMessages(sender, rows(3), { template: TEMPLATE, botId: "b", ratePerSecond: 2, concurrency: 4 });
    for await (const _result of run) reportedAfter.push(performance.now() - startedAt[reportedAfter.length]!);
    // Starts are 500 ms apart; the sender answers at once, so each result comes long before the next start.
    expect(reportedAfter).toHaveLength(3);
    for (const delay of reportedAfter) expect(delay).toBeLessThan(300);
  });

  it("stops a run waiting for its next slot at once when the signal aborts", async () => {
    const stop = new AbortController();
    const { startedAt, sender } = timedSender();
    const began = performance.now();
    setTimeout(() => stop.abort(), 50);
    await collect(sendFlowMessages(sender, rows(10), { template: TEMPLATE, botId: "b", ratePerSecond: 1, signal: stop.signal }));
    expect(startedAt).toHaveLength(1);
    expect(performance.now() - began).toBeLessThan(500);
  });

  it("refuses a rate that is not a positive number", async () => {
    for (const ratePerSecond of [0, -1, Number.NaN]) {
      await expect(collect(sendFlowMessages(fakeSender(), rows(1), { template: TEMPLATE, botId: "b", ratePerSecond }))).rejects.toThrow(RangeError);
    }
  });
});

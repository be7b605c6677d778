import { describe, expect, it } from "vitest";
import { createRateScheduler, parseRate, type SchedulerClock } from "../../src/bulk/rate-scheduler.js";

/** A clock that only moves when told, with timers that fire as it passes them. */
function fakeClock() {
  let now = 0;
  let timers: Array<{ at: number; cb: () => void; id: number }> = [];
  let nextId = 0;
  const clock: SchedulerClock & { advance(ms: number): Promise<void> } = {
    now: () => now,
    setTimeout(cb, ms) {
      const id = nextId++;
      timers.push({ at: now + ms, cb, id });
      return id;
    },
    clearTimeout(id) {
      timers = timers.filter((t) => t.id !== id);
    },
    async advance(ms) {
      await new Promise((r) => setImmediate(r)); // let already-resolved callers record their time first
      const end = now + ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        now = due.at;
        timers = timers.filter((t) => t !== due);
        due.cb();
        await Promise.resolve();
      }
      now = end;
    },
  };
  return clock;
}

describe("createRateScheduler", () => {
  it("spaces starts exactly 1000/rate ms apart from the first", async () => {
    const clock = fakeClock();
    const rate = createRateScheduler(50, clock);
    const startedAt: number[] = [];
    const all = Array.from({ length: 10 }, () => rate.acquire().then(() => startedAt.push(clock.now())));
    await clock.advance(1000);
    await Promise.all(all);
    expect(startedAt).toEqual([0, 20, 40, 60, 80, 100, 120, 140, 160, 180]);
  });

  it("gives a late caller the current time, without a burst of missed slots", async () => {
    const clock = fakeClock();
    const rate = createRateScheduler(10, clock);
    await rate.acquire(); // slot 0
    await clock.advance(1000); // idle for ten slots
    const startedAt: number[] = [];
    const all = [rate.acquire(), rate.acquire(), rate.acquire()].map((p) => p.then(() => startedAt.push(clock.now())));
    await clock.advance(500);
    await Promise.all(all);
    expect(startedAt).toEqual([1000, 1100, 1200]);
  });

  it("rejects a waiting caller when its signal aborts", async () => {
    const clock = fakeClock();
    const rate = createRateScheduler(1, clock);
    await rate.acquire();
    const controller = new AbortController();
    const waiting = rate.acquire(controller.signal);
    controller.abort(new Error("stop"));
    await expect(waiting).rejects.toThrow("stop");
    expect(() => createRateScheduler(0)).toThrow(RangeError);
  });
});

describe("parseRate", () => {
  it("reads per second, per minute and per hour", () => {
    expect(parseRate("20")).toBe(20);
    expect(parseRate("20/s")).toBe(20);
    expect(parseRate("600/min")).toBe(10);
    expect(parseRate("3600/h")).toBe(1);
    expect(() => parseRate("fast")).toThrow(/not a rate/);
    expect(() => parseRate("0/s")).toThrow(RangeError);
  });
});

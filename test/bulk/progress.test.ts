import { describe, expect, it } from "vitest";
import { formatDuration, ProgressTracker, renderProgressBar, renderProgressLine } from "../../src/cli/progress.js";

const result = (status: "sent" | "failed" | "unknown") =>
  status === "sent"
    ? ({ status, row: 1, key: "b:1", httpStatus: 200, attempts: 1 } as const)
    : ({ status, row: 1, key: "b:1", error: { kind: "timeout", message: "t", maybeSent: status === "unknown" } } as const);

describe("progress", () => {
  it("measures the rate from the first send and the ETA from what is left", () => {
    let now = 1000;
    const tracker = new ProgressTracker(100, () => now);
    tracker.started();
    // Paced at 10 a second: the first answers at once, each next one 100 ms later, so 20 sends take 1.9 s.
    const outcomes = [...Array<"sent">(18).fill("sent"), "failed", "unknown"] as const;
    outcomes.forEach((status, i) => {
      if (i > 0) now += 100;
      tracker.add(result(status));
    });
    const snap = tracker.snapshot();
    expect(snap).toMatchObject({ sent: 18, failed: 1, unknown: 1, ratePerSecond: 10, etaSeconds: 8 });
    expect(renderProgressBar(snap, 120)).toBe("[####----------------] 20/100 20%  failed 1  unknown 1  10.0/s  ETA 8s");
    expect(renderProgressLine(snap)).toBe("progress 20/100 (20%) sent 18 failed 1 unknown 1 skipped 0 rate 10.0/s eta 8s");
    expect(renderProgressBar(snap, 30)).toHaveLength(29);
  });

  it("formats durations and an unknown ETA", () => {
    expect(formatDuration(75)).toBe("1m15s");
    expect(formatDuration(7300)).toBe("2h01m");
    expect(formatDuration(undefined)).toBe("--");
    expect(new ProgressTracker(10).snapshot().etaSeconds).toBeUndefined();
  });
});

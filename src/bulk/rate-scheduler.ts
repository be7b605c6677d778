/** Gives out start times spaced evenly at a fixed rate. */
export interface RateScheduler {
  /** Resolves at this caller's slot; rejects with the signal's reason if it is aborted first (the slot is then lost). */
  acquire(signal?: AbortSignal): Promise<void>;
}

/** Clock and timer, replaceable in tests. */
export interface SchedulerClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: SchedulerClock = {
  now: () => performance.now(),
  setTimeout: (cb, ms) => setTimeout(cb, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/**
 * A scheduler that holds a rate exactly: slot n starts at `first + n * (1000 / perSecond)` ms. Slots are computed from
 * that schedule, not from when timers actually fire, so late timers never add up to drift, and a caller who comes late
 * takes the current time rather than a burst of missed slots (no catch-up beyond the rate).
 *
 * @param perSecond starts per second, greater than 0
 * @param clock the clock (tests pass a fake one)
 * @throws {RangeError} when `perSecond` is not a positive finite number
 */
export function createRateScheduler(perSecond: number, clock: SchedulerClock = realClock): RateScheduler {
  if (!(perSecond > 0) || !Number.isFinite(perSecond)) throw new RangeError(`The rate must be a positive number of sends per second, not ${perSecond}.`);
  const interval = 1000 / perSecond;
  let nextSlot = Number.NEGATIVE_INFINITY;
  return {
    acquire(signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      const now = clock.now();
      const slot = Math.max(now, nextSlot);
      nextSlot = slot + interval;
      const wait = slot - now;
      if (wait <= 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          clock.clearTimeout(timer);
          reject(signal!.reason);
        };
        const timer = clock.setTimeout(() => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        }, wait);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    },
  };
}

/**
 * Reads a rate as people write it: `20`, `20/s`, `600/min`, `0.5/s`; the unit is one of s, sec, second, m, min, minute,
 * h, hour.
 *
 * @param text the rate
 * @param options.allowZero read `0` (in any of those units) as 0, "no limit", instead of refusing it
 * @returns sends per second
 * @throws {RangeError} when it is not a positive rate (or 0 with `allowZero`), or its unit is none of the above
 */
export function parseRate(text: string, options: { allowZero?: boolean } = {}): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|second|m|min|minute|h|hour))?\s*$/i.exec(text);
  const per: Record<string, number> = { s: 1, sec: 1, second: 1, m: 60, min: 60, minute: 60, h: 3600, hour: 3600 };
  const value = match ? Number(match[1]) / (per[(match[2] ?? "s").toLowerCase()] ?? 1) : Number.NaN;
  if (value > 0 || (value === 0 && options.allowZero)) return value;
  throw new RangeError(`"${text}" is not a rate; write sends per second such as 20 or 20/s, or 600/min${options.allowZero ? " (0 for no limit)" : ""}.`);
}

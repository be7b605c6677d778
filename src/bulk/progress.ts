import type { BulkResult } from "./types.js";

/** Counts of a bulk run so far, and what they mean for the rate and the time left. */
export interface ProgressSnapshot {
  /** Sends this run plans to make (from the check), or undefined when unknown. */
  total: number | undefined;
  sent: number;
  failed: number;
  unknown: number;
  skipped: number;
  /** Sends finished per second since the first one started; 0 before. */
  ratePerSecond: number;
  /** Seconds left at that rate; undefined when it cannot be told yet. */
  etaSeconds: number | undefined;
}

/** Counts results as they come and tells the rate and the time left. */
export class ProgressTracker {
  sent = 0;
  failed = 0;
  unknown = 0;
  skipped = 0;
  private firstSendAt: number | undefined;

  constructor(
    public total: number | undefined,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** A send started: the rate is measured from the first one. */
  started(): void {
    this.firstSendAt ??= this.clock();
  }

  /** Counts one result. */
  add(result: BulkResult): void {
    if (result.status === "sent") this.sent++;
    else if (result.status === "failed") this.failed++;
    else if (result.status === "unknown") this.unknown++;
    else if (result.status === "skipped") this.skipped++;
  }

  /** Sends finished (sent, failed or unknown). */
  get done(): number {
    return this.sent + this.failed + this.unknown;
  }

  snapshot(): ProgressSnapshot {
    const elapsed = this.firstSendAt === undefined ? 0 : (this.clock() - this.firstSendAt) / 1000;
    const ratePerSecond = elapsed > 0 ? this.done / elapsed : 0;
    const left = this.total === undefined ? undefined : Math.max(0, this.total - this.done);
    const etaSeconds = left === undefined ? undefined : left === 0 ? 0 : ratePerSecond > 0 ? left / ratePerSecond : undefined;
    return { total: this.total, sent: this.sent, failed: this.failed, unknown: this.unknown, skipped: this.skipped, ratePerSecond, etaSeconds };
  }
}

/** `75s` -> `1m15s`; `--` when unknown. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return "--";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

function counts(p: ProgressSnapshot): { done: number; of: string; percent: string } {
  const done = p.sent + p.failed + p.unknown;
  const percent = p.total ? `${Math.floor((done / p.total) * 100)}%` : "";
  return { done, of: p.total === undefined ? `${done}` : `${done}/${p.total}`, percent };
}

/**
 * One line for a terminal: a bar, then done/total, failed, unknown, rate and ETA, cut to `width` columns.
 */
export function renderProgressBar(p: ProgressSnapshot, width: number): string {
  const { done, of, percent } = counts(p);
  const barWidth = 20;
  const filled = p.total ? Math.min(barWidth, Math.floor((done / p.total) * barWidth)) : 0;
  const bar = `[${"#".repeat(filled)}${"-".repeat(barWidth - filled)}]`;
  const line = `${bar} ${of} ${percent}  failed ${p.failed}  unknown ${p.unknown}  ${p.ratePerSecond.toFixed(1)}/s  ETA ${formatDuration(p.etaSeconds)}`;
  return line.length > width ? line.slice(0, Math.max(0, width - 1)) : line;
}

/**
 * One plain line for logs and pipes, with the same facts as the bar.
 */
export function renderProgressLine(p: ProgressSnapshot): string {
  const { of, percent } = counts(p);
  return `progress ${of}${percent && ` (${percent})`} sent ${p.sent} failed ${p.failed} unknown ${p.unknown} skipped ${p.skipped} rate ${p.ratePerSecond.toFixed(1)}/s eta ${formatDuration(p.etaSeconds)}`;
}

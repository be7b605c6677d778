import type { BulkResult } from "../bulk/types.js";
import type { OutputStream } from "./io.js";
import type { TerminalSafeStream } from "./terminal-safe.js";

/** How progress is shown: a redrawn bar (terminal), a line per tenth of the run (logs, cron), or nothing. */
export type ProgressMode = "bar" | "lines" | "none";

/** Counts of a bulk run so far, with the rate since the first send and the seconds left at that rate. */
type ProgressSnapshot = ReturnType<ProgressTracker["snapshot"]>;

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

  started(): void {
    this.firstSendAt ??= this.clock();
  }

  add(result: BulkResult): void {
    const { status } = result;
    if (status === "sent" || status === "failed" || status === "unknown" || status === "skipped") this[status]++;
  }

  get done(): number {
    return this.sent + this.failed + this.unknown;
  }

  snapshot() {
    const elapsed = this.firstSendAt === undefined ? 0 : (this.clock() - this.firstSendAt) / 1000;
    // The first send starts the clock, so `done` sends fill done - 1 intervals: at --rate 10/s, 20 sends take 1.9 s.
    const ratePerSecond = elapsed > 0 && this.done > 1 ? (this.done - 1) / elapsed : 0;
    const left = this.total === undefined ? undefined : Math.max(0, this.total - this.done);
    const etaSeconds = left === undefined ? undefined : left === 0 ? 0 : ratePerSecond > 0 ? left / ratePerSecond : undefined;
    const { total, sent, failed, unknown, skipped } = this;
    return { total, sent, failed, unknown, skipped, ratePerSecond, etaSeconds };
  }
}

/** `75s` -> `1m15s`; `--` when unknown. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return "--";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, "0")}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

function counts(p: ProgressSnapshot) {
  const done = p.sent + p.failed + p.unknown;
  const percent = p.total ? `${Math.floor((done / p.total) * 100)}%` : "";
  return { done, of: p.total === undefined ? `${done}` : `${done}/${p.total}`, percent };
}

/** The terminal's line: a bar, done/total, failed, unknown, rate and ETA, cut to `width` columns. */
export function renderProgressBar(p: ProgressSnapshot, width: number): string {
  const { done, of, percent } = counts(p);
  const filled = p.total ? Math.min(20, Math.floor((done / p.total) * 20)) : 0;
  const rate = `${p.ratePerSecond.toFixed(1)}/s`;
  const bar = `[${"#".repeat(filled)}${"-".repeat(20 - filled)}]`;
  const line = `${bar} ${of} ${percent}  failed ${p.failed}  unknown ${p.unknown}  ${rate}  ETA ${formatDuration(p.etaSeconds)}`;
  return line.length > width ? line.slice(0, Math.max(0, width - 1)) : line;
}

/** The same facts on one plain line, for logs and pipes. */
export function renderProgressLine(p: ProgressSnapshot): string {
  const { of, percent } = counts(p);
  const tally = `sent ${p.sent} failed ${p.failed} unknown ${p.unknown} skipped ${p.skipped}`;
  const rate = `rate ${p.ratePerSecond.toFixed(1)}/s eta ${formatDuration(p.etaSeconds)}`;
  return `progress ${of}${percent && ` (${percent})`} ${tally} ${rate}`;
}

/**
 * Shows a run's progress on stderr (stdout stays clean for `--json`): on a terminal a bar redrawn ten times a second,
 * with notes printed above it; elsewhere a plain line per tenth of the sends, and one at the end.
 */
export class ProgressReporter {
  readonly tracker: ProgressTracker;
  private timer: NodeJS.Timeout | undefined;
  private drawn = false;
  private lastTenth = 0;

  constructor(
    private readonly stream: OutputStream,
    private readonly mode: ProgressMode,
    total: number | undefined,
  ) {
    this.tracker = new ProgressTracker(total);
  }

  start(): void {
    if (this.mode !== "bar") return;
    this.timer = setInterval(() => this.draw(), 100);
    this.timer.unref();
    this.draw();
  }

  add(result: BulkResult): void {
    this.tracker.add(result);
    const { total, done } = this.tracker;
    const tenth = total ? Math.floor((done / total) * 10) : 0;
    if (this.mode === "lines" && tenth > this.lastTenth && done < total!) {
      this.lastTenth = tenth;
      this.stream.write(`${renderProgressLine(this.tracker.snapshot())}\n`);
    }
  }

  /** Prints a line of its own, above the bar when there is one. */
  note(text: string): void {
    const redraw = this.mode === "bar" && this.drawn;
    if (redraw) this.control("\r\x1b[2K");
    this.stream.write(text.endsWith("\n") ? text : `${text}\n`);
    if (redraw) this.draw();
  }

  private draw(): void {
    // A pseudo terminal may report 0 columns (size never set): take the classic 80 then.
    this.control("\r\x1b[2K");
    this.stream.write(renderProgressBar(this.tracker.snapshot(), Math.max(20, (this.stream.columns || 80) - 1)));
    this.drawn = true;
  }

  /** The bar's own redraw sequence, which a terminal-safe stream would otherwise escape and print. */
  private control(sequence: string): void {
    const stream = this.stream as Partial<TerminalSafeStream> & OutputStream;
    if (stream.writeControl) stream.writeControl(sequence);
    else stream.write(sequence);
  }

  /** Stops redrawing and leaves the final state on its own line. */
  finish(): void {
    clearInterval(this.timer);
    if (this.mode === "bar") {
      this.draw();
      this.stream.write("\n");
    } else if (this.mode === "lines") this.stream.write(`${renderProgressLine(this.tracker.snapshot())}\n`);
  }
}

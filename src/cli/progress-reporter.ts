import { ProgressTracker, renderProgressBar, renderProgressLine } from "../bulk/progress.js";
import type { BulkResult } from "../bulk/types.js";
import type { OutputStream } from "./io.js";
import type { TerminalSafeStream } from "./terminal-safe.js";

/** How progress is shown: a redrawn bar (terminal), a line per tenth of the run (logs, cron), or nothing. */
export type ProgressMode = "bar" | "lines" | "none";

/**
 * Shows the progress of a bulk run on `stream` (stderr, so stdout stays clean for `--json`). On a terminal the bar is
 * redrawn in place ten times a second and notes (a failure, a warning) are printed above it; elsewhere a plain line is
 * written each time another tenth of the sends is done, and once at the end.
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
    private readonly redrawMs = 100,
  ) {
    this.tracker = new ProgressTracker(total);
  }

  /** Starts redrawing (bar mode). */
  start(): void {
    if (this.mode !== "bar") return;
    this.timer = setInterval(() => this.draw(), this.redrawMs);
    this.timer.unref();
    this.draw();
  }

  sendStarted(): void {
    this.tracker.started();
  }

  /** Counts a result; in lines mode, writes a line when another tenth is done. */
  add(result: BulkResult): void {
    this.tracker.add(result);
    const total = this.tracker.total;
    if (this.mode === "lines" && total) {
      const tenth = Math.floor((this.tracker.done / total) * 10);
      if (tenth > this.lastTenth && this.tracker.done < total) {
        this.lastTenth = tenth;
        this.stream.write(`${renderProgressLine(this.tracker.snapshot())}\n`);
      }
    }
  }

  /** Prints a line of its own, above the bar when there is one. */
  note(text: string): void {
    if (this.mode === "bar" && this.drawn) this.control("\r\x1b[2K");
    this.stream.write(text.endsWith("\n") ? text : `${text}\n`);
    if (this.mode === "bar" && this.drawn) this.draw();
  }

  private draw(): void {
    // A pseudo terminal may report 0 columns (size never set): take the classic 80 then.
    const width = Math.max(20, (this.stream.columns || 80) - 1);
    this.control("\r\x1b[2K");
    this.stream.write(renderProgressBar(this.tracker.snapshot(), width));
    this.drawn = true;
  }

  /** The bar's own redraw sequence: not escaped by a terminal-safe stream, which would print it. */
  private control(sequence: string): void {
    const stream = this.stream as Partial<TerminalSafeStream> & OutputStream;
    if (stream.writeControl) stream.writeControl(sequence);
    else stream.write(sequence);
  }

  /** Stops redrawing and leaves the final state on its own line. */
  finish(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.mode === "bar") {
      this.draw();
      this.stream.write("\n");
    } else if (this.mode === "lines") {
      this.stream.write(`${renderProgressLine(this.tracker.snapshot())}\n`);
    }
  }
}

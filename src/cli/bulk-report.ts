import type { JournalWriteError } from "../bulk/journal.js";
import type { BulkPlan, BulkResult, PlannedSend } from "../bulk/types.js";
import { maskUserId } from "../index.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { saysMaybeSent } from "./send-command.js";
import { inline } from "./terminal-safe.js";

/** The counts of a bulk run by outcome, and `unknownBefore` for those skipped as unknown. */
export class BulkTally {
  readonly counts = { sent: 0, failed: 0, unknown: 0, skipped: 0, invalid: 0, duplicate: 0, unknownBefore: 0 };

  add(result: BulkResult): void {
    this.counts[result.status]++;
    if (result.status === "skipped" && result.reason === "unknown_before") this.counts.unknownBefore++;
  }
}

/** 0 only when everyone was sent or had been (rows skipped by `--skip-invalid` were not); else the most urgent code. */
export function exitCodeOf(tally: BulkTally, interrupted: boolean): ExitCode {
  const c = tally.counts;
  if (interrupted) return EXIT.interrupted;
  if (c.unknown + c.unknownBefore > 0) return EXIT.bulkUnknown;
  if (c.failed > 0) return EXIT.bulkFailed;
  return c.invalid > 0 ? EXIT.bulkSkippedInvalid : EXIT.ok;
}

/** The label of an unknown outcome: it says "may have been sent" only when the message printed after it does not. */
export function unknownLabel(message: string): string {
  return saysMaybeSent(message) ? "UNKNOWN" : "UNKNOWN, may have been sent";
}

/** The line printed for a result worth a person's attention (one per problem of an invalid row). */
export function describeResult(r: BulkResult): string | undefined {
  const who = r.userId === undefined ? "" : ` (${inline(r.userId)})`;
  if (r.status === "invalid") return r.problems.map((p) => `row ${r.row}${who}: ${inline(p.message)}`).join("\n");
  if (r.status === "duplicate") return `row ${r.row}${who}: duplicate of row ${r.firstRow}; sent once only.`;
  if (r.status === "failed") return `row ${r.row}${who}: failed, not sent (${r.error.kind}): ${inline(r.error.message)}`;
  if (r.status === "unknown") {
    return `row ${r.row}${who}: ${unknownLabel(r.error.message)} (${r.error.kind}): ${inline(r.error.message)}`;
  }
  return undefined;
}

const leftToSend = (plan: BulkPlan | undefined, { counts: c }: BulkTally) => (plan?.toSend ?? 0) - c.sent - c.failed - c.unknown;

/** The closing summary, with what to do next: resume, resend the unknown ones, fix the invalid rows. */
export function summaryText(
  tally: BulkTally,
  context: { plan: BulkPlan | undefined; journal: string; dryRun: boolean; interrupted: boolean },
): string {
  const c = tally.counts;
  const invalid = c.invalid === 1 ? "1 invalid row" : `${c.invalid} invalid rows`;
  if (context.dryRun) {
    const not = c.invalid > 0 ? `; ${invalid} would not` : "";
    return `Dry run: nothing was sent. ${context.plan?.toSend ?? 0} would be sent${not}.\n`;
  }
  const lines = [
    `Sent ${c.sent}, failed ${c.failed}, unknown ${c.unknown}, skipped ${c.skipped} (already handled by an earlier run), ` +
      `duplicates ${c.duplicate}, invalid ${c.invalid}.`,
  ];
  const left = leftToSend(context.plan, tally);
  const resume = "run the same command with --resume";
  if (context.interrupted) {
    lines.push(
      `Stopped before ${left} send${left === 1 ? "" : "s"}. ` +
        "Run the same command with --resume to continue; nobody already sent is sent again.",
    );
  }
  if (c.failed > 0) lines.push(`${c.failed} failed and were not sent: ${resume} to try them again.`);
  const were = c.invalid === 1 ? "was" : "were";
  if (c.invalid > 0) lines.push(`${invalid} (listed above) ${were} not sent: fix them in the list, then ${resume} to send them.`);
  if (c.unknown > 0) {
    lines.push(
      `${c.unknown} may or may not have reached Jelou (no answer, or an error that does not say). ` +
        "They are not sent again automatically: " +
        "check with the recipients or Jelou, then --resume --resend-unknown to send them again.",
    );
  }
  if (c.unknownBefore > 0) {
    const [was, itWas, it] = c.unknownBefore === 1 ? ["was", "it was", "it"] : ["were", "they were", "them"];
    const why = `because an earlier run could not tell whether ${itWas} sent`;
    lines.push(`${c.unknownBefore} ${was} left alone ${why}; --resend-unknown sends ${it} again.`);
  }
  lines.push(`Journal: ${context.journal}`);
  return `${lines.join("\n")}\n`;
}

/** A generous size of the two lines (started, outcome) one send adds to the journal, for the free space to ask for. */
const JOURNAL_BYTES_PER_SEND = 512;

/** Why the run stopped on a journal it could not write, how much space to free, and how to go on safely. */
export function journalWriteText(error: JournalWriteError, plan: BulkPlan | undefined, tally: BulkTally): string {
  const left = Math.max(0, leftToSend(plan, tally));
  const needed = error.unwrittenBytes + left * JOURNAL_BYTES_PER_SEND;
  return (
    `${error.message} Free at least ${Math.ceil(needed / 1024)} KiB on the file system of ${error.path} ` +
    `(${left} sends left, about ${JOURNAL_BYTES_PER_SEND} bytes each), then run again with --resume: ` +
    "recipients whose send started are recorded as started and are not sent again (see --resend-unknown)."
  );
}

/** What a dry run shows of the first message it would send. */
export interface SendSample {
  row: number;
  botId: string;
  userId: string;
  /** The body as it would be sent (the bot and the recipient go in the path). */
  message: Record<string, unknown>;
}

/** The first planned send as a dry run prints it: no credential, and the phone number masked, in the body too. */
export function plannedSendSample(send: PlannedSend): SendSample {
  const { botId: _bot, userId: _user, ...message } = send.message;
  const masked = maskUserId(send.userId);
  // The number however the list wrote it: a leading +, and the separators normalisation removes (+593 98-765-4321).
  const digits = [...send.userId].map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const number = new RegExp(`\\+?\\(?${digits.join("[\\s\\-.()\\u00a0]*")}`, "g");
  const mask = (value: unknown): unknown => {
    if (typeof value === "string") return value.replace(number, masked);
    if (Array.isArray(value)) return value.map(mask);
    if (value === null || typeof value !== "object") return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(number, masked), mask(v)]));
  };
  return { row: send.row, botId: send.botId, userId: masked, message: mask(message) as Record<string, unknown> };
}

export function sampleText(sample: SendSample): string {
  const who = `(bot ${inline(sample.botId)}, to ${inline(sample.userId)})`;
  const heading = `The message for row ${sample.row} ${who}, as it would be sent:`;
  return `${heading}\n${JSON.stringify(sample.message, null, 2)}\n`;
}

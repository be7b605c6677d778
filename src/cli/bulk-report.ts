import type { BulkPlan, BulkResult, PlannedSend } from "../bulk/types.js";
import { maskUserId } from "../index.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { inline } from "./terminal-safe.js";

/**
 * The counts of a bulk run, by outcome.
 */
export class BulkTally {
  readonly counts = { sent: 0, failed: 0, unknown: 0, skipped: 0, invalid: 0, duplicate: 0, unknownBefore: 0 };

  /** @param result one outcome of the run, counted under its status (and `unknownBefore` for those skipped as unknown) */
  add(result: BulkResult): void {
    this.counts[result.status]++;
    if (result.status === "skipped" && result.reason === "unknown_before") this.counts.unknownBefore++;
  }
}

/**
 * The exit code of a bulk run that was not refused. 0 only when everyone was sent or had been: rows skipped by
 * `--skip-invalid` were not, and a script must be able to tell. When several apply, the one needing a person first.
 *
 * @param tally the run's counts
 * @param interrupted whether it was stopped (a signal, a closed output)
 * @returns 130, 14, 13, 15 or 0, in that order of precedence
 */
export function exitCodeOf(tally: BulkTally, interrupted: boolean): ExitCode {
  const c = tally.counts;
  if (interrupted) return EXIT.interrupted;
  if (c.unknown + c.unknownBefore > 0) return EXIT.bulkUnknown;
  if (c.failed > 0) return EXIT.bulkFailed;
  if (c.invalid > 0) return EXIT.bulkSkippedInvalid;
  return EXIT.ok;
}

/**
 * The line printed for a result worth a person's attention; undefined for sends that went well and rows skipped.
 *
 * @param r the result
 * @returns the line (lines, one per problem, for an invalid row), or undefined
 */
export function describeResult(r: BulkResult): string | undefined {
  const who = r.userId === undefined ? "" : ` (${inline(r.userId)})`;
  switch (r.status) {
    case "invalid":
      return r.problems.map((p) => `row ${r.row}${who}: ${inline(p.message)}`).join("\n");
    case "duplicate":
      return `row ${r.row}${who}: duplicate of row ${r.firstRow}; sent once only.`;
    case "failed":
      return `row ${r.row}${who}: failed, not sent (${r.error.kind}): ${inline(r.error.message)}`;
    case "unknown":
      return `row ${r.row}${who}: UNKNOWN, may have been sent (${r.error.kind}): ${inline(r.error.message)}`;
    default:
      return undefined;
  }
}

/**
 * The closing summary, with what to do next: resume, resend the unknown ones, fix the invalid rows.
 *
 * @param tally the run's counts
 * @param context the plan, the journal's path, and whether it was a dry run or was stopped
 * @returns the summary's lines, each ending in a newline
 */
export function summaryText(
  tally: BulkTally,
  context: { plan: BulkPlan | undefined; journal: string; dryRun: boolean; interrupted: boolean },
): string {
  const c = tally.counts;
  const invalid = c.invalid === 1 ? "1 invalid row" : `${c.invalid} invalid rows`;
  if (context.dryRun) return `Dry run: nothing was sent. ${context.plan?.toSend ?? 0} would be sent${c.invalid > 0 ? `; ${invalid} would not` : ""}.\n`;
  const lines = [`Sent ${c.sent}, failed ${c.failed}, unknown ${c.unknown}, skipped ${c.skipped} (already handled by an earlier run), duplicates ${c.duplicate}, invalid ${c.invalid}.`];
  if (context.interrupted) {
    const left = (context.plan?.toSend ?? 0) - c.sent - c.failed - c.unknown;
    lines.push(`Stopped before ${left} send${left === 1 ? "" : "s"}. Run the same command with --resume to continue; nobody already sent is sent again.`);
  }
  if (c.failed > 0) lines.push(`${c.failed} failed and were not sent: run the same command with --resume to try them again.`);
  if (c.invalid > 0) lines.push(`${invalid} (listed above) ${c.invalid === 1 ? "was" : "were"} not sent: fix them in the list, then run the same command with --resume to send them.`);
  if (c.unknown > 0) {
    lines.push(
      `${c.unknown} may or may not have reached Jelou (no answer). They are not sent again automatically: check with the recipients or Jelou, ` +
        `then --resume --resend-unknown to send them again.`,
    );
  }
  if (c.unknownBefore > 0) {
    const one = c.unknownBefore === 1;
    lines.push(
      `${c.unknownBefore} ${one ? "was" : "were"} left alone because an earlier run could not tell whether ${one ? "it was" : "they were"} sent; ` +
        `--resend-unknown sends ${one ? "it" : "them"} again.`,
    );
  }
  lines.push(`Journal: ${context.journal}`);
  return `${lines.join("\n")}\n`;
}

/** What a dry run shows of the first message it would send: the phone number masked, as everywhere the CLI prints one. */
export interface SendSample {
  row: number;
  botId: string;
  userId: string;
  /** The body as it would be sent (the bot and the recipient go in the path, not here). */
  message: Record<string, unknown>;
}

/**
 * The sample of a planned send that a dry run prints: its row, bot, masked recipient and the body that would be sent.
 *
 * @param send the first send the check planned
 * @returns the sample, safe to print: it holds no credential, and the phone number is masked, in the body too
 */
export function plannedSendSample(send: PlannedSend): SendSample {
  const { botId: _bot, userId: _user, ...message } = send.message;
  const masked = maskUserId(send.userId);
  const number = numberAsWritten(send.userId);
  // A template may put {{userId}} (or the user column) in a text, the data or the payload: mask it there too.
  const mask = (value: unknown): unknown =>
    typeof value === "string"
      ? value.replace(number, masked)
      : Array.isArray(value)
        ? value.map(mask)
        : value !== null && typeof value === "object"
          ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(number, masked), mask(v)]))
          : value;
  return { row: send.row, botId: send.botId, userId: masked, message: mask(message) as Record<string, unknown> };
}

/**
 * The phone number `digits` however the list may have written it: the normalised digits, or the cell as typed, with a
 * leading `+` and the separators that normalisation removes (`+593 98-765-4321`, `(593) 98.765.4321`).
 */
function numberAsWritten(digits: string): RegExp {
  const each = [...digits].map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`\\+?\\(?${each.join("[\\s\\-.()\\u00a0]*")}`, "g");
}

/**
 * The sample as people read it.
 *
 * @param sample from {@link plannedSendSample}
 * @returns a heading line and the body as indented JSON
 */
export function sampleText(sample: SendSample): string {
  return `The message for row ${sample.row} (bot ${inline(sample.botId)}, to ${inline(sample.userId)}), as it would be sent:\n${JSON.stringify(sample.message, null, 2)}\n`;
}

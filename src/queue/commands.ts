import { BulkValidationError, compileTemplate, readCsvHeader, readRecipientsCsv, TemplateError } from "../index.js";
import { describeResult, unknownLabel } from "../cli/bulk-report.js";
import { clientFromEnv, secretsFromEnv } from "../cli/client-from-env.js";
import { EXIT, type ExitCode } from "../cli/exit-codes.js";
import { readJsonFile, UsageError, type CliIo } from "../cli/io.js";
import { scrubSecrets } from "../client/redact.js";
import { shownQueueUrl } from "./connection.js";
import { enqueueCampaign } from "./enqueue.js";
import { CampaignError } from "./journal.js";
import { QueueDependencyError } from "./load.js";
import { campaignStatus, resendUnknown, type CampaignStatus } from "./status.js";
import { runCampaignWorker } from "./worker.js";

/** The flags of `jelou-flow bulk LIST --queue URL --campaign NAME`, as commander parses them. */
export interface EnqueueFlags {
  template: string;
  queue: string;
  campaign: string;
  bot?: string;
  type?: string;
  rate?: number;
  json?: boolean;
  delimiter?: string;
  userColumn: string;
  allowTemplateChange?: boolean;
}

/** The flags of `jelou-flow worker`. */
export interface WorkerFlags {
  queue: string;
  concurrency: number;
  exitWhenIdle?: boolean;
  /** `--allow-unsafe-redis`: run on a Redis without AOF synced at every write; a Redis crash may then resend. */
  allowUnsafeRedis?: boolean;
}

/** The flags of `jelou-flow campaign NAME`. */
export interface CampaignFlags {
  queue: string;
  json?: boolean;
  wait?: boolean;
  resendUnknown?: boolean;
  /** How often `--wait` reads the counts, in ms. @default 1000 */
  pollMs?: number;
}

/** The errors every queue command turns into a message and an exit code; anything else is unexpected. */
async function guarded(io: CliIo, queue: string, run: () => Promise<ExitCode>): Promise<ExitCode> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof CampaignError || error instanceof TemplateError) throw new UsageError(error.message);
    if (error instanceof QueueDependencyError) throw new UsageError(error.message);
    const code = (error as NodeJS.ErrnoException).code;
    const message = (error as Error).message ?? "";
    if (code === "ECONNREFUSED" || code === "ENOTFOUND" || /max retries|Connection is closed|ECONNREFUSED/i.test(message)) {
      io.stderr.write(`Cannot reach the queue's Redis at ${shownQueueUrl(queue)} (${message}). Start it, or check --queue.\n`);
      return EXIT.network;
    }
    throw error;
  }
}

/**
 * `jelou-flow bulk LIST --queue URL --campaign NAME`: checks every row as `bulk` does, enqueues one job per recipient
 * and prints the campaign's name on stdout. Nothing is enqueued while a row is invalid (exit 3).
 *
 * @param csvPath the list
 * @param flags the parsed flags
 * @param io the streams and the environment
 * @returns the exit code: 0 enqueued, 2 usage (also: the campaign was enqueued with another template, bot or type,
 *   without --allow-template-change), 3 invalid rows, 10 Redis unreachable
 * @throws {@link UsageError} for a template, list, campaign name or queue address that cannot be used
 * @example
 * ```ts
 * const flags = { template: "survey.json", bot: "8f3c2a7e-bot", queue, campaign: "spring", userColumn: "userId" };
 * await runEnqueue("customers.csv", flags, processIo());
 * ```
 */
export function runEnqueue(csvPath: string, flags: EnqueueFlags, io: CliIo): Promise<ExitCode> {
  return guarded(io, flags.queue, async () => {
    const template = await readJsonFile(flags.template, "--template");
    const columns = compileTemplate(template).columns;
    const delimiter = flags.delimiter === undefined ? {} : { delimiter: flags.delimiter };
    const header = await readCsvHeader(csvPath, delimiter).catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`${csvPath}: ${error.code === "ENOENT" ? "no such file" : error.message}.`);
    });
    const missing = [flags.userColumn, ...columns].filter((c) => !header.columns.includes(c));
    if (missing.length > 0) {
      const names = missing.map((c) => `"${c}"`).join(", ");
      throw new UsageError(`${csvPath} has no column ${names} (its columns: ${header.columns.join(", ")}).`);
    }
    if (flags.bot === undefined && !header.columns.includes("botId")) {
      throw new UsageError("No bot: pass --bot BOT_ID, or add a botId column to the list.");
    }
    try {
      const done = await enqueueCampaign(readRecipientsCsv(csvPath, { delimiter: header.delimiter }), {
        queue: flags.queue,
        campaign: flags.campaign,
        template,
        userColumn: flags.userColumn,
        ...(flags.bot !== undefined && { botId: flags.bot }),
        ...(flags.type !== undefined && { type: flags.type }),
        ...(flags.rate !== undefined && { ratePerSecond: flags.rate }),
        ...(flags.allowTemplateChange && { allowTemplateChange: true }),
        onRow: (r) => io.stderr.write(`${describeResult(r)}\n`),
      });
      const queue = shownQueueUrl(flags.queue);
      io.stderr.write(
        `Checked ${done.rows} rows: ${done.duplicates} duplicate. Campaign ${done.campaign}: ${done.added} queued, ` +
          `${done.alreadyQueued} already queued, ${done.requeued} failed before and queued again, ` +
          `${done.alreadyHandled} already sent, being sent or unknown (left alone).\n` +
          `Workers send it: jelou-flow worker --queue ${queue}; ` +
          `progress: jelou-flow campaign ${done.campaign} --queue ${queue}\n`,
      );
      io.stdout.write(flags.json ? `${JSON.stringify({ type: "enqueued", ...done })}\n` : `${done.campaign}\n`);
      return EXIT.ok;
    } catch (error) {
      if (!(error instanceof BulkValidationError)) throw error;
      const rows = `${error.invalid} row${error.invalid === 1 ? " is" : "s are"}`;
      io.stderr.write(`${rows} invalid (listed above); nothing was enqueued. Fix the list, then enqueue it again.\n`);
      return EXIT.validation;
    }
  });
}

/**
 * `jelou-flow worker --queue URL`: sends the jobs of every campaign of the queue until SIGINT or SIGTERM (the sends in
 * flight finish and are recorded; while Redis is away, or on a second signal, it stops at once and says how many could
 * not be recorded), or until nothing is left with `--exit-when-idle`. Credentials come from
 * JELOU_CLIENT_ID and JELOU_CLIENT_SECRET, the address from JELOU_BASE_URL; none of them is written to Redis.
 *
 * @param flags the parsed flags
 * @param io the streams, the environment and the signals
 * @returns the exit code: 0, 4 when Jelou refused the credentials (the worker stopped; its recipient is pending again),
 *   13 when some of this worker's sends failed, 14 when some outcomes are unknown
 * @throws {@link UsageError} when a credential is missing, the queue address cannot be used, or its Redis would lose writes
 *   in a crash without `--allow-unsafe-redis` (exit 2)
 * @example
 * ```ts
 * await runWorker({ queue: "redis://127.0.0.1:6379/0", concurrency: 8, exitWhenIdle: true }, processIo());
 * ```
 */
export function runWorker(flags: WorkerFlags, io: CliIo): Promise<ExitCode> {
  return guarded(io, flags.queue, async () => {
    const client = clientFromEnv(io);
    const stop = new AbortController();
    const force = new AbortController();
    const unsubscribe = io.onInterrupt(() => {
      if (stop.signal.aborted) {
        io.stderr.write("Stopping now, without waiting for the sends in flight.\n");
        force.abort();
        return;
      }
      io.stderr.write("Stopping: no new sends; waiting for the sends in flight (Ctrl-C again: stop now).\n");
      stop.abort();
    });
    io.stderr.write(
      `Worker on ${shownQueueUrl(flags.queue)}: ${flags.concurrency} sends at once per campaign. ` +
        "Ctrl-C or SIGTERM stops it after the sends in flight.\n",
    );
    try {
      const summary = await runCampaignWorker({
        queue: flags.queue,
        client,
        concurrency: flags.concurrency,
        exitWhenIdle: flags.exitWhenIdle ?? false,
        allowUnsafePersistence: flags.allowUnsafeRedis ?? false,
        signal: stop.signal,
        forceSignal: force.signal,
        secrets: secretsFromEnv(io.env),
        onOutcome: (o) => {
          const who = `${o.campaign} row ${o.row} (${o.key})`;
          if (o.status === "failed") io.stderr.write(`${who}: failed, not sent (${o.detail})\n`);
          if (o.status === "unknown") io.stderr.write(`${who}: ${unknownLabel(o.detail ?? "")} (${o.detail})\n`);
        },
        onWarning: (message) => io.stderr.write(`Warning: ${message}\n`),
      });
      const { sent, failed, unknown, skipped } = summary;
      io.stderr.write(`Sent ${sent}, failed ${failed}, unknown ${unknown}, skipped ${skipped} (already handled).\n`);
      return summary.unknown > 0 ? EXIT.bulkUnknown : summary.failed > 0 ? EXIT.bulkFailed : EXIT.ok;
    } catch (error) {
      if ((error as { kind?: unknown }).kind !== "auth") throw error;
      const why = scrubSecrets((error as Error).message, secretsFromEnv(io.env));
      io.stderr.write(
        `Jelou refused this worker's credentials (${why}): it stopped, and its recipient is back on the queue for ` +
          "another worker. Check JELOU_CLIENT_ID and JELOU_CLIENT_SECRET, then start it again.\n",
      );
      return EXIT.auth;
    } finally {
      unsubscribe();
    }
  });
}

const bar = (done: number, total: number, width = 30) => {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
};

const countsText = ({ counts: c }: CampaignStatus) =>
  `${c.sent + c.failed + c.unknown}/${c.total} done: ` +
  `sent ${c.sent}, failed ${c.failed}, unknown ${c.unknown}, pending ${c.pending}, sending ${c.started}`;

/** Nothing left to send but recipients whose jobs an interrupted enqueue never added: waiting would never end. */
const onlyOrphans = (s: CampaignStatus) => s.orphaned > 0 && s.orphaned === s.counts.pending && s.counts.started === 0;

function report(status: CampaignStatus, queue: string): string {
  const rate = status.ratePerSecond === undefined ? "" : ` (${status.ratePerSecond}/s)`;
  const state = status.done ? "." : onlyOrphans(status) ? "; nothing is being sent." : "; still sending.";
  const lines = [`Campaign ${status.campaign}${rate}: ${countsText(status)}${state}`];
  for (const r of status.failed) lines.push(`  row ${r.row ?? "?"} (${r.key}): failed, not sent (${r.kind}): ${r.message}`);
  for (const r of status.unknown) {
    lines.push(`  row ${r.row ?? "?"} (${r.key}): ${unknownLabel(r.message ?? "")}${r.kind ? ` (${r.kind}): ${r.message}` : ""}`);
  }
  if (status.counts.failed > 0) lines.push("Failed sends never reached Jelou: enqueue the same list again to retry them.");
  if (status.orphaned > 0) {
    const who = `${status.orphaned} pending recipient${status.orphaned === 1 ? " has" : "s have"} no job`;
    lines.push(`${who} (an enqueue stopped mid-way), so no worker sends them: enqueue the same list again.`);
  }
  if (status.counts.unknown > 0) {
    const again = `jelou-flow campaign ${status.campaign} --queue ${shownQueueUrl(queue)} --resend-unknown`;
    lines.push(`Unknown sends may have reached Jelou: check, then ${again}`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * `jelou-flow campaign NAME --queue URL`: prints the campaign's counts (pending, sending, sent, failed, unknown) and
 * its failed and unknown recipients. `--wait` follows it until nothing is pending nor being sent (or only recipients an
 * interrupted enqueue left without a job are pending: enqueue the list again), with a bar on a
 * terminal and a plain line per change in a log; `--resend-unknown` first queues the unknown recipients again.
 *
 * @param name the campaign
 * @param flags the parsed flags
 * @param io the streams
 * @returns the exit code: 0, 13 when some sends failed or (`--wait`) only recipients without a job are left, 14 when
 *   some outcomes are unknown (the last applies first)
 * @throws {@link UsageError} when the campaign does not exist, or its name or the queue address cannot be used
 * @example
 * ```ts
 * await runCampaign("spring", { queue: "redis://127.0.0.1:6379/0", wait: true }, processIo());
 * ```
 */
export function runCampaign(name: string, flags: CampaignFlags, io: CliIo): Promise<ExitCode> {
  return guarded(io, flags.queue, async () => {
    const options = { queue: flags.queue, campaign: name };
    if (flags.resendUnknown) {
      const again = await resendUnknown(options);
      io.stderr.write(`Queued again ${again} unknown recipient${again === 1 ? "" : "s"} of ${name}: a worker sends them.\n`);
    }
    let status = await campaignStatus(options);
    let last = "";
    while (flags.wait && !status.done && !onlyOrphans(status)) {
      const text = countsText(status);
      const { total, pending, started } = status.counts;
      if (io.stderr.isTTY) io.stderr.write(`\r${bar(total - pending - started, total)} ${text}\x1b[K`);
      else if (text !== last) io.stderr.write(`${text}\n`);
      last = text;
      await new Promise((r) => setTimeout(r, flags.pollMs ?? 1_000));
      status = await campaignStatus(options);
    }
    if (flags.wait && io.stderr.isTTY && last !== "") io.stderr.write("\n");
    io.stdout.write(flags.json ? `${JSON.stringify({ type: "campaign", ...status })}\n` : report(status, flags.queue));
    if (status.counts.unknown > 0) return EXIT.bulkUnknown;
    return status.counts.failed > 0 || (flags.wait && onlyOrphans(status)) ? EXIT.bulkFailed : EXIT.ok;
  });
}

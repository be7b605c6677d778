import { fstat } from "node:fs";
import { stat } from "node:fs/promises";
import { promisify } from "node:util";
import { readCsvHeader, readRecipientsCsv } from "../bulk/csv-recipients.js";
import { JournalFileError, JournalInUseError, JournalMismatchError, JournalWriteError } from "../bulk/journal.js";
import { BulkValidationError, sendFlowMessages } from "../bulk/send-flow-messages.js";
import { compileTemplate, TemplateError } from "../bulk/template.js";
import type { BulkPlan, FlowMessageSender } from "../bulk/types.js";
import { BulkTally, describeResult, exitCodeOf, journalWriteText } from "./bulk-report.js";
import { plannedSendSample, sampleText, summaryText } from "./bulk-report.js";
import { baseUrlFromEnv, clientFromEnv, secretsFromEnv } from "./client-from-env.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { readJsonFile, UsageError, type CliIo, type OutputStream } from "./io.js";
import { ProgressReporter, type ProgressMode } from "./progress.js";
import { inline } from "./terminal-safe.js";

/** The flags of `jelou-flow bulk`, as commander parses them. */
export interface BulkFlags {
  template: string;
  bot?: string;
  type?: string;
  journal?: string;
  resume?: boolean;
  resendUnknown?: boolean;
  allowTemplateChange?: boolean;
  skipInvalid?: boolean;
  concurrency: number;
  rate?: number;
  dryRun?: boolean;
  json?: boolean;
  progress: "auto" | ProgressMode;
  delimiter?: string;
  userColumn: string;
  timeout?: number;
  queue?: string;
  campaign?: string;
}

/** `--queue`: the list goes to a Redis queue (a worker sends it), where no journal is kept and a row is never skipped. */
async function enqueue(csvPath: string, flags: BulkFlags, io: CliIo): Promise<ExitCode | undefined> {
  if (flags.queue === undefined) {
    if (flags.campaign !== undefined) throw new UsageError("--campaign names a queued campaign: give --queue REDIS_URL too.");
    return undefined;
  }
  if (flags.campaign === undefined) throw new UsageError("--queue needs --campaign NAME: the campaign of the list's jobs.");
  const journalFlags = ["journal", "resume", "resendUnknown", "skipInvalid"] as const;
  const journalOnly = journalFlags.filter((f) => flags[f]);
  if (journalOnly.length > 0) {
    const named = journalOnly.map((f) => `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(", ");
    throw new UsageError(
      `${named} cannot be used with --queue: a queued campaign keeps its record in Redis, sends each recipient once ` +
        "(enqueue the same list again to retry the failed ones; see jelou-flow campaign --resend-unknown), " +
        "and sends no invalid row.",
    );
  }
  if (flags.dryRun) return undefined;
  const { runEnqueue } = await import("../queue/commands.js");
  return runEnqueue(csvPath, { ...flags, queue: flags.queue, campaign: flags.campaign }, io);
}

const shown = (d: string) => (d === "\t" ? "tab ('\\t')" : `"${d}"`);

/** Checks the header against the template before the rows, so a misspelt column is one error, not one per row. */
export async function checkColumns(
  csvPath: string,
  flags: Pick<BulkFlags, "delimiter" | "userColumn" | "bot">,
  templateColumns: readonly string[],
): Promise<string> {
  const given = flags.delimiter === undefined ? {} : { delimiter: flags.delimiter };
  const { columns, delimiter } = await readCsvHeader(csvPath, given).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`${csvPath}: ${error.code === "ENOENT" ? "no such file" : error.message}.`);
  });
  const missing = [flags.userColumn, ...templateColumns].filter((c) => !columns.includes(c));
  if (missing.length > 0) {
    // A header read as one column holding another separator was cut on the wrong one: say which to pass.
    const other = [",", ";", "\t", "|"].find((d) => columns.length === 1 && d !== delimiter && columns[0]!.includes(d));
    const hint =
      other === undefined
        ? ""
        : ` The header was read as one column with the separator ${shown(delimiter)}; it looks separated by ${shown(other)}: ` +
          `pass --delimiter ${other === "\t" ? "'\\t'" : `'${other}'`}.`;
    const phone = missing.includes(flags.userColumn) ? ", or name the phone column with --user-column" : "";
    throw new UsageError(
      `${csvPath} has no column ${missing.map((c) => `"${c}"`).join(", ")} (its columns: ${columns.join(", ") || "none"}). ` +
        `Add ${missing.length === 1 ? "it" : "them"} to the header line${phone}.${hint}`,
    );
  }
  if (flags.bot === undefined && !columns.includes("botId")) {
    throw new UsageError("No bot: pass --bot BOT_ID, or add a botId column to the list.");
  }
  return delimiter;
}

const identity = (info: Promise<{ dev: number; ino: number }>) => info.then(({ dev, ino }) => `${dev}:${ino}`, () => undefined);

/**
 * Refuses a journal that is, by any name, a file the command reads (appending would corrupt it) or the file stdout or
 * stderr goes to (written at its own offset, the output would overwrite started lines, and a resume send them again).
 */
async function refuseJournalOnInput(journal: string, csvPath: string, template: string, io: CliIo): Promise<void> {
  const journalId = await identity(stat(journal));
  if (journalId === undefined) return; // not made yet: it cannot be a file that is read
  const output = " (redirected to it): the output would overwrite the journal's lines. Redirect the output elsewhere, or";
  const input = ": the journal is appended to, which would corrupt it. Leave --journal out to use <list>.journal.jsonl, or";
  const ofFd = (fd: number | undefined) => (fd === undefined ? undefined : identity(promisify(fstat)(fd)));
  const files = [
    ["the standard output", ofFd(io.stdout.fd), output],
    ["the standard error", ofFd(io.stderr.fd), output],
    [`the list ${csvPath}`, identity(stat(csvPath)), input],
    [`--template ${template}`, identity(stat(template)), input],
  ] as const;
  for (const [name, id, why] of files) {
    const fix = "choose another journal file (--journal FILE).";
    if ((await id) === journalId) throw new UsageError(`--journal ${journal} is the same file as ${name}${why} ${fix}`);
  }
}

/** The list is read twice (its header, then its rows), which a pipe cannot be; a named pipe nobody feeds would hang. */
async function refuseUnseekableList(csvPath: string): Promise<void> {
  const info = await stat(csvPath).catch(() => undefined); // a missing list is reported where it is read
  if (info === undefined || info.isFile()) return;
  throw new UsageError(
    `${csvPath} is not a regular file${info.isDirectory() ? " but a folder" : " (a pipe, or a terminal)"}: ` +
      "the list is read twice, its header and then its rows, so save the list to a file first " +
      "(for example: cat list.csv > list-copy.csv) and pass that file.",
  );
}

/** `jelou-flow bulk`: one flow message per row of a CSV file, exactly once each. Returns the exit code. */
export async function runBulk(csvPath: string, flags: BulkFlags, io: CliIo): Promise<ExitCode> {
  const queued = await enqueue(csvPath, flags, io);
  if (queued !== undefined) return queued;
  // File names are printed inside lines: a line break in one must not start a line of its choosing. Longest first,
  // since the default journal's name holds the list's.
  const paths = [csvPath, flags.journal ?? `${csvPath}.journal.jsonl`, flags.template].filter((p) => p.includes("\n"));
  paths.sort((a, b) => b.length - a.length);
  if (paths.length === 0) return bulk(csvPath, flags, io);
  const onOneLine = (text: string) => paths.reduce((t, p) => t.replaceAll(p, inline(p)), text);
  const oneLine = (stream: OutputStream): OutputStream => ({ ...stream, write: (text) => stream.write(onOneLine(text)) });
  try {
    return await bulk(csvPath, flags, { ...io, stdout: oneLine(io.stdout), stderr: oneLine(io.stderr) });
  } catch (error) {
    throw error instanceof UsageError ? new UsageError(onOneLine(error.message)) : error;
  }
}

async function bulk(csvPath: string, flags: BulkFlags, io: CliIo): Promise<ExitCode> {
  const journal = flags.journal ?? `${csvPath}.journal.jsonl`;
  await refuseJournalOnInput(journal, csvPath, flags.template, io);
  await refuseUnseekableList(csvPath);
  const rawTemplate = await readJsonFile(flags.template, "--template");
  let templateColumns: readonly string[];
  try {
    templateColumns = compileTemplate(rawTemplate).columns;
  } catch (error) {
    throw error instanceof TemplateError ? new UsageError(`--template ${flags.template}: ${error.message}`) : error;
  }
  const delimiter = await checkColumns(csvPath, flags, templateColumns);
  // A dry run needs no credentials, but the address the real run will use is checked all the same.
  if (flags.dryRun) baseUrlFromEnv(io.env);
  const client: FlowMessageSender = flags.dryRun
    ? { sendFlowMessage: () => Promise.reject(new Error("A dry run sends nothing.")) }
    : clientFromEnv(io, flags.timeout === undefined ? {} : { timeoutMs: flags.timeout });

  const stop = new AbortController();
  const abortInFlight = new AbortController();
  const mode: ProgressMode = flags.progress === "auto" ? (io.stderr.isTTY ? "bar" : "lines") : flags.progress;
  let reporter: ProgressReporter | undefined;
  const say = (text: string) => (reporter ? reporter.note(text) : io.stderr.write(`${text}\n`));
  let signals = 0;
  const unsubscribe = io.onInterrupt((cause) => {
    // Only a person's second signal aborts the sends in flight: a closed pipe never does, nor counts as a first Ctrl-C.
    if (cause !== "output-closed" && ++signals > 1) return abortInFlight.abort(new Error("Interrupted twice"));
    if (stop.signal.aborted) return;
    stop.abort();
    say(
      cause === "output-closed"
        ? "Stopping: the output was closed (its reader, such as | head, went away); no new sends; " +
            "waiting for the sends in flight."
        : "Stopping: no new sends; waiting for the sends in flight. " +
            "Press Ctrl-C again to abort them (they are then recorded as unknown).",
    );
  });
  const emit = (record: unknown) => flags.json && io.stdout.write(`${JSON.stringify(record)}\n`);
  const tally = new BulkTally();
  const stopWith = (code: ExitCode, message: string) => {
    io.stderr.write(`${message}\n`);
    emit({ type: "summary", ...tally.counts, exitCode: code });
    return code;
  };
  let plan: BulkPlan | undefined;
  try {
    const results = sendFlowMessages(client, readRecipientsCsv(csvPath, { delimiter }), {
      template: rawTemplate,
      journal,
      secrets: secretsFromEnv(io.env),
      concurrency: flags.concurrency,
      userColumn: flags.userColumn,
      signal: stop.signal,
      abortInFlight: abortInFlight.signal,
      ...(flags.bot !== undefined && { botId: flags.bot }),
      ...(flags.type !== undefined && { type: flags.type }),
      ...(flags.rate !== undefined && flags.rate > 0 && { ratePerSecond: flags.rate }),
      ...(flags.resume && { resume: true }),
      ...(flags.resendUnknown && { resendUnknown: true }),
      ...(flags.allowTemplateChange && { allowTemplateChange: true }),
      ...(flags.skipInvalid && { skipInvalid: true }),
      ...(flags.dryRun && { dryRun: true }),
      onPlan(p, firstToSend) {
        plan = p;
        emit({ type: "plan", ...p });
        io.stderr.write(
          `Checked ${p.rows} ${p.rows === 1 ? "row" : "rows"}: ${p.invalid} invalid, ${p.duplicates} duplicate, ` +
            `${p.alreadySent} already sent, ` +
            `${p.unknownBefore} unknown from an earlier run; ${p.toSend} to send.\n`,
        );
        if (p.invalid > 0 && !flags.skipInvalid) return;
        if (flags.dryRun && firstToSend) {
          const sample = plannedSendSample(firstToSend);
          emit({ type: "sample", ...sample });
          io.stderr.write(sampleText(sample));
        }
        if (flags.dryRun || p.toSend === 0) return;
        io.stderr.write(`Journal: ${journal}\n`);
        reporter = new ProgressReporter(io.stderr, mode, p.toSend);
        reporter.start();
      },
      onSendStart: () => reporter?.tracker.started(),
      onWarning: (message) => say(`Warning: ${message}`),
    });
    for await (const result of results) {
      tally.add(result);
      emit({ type: "result", ...result });
      reporter?.add(result);
      const line = describeResult(result);
      if (line) say(line);
    }
  } catch (error) {
    reporter?.finish();
    if (error instanceof JournalWriteError) return stopWith(EXIT.journalWrite, journalWriteText(error, plan, tally));
    // A disk full before the first send (the lock, the run's first line) is the same stop as one in the middle of it.
    const full = error instanceof JournalFileError && (error.code === "ENOSPC" || error.code === "EDQUOT");
    if (full) return stopWith(EXIT.journalWrite, error.message);
    if (error instanceof BulkValidationError) return stopWith(EXIT.validation, error.message);
    const refusals = [JournalInUseError, JournalMismatchError, JournalFileError, TemplateError];
    if (refusals.some((refusal) => error instanceof refusal)) throw new UsageError((error as Error).message);
    if ((error as { code?: string }).code?.startsWith("CSV_")) throw new UsageError(`${csvPath}: ${(error as Error).message}`);
    throw error;
  } finally {
    unsubscribe();
  }
  reporter?.finish();
  const code = exitCodeOf(tally, stop.signal.aborted);
  io.stderr.write(summaryText(tally, { plan, journal, dryRun: flags.dryRun ?? false, interrupted: stop.signal.aborted }));
  emit({ type: "summary", ...tally.counts, exitCode: code });
  return code;
}

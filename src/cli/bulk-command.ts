import { fstat } from "node:fs";
import { stat } from "node:fs/promises";
import { promisify } from "node:util";
import { BulkValidationError, sendFlowMessages } from "../bulk/send-flow-messages.js";
import { JournalFileError, JournalInUseError, JournalMismatchError, JournalWriteError } from "../bulk/journal.js";
import { readCsvHeader, readRecipientsCsv } from "../bulk/csv-recipients.js";
import { compileTemplate, TemplateError } from "../bulk/template.js";
import type { BulkPlan, BulkResult, FlowMessageSender } from "../bulk/types.js";
import { baseUrlFromEnv, clientFromEnv, secretsFromEnv } from "./client-from-env.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { UsageError, type CliIo, type OutputStream } from "./io.js";
import { inline } from "./terminal-safe.js";
import { ProgressReporter, type ProgressMode } from "./progress-reporter.js";
import { readJsonFile } from "./read-json-file.js";
import { BulkTally, describeResult, exitCodeOf, plannedSendSample, sampleText, summaryText } from "./bulk-report.js";

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
}

const shown = (delimiter: string) => (delimiter === "\t" ? "tab ('\\t')" : `"${delimiter}"`);

/**
 * When the header came out as one column holding another separator, the list was cut on the wrong one: say which was
 * used and which to pass, since "no column userId" alone hides that the whole line is one name.
 */
function unsplitHeaderHint(columns: readonly string[], delimiter: string): string {
  const other = columns.length === 1 ? [",", ";", "\t", "|"].find((d) => d !== delimiter && columns[0]!.includes(d)) : undefined;
  if (other === undefined) return "";
  return ` The header was read as one column with the separator ${shown(delimiter)}; it looks separated by ${shown(other)}: pass --delimiter ${other === "\t" ? "'\\t'" : `'${other}'`}.`;
}

/** Checks the header against the template before reading the rows, so a misspelt column is one error, not one per row. */
async function checkColumns(csvPath: string, flags: BulkFlags, templateColumns: readonly string[]): Promise<string> {
  let header;
  try {
    header = await readCsvHeader(csvPath, flags.delimiter === undefined ? {} : { delimiter: flags.delimiter });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`${csvPath}: ${code === "ENOENT" ? "no such file" : (error as Error).message}.`);
  }
  const { columns, delimiter } = header;
  const missing = [flags.userColumn, ...templateColumns].filter((c) => !columns.includes(c));
  if (missing.length > 0) {
    throw new UsageError(
      `${csvPath} has no column ${missing.map((c) => `"${c}"`).join(", ")} (its columns: ${columns.join(", ") || "none"}). ` +
        `Add ${missing.length === 1 ? "it" : "them"} to the header line${missing.includes(flags.userColumn) ? `, or name the phone column with --user-column` : ""}.` +
        unsplitHeaderHint(columns, delimiter),
    );
  }
  if (flags.bot === undefined && !columns.includes("botId")) throw new UsageError("No bot: pass --bot BOT_ID, or add a botId column to the list.");
  return delimiter;
}

/** A generous size of the two lines (started, outcome) one send adds to the journal, for the free space to ask for. */
const JOURNAL_BYTES_PER_SEND = 512;

/** Why the run stopped on a journal it could not write, how much space to free, and how to go on safely. */
function journalWriteText(error: JournalWriteError, plan: BulkPlan | undefined, tally: BulkTally): string {
  const c = tally.counts;
  const left = Math.max(0, (plan?.toSend ?? 0) - c.sent - c.failed - c.unknown);
  const needed = error.unwrittenBytes + left * JOURNAL_BYTES_PER_SEND;
  return (
    `${error.message} Free at least ${Math.ceil(needed / 1024)} KiB on the file system of ${error.path} ` +
    `(${left} sends left, about ${JOURNAL_BYTES_PER_SEND} bytes each), then run again with --resume: ` +
    "recipients whose send started are recorded as started and are not sent again (see --resend-unknown)."
  );
}

/** The device and inode of a path (symbolic links followed), or undefined when it does not exist or cannot be read. */
const identityOf = (path: string) =>
  stat(path).then(
    ({ dev, ino }) => `${dev}:${ino}`,
    () => undefined,
  );

/** The device and inode of an open file descriptor, or undefined when there is none (an in-process stream). */
const identityOfFd = (fd: number | undefined) =>
  fd === undefined
    ? Promise.resolve(undefined)
    : promisify(fstat)(fd).then(
        ({ dev, ino }) => `${dev}:${ino}`,
        () => undefined,
      );

/**
 * Refuses a journal that is one of the files the command reads, by any name (a symbolic or hard link): appending to
 * it would corrupt the list or the template. Also the file stdout or stderr goes to (`> journal`, `2> journal`,
 * `--journal /dev/stdout`): written at its own offset, the output would overwrite the started lines, and a resume
 * would send those recipients again. Done before anything is read or written.
 */
async function refuseJournalOnInput(journal: string, inputs: ReadonlyArray<{ flag: string; path: string }>, io: CliIo): Promise<void> {
  const journalId = await identityOf(journal);
  if (journalId === undefined) return; // not made yet: it cannot be a file that is read
  const outputs = [
    { flag: "the standard output", id: await identityOfFd(io.stdout.fd) },
    { flag: "the standard error", id: await identityOfFd(io.stderr.fd) },
  ];
  for (const { flag, id } of outputs) {
    if (id === journalId) {
      throw new UsageError(
        `--journal ${journal} is the same file as ${flag} (redirected to it): the output would overwrite the journal's lines. ` +
          "Redirect the output elsewhere, or choose another journal file (--journal FILE).",
      );
    }
  }
  for (const { flag, path } of inputs) {
    if ((await identityOf(path)) === journalId) {
      throw new UsageError(
        `--journal ${journal} is the same file as ${flag} ${path}: the journal is appended to, which would corrupt it. ` +
          "Choose another journal file (--journal FILE), or leave --journal out to use <list>.journal.jsonl.",
      );
    }
  }
}

/**
 * Refuses a list that is not a regular file (a pipe, /dev/stdin fed by `cat list |`): it is read twice (its header,
 * then its rows), which a pipe cannot be; opening a named pipe nobody writes to would also wait for ever.
 */
async function refuseUnseekableList(csvPath: string): Promise<void> {
  const info = await stat(csvPath).catch(() => undefined); // a missing list is reported where it is read
  if (info === undefined || info.isFile()) return;
  throw new UsageError(
    `${csvPath} is not a regular file${info.isDirectory() ? " but a folder" : " (a pipe, or a terminal)"}: the list is read twice, its header ` +
      "and then its rows, so save the list to a file first (for example: cat list.csv > list-copy.csv) and pass that file.",
  );
}

/** `jelou-flow bulk`: one flow message per row of a CSV file, exactly once each. Returns the exit code. */
export async function runBulk(csvPath: string, flags: BulkFlags, io: CliIo): Promise<ExitCode> {
  // The files' names are printed inside lines (errors, the summary, also the library's): a line break in one must not
  // start a line of its choosing. Longest first: the default journal's name holds the list's.
  const paths = [csvPath, flags.journal ?? `${csvPath}.journal.jsonl`, flags.template].filter((p) => p.includes("\n")).sort((a, b) => b.length - a.length);
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
  await refuseJournalOnInput(journal, [
    { flag: "the list", path: csvPath },
    { flag: "--template", path: flags.template },
  ], io);
  await refuseUnseekableList(csvPath);
  const rawTemplate = await readJsonFile(flags.template, "--template");
  let templateColumns: readonly string[];
  try {
    templateColumns = compileTemplate(rawTemplate).columns;
  } catch (error) {
    if (error instanceof TemplateError) throw new UsageError(`--template ${flags.template}: ${error.message}`);
    throw error;
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
        ? "Stopping: the output was closed (its reader, such as | head, went away); no new sends; waiting for the sends in flight."
        : "Stopping: no new sends; waiting for the sends in flight. Press Ctrl-C again to abort them (they are then recorded as unknown).",
    );
  });
  const emit = (record: unknown) => flags.json && io.stdout.write(`${JSON.stringify(record)}\n`);
  const tally = new BulkTally();
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
          `Checked ${p.rows} rows: ${p.invalid} invalid, ${p.duplicates} duplicate, ${p.alreadySent} already sent, ` +
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
      onSendStart: () => reporter?.sendStarted(),
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
    if (error instanceof JournalWriteError) {
      io.stderr.write(`${journalWriteText(error, plan, tally)}\n`);
      emit({ type: "summary", ...tally.counts, exitCode: EXIT.journalWrite });
      return EXIT.journalWrite;
    }
    // A disk full before the first send (the lock, the run's first line) is the same stop as one in the middle of it.
    if (error instanceof JournalFileError && (error.code === "ENOSPC" || error.code === "EDQUOT")) {
      io.stderr.write(`${error.message}\n`);
      emit({ type: "summary", ...tally.counts, exitCode: EXIT.journalWrite });
      return EXIT.journalWrite;
    }
    if (error instanceof BulkValidationError) {
      io.stderr.write(`${error.message}\n`);
      emit({ type: "summary", ...tally.counts, exitCode: EXIT.validation });
      return EXIT.validation;
    }
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

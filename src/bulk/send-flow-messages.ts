import { AsyncChannel } from "./async-channel.js";
import { summarizeError } from "./error-summary.js";
import { Journal, JournalFileError, type JournalEntry, type JournalState } from "./journal.js";
import { openJournalSession } from "./journal-session.js";
import { checkAll } from "./check-rows.js";
import { prepareRow, type RowSettings } from "./prepare-row.js";
import { createRateScheduler, type RateScheduler } from "./rate-scheduler.js";
import { isReplayable, openRows } from "./recipient-source.js";
import { rowNumberOf } from "./row-number.js";
import { runFingerprint } from "./run-fingerprint.js";
import { compileTemplate } from "./template.js";
import type { BulkPlan, BulkResult, FlowMessageSender, RecipientRow, RecipientSource, SendFlowMessagesOptions } from "./types.js";

/**
 * Some rows are invalid and `skipInvalid` was not set: nothing was sent. Every invalid row was yielded before this.
 *
 * @example
 * ```ts
 * try {
 *   for await (const r of sendFlowMessages(client, rows, { template })) if (r.status === "invalid") console.log(r.row, r.problems);
 * } catch (error) {
 *   if (error instanceof BulkValidationError) console.log(`${error.invalid} rows to fix; nothing was sent`);
 * }
 * ```
 */
export class BulkValidationError extends Error {
  override name = "BulkValidationError";
  constructor(readonly invalid: number) {
    super(`${invalid} row${invalid === 1 ? " is" : "s are"} invalid; nothing was sent. Fix ${invalid === 1 ? "it" : "them"}, or skip ${invalid === 1 ? "it" : "them"} with skipInvalid (--skip-invalid).`);
  }
}

const now = () => new Date().toISOString();

/** The journal line recording a send's outcome. */
function outcomeEntry(result: Extract<BulkResult, { status: "sent" | "failed" | "unknown" }>): JournalEntry {
  const { row, key } = result;
  if (result.status === "sent") {
    const ids = { ...(result.messageId && { messageId: result.messageId }), ...(result.requestId && { requestId: result.requestId }) };
    return { type: "sent", at: now(), key, row, status: result.httpStatus, attempts: result.attempts, ...ids };
  }
  const { maybeSent: _m, ...fields } = result.error;
  return { type: result.status, at: now(), key, row, ...fields };
}

/**
 * Sends a flow message to every recipient of a list, at most once each, and yields each outcome as soon as it is known.
 *
 * First every row is filled from the template and checked against the contract, without sending: invalid rows and
 * duplicates are yielded then, and if any row is invalid the iteration throws {@link BulkValidationError} (unless
 * `skipInvalid`). Then the list is read again and sent with `concurrency` sends in flight and at most `ratePerSecond`
 * starts per second. With a `journal`, a "started" line is flushed to disk before each send and its outcome after it,
 * so a rerun with `resume` skips everyone already sent, and never sends again, without `resendUnknown`, a recipient
 * whose send may have reached Jelou (a `JelouError` with `maybeSent`, or a crash mid-send).
 *
 * @param client what sends one message: the client from `createJelouClient()`
 * @param recipients an array, or a function reopening the list (such as `readRecipientsCsv(path)`), read twice
 * @param options the template and how to send; see {@link SendFlowMessagesOptions}
 * @returns an async iterable of {@link BulkResult}; breaking out of the loop stops taking rows and lets sends in flight finish
 * @throws {BulkValidationError} after yielding the invalid rows, when some are invalid and `skipInvalid` is not set
 * @throws {JournalInUseError} when another run holds the journal's lock (`<journal>.lock`), or the journal has entries and
 *   `resume` is not set
 * @throws {JournalFileError} when the journal (or its lock) cannot be read or written: a missing folder, a folder, no
 *   permission; raised before the check, so nothing is sent
 * @throws {JournalMismatchError} when resuming a journal whose run sent another template, bot or type, without
 *   `allowTemplateChange`
 * @throws {JournalWriteError} when a journal line cannot be written or synced (a full disk): the run stops taking rows
 *   at once, no send starts without its "started" line on disk, and the sends in flight are journaled as far as the disk allows
 * @throws {TemplateError} when the template cannot be used for any row
 * @throws whatever `onSendStart` throws: the run stops; that recipient, not sent, is journaled as failed
 * @example
 * ```ts
 * const client = createJelouClient();
 * for await (const r of sendFlowMessages(client, readRecipientsCsv("list.csv"), {
 *   template: JSON.parse(await readFile("message.json", "utf8")), botId: "bot-1",
 *   ratePerSecond: 10, journal: "list.journal.jsonl", resume: true,
 * })) console.log(r.row, r.status);
 * ```
 */
export async function* sendFlowMessages(
  client: FlowMessageSender,
  recipients: RecipientSource,
  options: SendFlowMessagesOptions,
): AsyncGenerator<BulkResult, BulkPlan | undefined> {
  const checkFirst = options.checkFirst ?? true;
  if (checkFirst && !isReplayable(recipients)) {
    throw new TypeError("The recipients can be read only once; pass an array or a function returning the rows, so they can be checked before any send (or set checkFirst: false).");
  }
  if (!checkFirst && options.dryRun) throw new TypeError("dryRun needs checkFirst: the check is all a dry run does.");
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const settings: RowSettings = {
    template: compileTemplate(options.template),
    userColumn: options.userColumn ?? "userId",
    ...(options.botId !== undefined && { botId: options.botId }),
    ...(options.type !== undefined && { type: options.type }),
  };
  const firstRow = options.firstRowNumber ?? 1;
  const resendUnknown = options.resendUnknown ?? false;

  const fingerprint = runFingerprint({ template: options.template, botId: options.botId, type: options.type });
  const session =
    options.journal === undefined
      ? undefined
      : await openJournalSession(options.journal, {
          resume: options.resume ?? false,
          allowTemplateChange: options.allowTemplateChange ?? false,
          fingerprint,
          dryRun: options.dryRun ?? false,
          onWarning: options.onWarning,
        });
  try {
    return yield* run(client, recipients, options, { settings, firstRow, resendUnknown, checkFirst, concurrency, fingerprint, prior: session?.prior ?? new Map() });
  } finally {
    // However the run ends (done, an error, the caller breaking out, a stop signal), the next run may take the journal.
    await session?.release();
  }
}

/** What {@link sendFlowMessages} settled before the run. */
interface RunSetup {
  settings: RowSettings;
  firstRow: number;
  resendUnknown: boolean;
  checkFirst: boolean;
  concurrency: number;
  fingerprint: string;
  prior: ReadonlyMap<string, JournalState>;
}

/** The run itself, once the journal is ready: the check pass, then the sends. */
async function* run(
  client: FlowMessageSender,
  recipients: RecipientSource,
  options: SendFlowMessagesOptions,
  setup: RunSetup,
): AsyncGenerator<BulkResult, BulkPlan | undefined> {
  const { settings, firstRow, resendUnknown, checkFirst, concurrency, fingerprint, prior } = setup;

  // Pass 1. `firstRowOf` holds one number per distinct recipient: the memory that exactly-once needs, not the rows.
  const firstRowOf = new Map<string, number>();
  let plan: BulkPlan | undefined;
  if (checkFirst) {
    const checked = yield* checkAll(recipients, { settings, firstRow, prior, resendUnknown, firstRowOf, signal: options.signal });
    plan = checked.plan;
    if (options.signal?.aborted) return plan;
    options.onPlan?.(plan, checked.firstToSend);
    if (plan.invalid > 0 && !options.skipInvalid) throw new BulkValidationError(plan.invalid);
    if (options.dryRun || plan.toSend + plan.alreadySent + plan.unknownBefore === 0) return plan;
  }

  const journal =
    options.journal === undefined
      ? undefined
      : await Journal.open(options.journal, { ...(options.journalFileOps && { ops: options.journalFileOps }), secrets: options.secrets ?? [] }).catch((error: unknown) => {
          throw new JournalFileError(options.journal!, error);
        });
  await journal?.append({ type: "run", at: now(), version: 1, fingerprint });
  const rate: RateScheduler | undefined = options.ratePerSecond === undefined ? undefined : createRateScheduler(options.ratePerSecond);
  const out = new AsyncChannel<BulkResult>(concurrency * 4);
  const stop = new AbortController();
  const onStop = () => stop.abort();
  options.signal?.addEventListener("abort", onStop, { once: true });
  if (options.signal?.aborted) stop.abort();

  const rows = openRows(recipients);
  let nextRow = firstRow;
  let pulling: Promise<unknown> = Promise.resolve();
  /** Rows are handed out one at a time, in order, so row numbers match the first pass. */
  const take = (): Promise<{ row: number; value: RecipientRow } | undefined> => {
    const result = pulling.then(async () => {
      if (stop.signal.aborted) return undefined;
      const next = await rows.next();
      return next.done ? undefined : { row: rowNumberOf(next.value, nextRow++), value: next.value };
    });
    pulling = result.catch(() => undefined);
    return result;
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      const taken = await take();
      if (taken === undefined) return;
      const { row, value } = taken;
      const prepared = prepareRow(value, settings);
      if (!prepared.ok) {
        // Reported by the first pass (or now, when reading once): never sent.
        if (!checkFirst) {
          const { ok: _ok, ...rest } = prepared;
          await out.push({ status: "invalid", row, ...rest });
        }
        continue;
      }
      const { key, botId, userId, message } = prepared;
      const first = firstRowOf.get(key);
      if (checkFirst ? first !== row : first !== undefined) {
        if (!checkFirst) await out.push({ status: "duplicate", row, key, botId, userId, firstRow: first! });
        continue;
      }
      firstRowOf.set(key, row);
      const before = prior.get(key);
      if (before === "sent") {
        await out.push({ status: "skipped", row, key, botId, userId, reason: "already_sent" });
        continue;
      }
      if ((before === "unknown" || before === "started") && !resendUnknown) {
        await out.push({ status: "skipped", row, key, botId, userId, reason: "unknown_before" });
        continue;
      }
      if (rate) {
        try {
          await rate.acquire(stop.signal);
        } catch {
          return; // stopped while waiting for a slot: this row was never started
        }
      }
      if (stop.signal.aborted) return;
      await journal?.append({ type: "started", at: now(), key, row });
      try {
        options.onSendStart?.(row, key);
      } catch (error) {
        // Nothing went out: a "started" line alone would read as "may have been sent" and hold the recipient back on
        // resume. Recorded as failed (safe to send again), then the run stops with the callback's error.
        const message = `not sent: onSendStart threw before the send (${error instanceof Error ? error.message : String(error)})`;
        await journal?.append({ type: "failed", at: now(), key, row, kind: "callback", message });
        throw error;
      }
      let result: BulkResult;
      try {
        const sent = await client.sendFlowMessage(message, {
          ...(settings.type !== undefined && { type: settings.type }),
          ...(options.abortInFlight && { signal: options.abortInFlight }),
        });
        const ids = { ...(sent.messageId && { messageId: sent.messageId }), ...(sent.requestId && { requestId: sent.requestId }) };
        result = { status: "sent", row, key, botId, userId, httpStatus: sent.status, attempts: sent.attempts, ...ids };
      } catch (error) {
        const summary = summarizeError(error);
        result = { status: summary.maybeSent ? "unknown" : "failed", row, key, botId, userId, error: summary };
      }
      // Outside the send's try: a journal that cannot be written stops the run, it is not this recipient's send error.
      await journal?.append(outcomeEntry(result));
      await out.push(result);
    }
  };

  // A worker that fails (the journal cannot be written) stops the others from taking rows; the rest finish what they
  // have in flight and journal it before the error reaches the caller.
  const workers = Promise.allSettled(
    Array.from({ length: concurrency }, () =>
      worker().catch((error: unknown) => {
        stop.abort();
        throw error;
      }),
    ),
  ).then((settled) => {
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) out.fail(failed.reason);
    else out.close();
  });
  try {
    for (;;) {
      const next = await out.next();
      if (next.done) break;
      yield next.value;
    }
  } finally {
    stop.abort();
    out.close();
    await workers;
    options.signal?.removeEventListener("abort", onStop);
    await (rows as AsyncIterator<RecipientRow>).return?.();
    await journal?.close();
  }
  return plan;
}

import pThrottle from "p-throttle";
import { openFileJournal, type FileJournalOptions } from "./file-journal.js";
import { runFingerprint, type JournalState, type OutcomeEntry, type RunJournal } from "./journal.js";
import { checkAll, isReplayable, rowVerdicts, type PassContext, type RowSettings } from "./rows.js";
import { compileTemplate } from "./template.js";
import type { BulkErrorSummary, BulkPlan, BulkResult, FlowMessageSender, RecipientSource } from "./types.js";
import type { PlannedSend, SendFlowMessagesOptions } from "./types.js";

/**
 * Some rows are invalid and `skipInvalid` was not set: nothing was sent. Every invalid row was yielded before this.
 *
 * @example
 * ```ts
 * try {
 *   for await (const r of sendFlowMessages(client, rows, { template })) console.log(r.row, r.status);
 * } catch (error) {
 *   if (error instanceof BulkValidationError) console.log(`${error.invalid} rows to fix; nothing was sent`);
 * }
 * ```
 */
export class BulkValidationError extends Error {
  /** Always `"BulkValidationError"`. */
  override readonly name = "BulkValidationError";

  /**
   * Thrown by `sendFlowMessages` and `enqueueCampaign` before any send; you rarely make one yourself.
   *
   * @param invalid how many rows are invalid
   */
  constructor(readonly invalid: number) {
    const them = invalid === 1 ? "it" : "them";
    const rows = invalid === 1 ? "1 row is" : `${invalid} rows are`;
    super(`${rows} invalid; nothing was sent. Fix ${them}, or skip ${them} with skipInvalid (--skip-invalid).`);
  }
}

/** Only a JelouError's `maybeSent: false` proves nothing left; anything else (a bug, an odd throw) may have been sent. */
function summarizeError(error: unknown): BulkErrorSummary {
  if (error === null || typeof error !== "object" || typeof (error as { kind?: unknown }).kind !== "string") {
    return { kind: "unexpected", message: error instanceof Error ? error.message : String(error), maybeSent: true };
  }
  const e = error as { kind: string; message?: string; status?: number; code?: string; maybeSent?: unknown };
  return {
    kind: e.kind,
    message: String(e.message ?? e.kind),
    ...(typeof e.status === "number" && { status: e.status }),
    ...(typeof e.code === "string" && { code: e.code }),
    maybeSent: e.maybeSent !== false,
  };
}

const now = () => new Date().toISOString();

const idsOf = (sent: { messageId?: string | undefined; requestId?: string | undefined }) => ({
  ...(sent.messageId && { messageId: sent.messageId }),
  ...(sent.requestId && { requestId: sent.requestId }),
});

function outcomeEntry(result: Extract<BulkResult, { status: "sent" | "failed" | "unknown" }>): OutcomeEntry {
  const { row, key } = result;
  if (result.status === "sent") {
    return { type: "sent", at: now(), key, row, status: result.httpStatus, attempts: result.attempts, ...idsOf(result) };
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
 * @throws {@link BulkValidationError} after yielding the invalid rows, when some are invalid and `skipInvalid` is not set
 * @throws {@link JournalInUseError} when another run holds the journal's lock (`<journal>.lock`), or the journal has entries and
 *   `resume` is not set
 * @throws {@link JournalFileError} when the journal (or its lock) cannot be read or written: a missing folder, a folder, no
 *   permission; raised before the check, so nothing is sent
 * @throws {@link JournalMismatchError} when resuming a journal whose run sent another template, bot or type, without
 *   `allowTemplateChange`
 * @throws {@link JournalWriteError} when a journal line cannot be written or synced (a full disk): the run stops taking rows
 *   at once, no send starts without its "started" line on disk, and the sends in flight are journaled as far as the disk allows
 * @throws {@link TemplateError} when the template cannot be used for any row
 * @throws `RangeError` when `ratePerSecond` is not a positive number
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
    throw new TypeError(
      "The recipients can be read only once; pass an array or a function returning the rows, so they can be checked " +
        "before any send (or set checkFirst: false).",
    );
  }
  if (!checkFirst && options.dryRun) throw new TypeError("dryRun needs checkFirst: the check is all a dry run does.");
  const rate = options.ratePerSecond;
  if (rate !== undefined && !(rate > 0 && Number.isFinite(rate))) {
    throw new RangeError(`The rate must be a positive number of sends per second, not ${rate}.`);
  }
  const settings: RowSettings = {
    template: compileTemplate(options.template),
    userColumn: options.userColumn ?? "userId",
    ...(options.botId !== undefined && { botId: options.botId }),
    ...(options.type !== undefined && { type: options.type }),
  };
  const path = options.journal;
  const open = typeof path === "string" ? (run: FileJournalOptions) => openFileJournal(path, run) : path;
  const journal = await open?.({
    resume: options.resume ?? false,
    allowTemplateChange: options.allowTemplateChange ?? false,
    fingerprint: runFingerprint({ template: options.template, botId: options.botId, type: options.type }),
    dryRun: options.dryRun ?? false,
    onWarning: options.onWarning,
    ops: options.journalFileOps,
    secrets: options.secrets,
  });
  // However the run ends (done, an error, the caller breaking out, a stop signal), the next run may take the journal.
  try {
    const pass = {
      settings,
      firstRow: options.firstRowNumber ?? 1,
      prior: journal?.prior ?? new Map<string, JournalState>(),
      resendUnknown: options.resendUnknown ?? false,
      // One number per distinct recipient: the memory exactly-once needs, not the rows.
      firstRowOf: new Map<string, number>(),
      signal: options.signal,
    };
    let plan: BulkPlan | undefined;
    if (checkFirst) {
      const checked = yield* checkAll(recipients, pass);
      plan = checked.plan;
      if (options.signal?.aborted) return plan;
      options.onPlan?.(plan, checked.firstToSend);
      if (plan.invalid > 0 && !options.skipInvalid) throw new BulkValidationError(plan.invalid);
      if (options.dryRun || plan.toSend + plan.alreadySent + plan.unknownBefore === 0) return plan;
    }
    await journal?.begin();
    yield* sendAll(client, recipients, options, journal, { ...pass, checked: checkFirst });
    return plan;
  } finally {
    await journal?.close();
  }
}

/** The send pass: rows read in order, up to `concurrency` sends in flight, each journaled before and after. */
async function* sendAll(
  client: FlowMessageSender,
  recipients: RecipientSource,
  options: SendFlowMessagesOptions,
  journal: RunJournal | undefined,
  pass: PassContext,
): AsyncGenerator<BulkResult, void> {
  const stop = new AbortController();
  const onStop = () => stop.abort();
  options.signal?.addEventListener("abort", onStop, { once: true });
  if (options.signal?.aborted) stop.abort();
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const rate = options.ratePerSecond;
  // Strict: each start at least 1000/rate ms after the one before, so a stall is never made up for by a burst.
  const spacing = rate === undefined ? undefined : { limit: 1, interval: 1000 / rate, strict: true, signal: stop.signal };
  const throttle = spacing && pThrottle(spacing);
  const slot = throttle?.(async () => {});
  const nextSlot = slot && (() => slot().then(() => true, () => false));
  let failure: { error: unknown } | undefined;

  const send = async ({ row, key, botId, userId, message }: PlannedSend): Promise<BulkResult> => {
    const taken = await journal?.started(key, row);
    const reason = taken === "sent" ? "already_sent" : "unknown_before";
    if (taken) return { status: "skipped", row, key, botId, userId, reason };
    try {
      options.onSendStart?.(row, key);
    } catch (error) {
      // Nothing went out: recorded as failed (safe to send again), not left "started", which would hold it back on resume.
      const message = `not sent: onSendStart threw before the send (${error instanceof Error ? error.message : String(error)})`;
      await journal?.outcome({ type: "failed", at: now(), key, row, kind: "callback", message });
      throw error;
    }
    let result: Extract<BulkResult, { status: "sent" | "failed" | "unknown" }>;
    try {
      const sent = await client.sendFlowMessage(message, {
        ...(pass.settings.type !== undefined && { type: pass.settings.type }),
        ...(options.abortInFlight && { signal: options.abortInFlight }),
      });
      result = { status: "sent", row, key, botId, userId, httpStatus: sent.status, attempts: sent.attempts, ...idsOf(sent) };
    } catch (error) {
      const summary = summarizeError(error);
      result = { status: summary.maybeSent ? "unknown" : "failed", row, key, botId, userId, error: summary };
    }
    // Outside the send's try: a journal that cannot be written stops the run, it is not this recipient's send error.
    await journal?.outcome(outcomeEntry(result));
    return result;
  };

  const inFlight = new Map<number, Promise<{ id: number; result: BulkResult | undefined }>>();
  const track = (id: number, sending: Promise<BulkResult>) =>
    sending.then(
      (result) => ({ id, result }),
      (error: unknown) => {
        // The others stop taking rows; what is in flight finishes and is journaled before the error reaches the caller.
        failure ??= { error };
        stop.abort();
        return { id, result: undefined };
      },
    );
  const settleOne = async () => {
    const { id, result } = await Promise.race(inFlight.values());
    inFlight.delete(id);
    return result;
  };

  const verdicts = rowVerdicts(recipients, { ...pass, signal: stop.signal });
  try {
    let id = 0;
    for await (const verdict of verdicts) {
      if (verdict.status !== "send") {
        if (verdict.status === "skipped" || !pass.checked) yield verdict; // else reported by the check
        continue;
      }
      while (inFlight.size >= concurrency) {
        const result = await settleOne();
        if (result) yield result;
      }
      // Stopped while waiting for a slot: this row was never started.
      if (nextSlot && spacing) {
        let firedAt = Number.POSITIVE_INFINITY;
        const next = nextSlot().then((ok) => ((firedAt = performance.now()), ok));
        // While the pace holds this row back, sends that finish are reported now, not when the next one starts.
        for (let waiting = true; waiting; ) {
          const first = await Promise.race([next.then(() => undefined), ...inFlight.values()]);
          if (first === undefined) waiting = false;
          else {
            inFlight.delete(first.id);
            if (first.result) yield first.result;
          }
        }
        if (!(await next)) break;
        // The slot came while the reader held a result: starting now, late, would let the next slot come at once.
        if (performance.now() - firedAt > spacing.interval / 2 && !(await nextSlot())) break;
      }
      if (stop.signal.aborted) break;
      inFlight.set(id, track(id, send(verdict)));
      id++;
    }
    while (inFlight.size > 0) {
      const result = await settleOne();
      if (result) yield result;
    }
    if (failure) throw failure.error;
  } finally {
    stop.abort();
    await Promise.all(inFlight.values());
    options.signal?.removeEventListener("abort", onStop);
    await verdicts.return();
  }
}

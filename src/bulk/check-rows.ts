import type { JournalState } from "./journal.js";
import { prepareRow, type RowSettings } from "./prepare-row.js";
import { openRows } from "./recipient-source.js";
import { rowNumberOf } from "./row-number.js";
import type { BulkPlan, BulkResult, PlannedSend, RecipientSource } from "./types.js";

/** What the first pass needs to know besides the rows. */
export interface CheckContext {
  settings: RowSettings;
  /** The number of the first row, for rows that do not carry their own. */
  firstRow: number;
  /** Each recipient's state in the journal of earlier runs. */
  prior: ReadonlyMap<string, JournalState>;
  resendUnknown: boolean;
  /** Filled with the row of each distinct recipient: the send pass sends a recipient only from that row. */
  firstRowOf: Map<string, number>;
  /** Aborting it ends the check early; nothing is sent then. */
  signal: AbortSignal | undefined;
}

/**
 * The first pass: checks every row and finds duplicates, yielding what it finds (invalid rows and duplicates), and
 * returns the plan. It sends nothing.
 *
 * @param source the recipients, opened for this pass
 * @param context the settings, the journal's states and where to record each recipient's row
 * @returns (as the generator's return value) the plan (counts of rows, problems and sends to make) and the first send
 * @throws whatever reading the rows throws (a malformed CSV file)
 */
export async function* checkAll(
  source: RecipientSource,
  context: CheckContext,
): AsyncGenerator<BulkResult, { plan: BulkPlan; firstToSend: PlannedSend | undefined }> {
  const { settings, prior, resendUnknown, firstRowOf, signal } = context;
  const plan: BulkPlan = { rows: 0, invalid: 0, duplicates: 0, alreadySent: 0, unknownBefore: 0, toSend: 0 };
  let firstToSend: PlannedSend | undefined;
  const rows = openRows(source);
  try {
    for (let counted = context.firstRow; ; counted++) {
      if (signal?.aborted) break; // stopped while checking: nothing will be sent
      const next = await rows.next();
      if (next.done) break;
      const row = rowNumberOf(next.value, counted);
      plan.rows++;
      const prepared = prepareRow(next.value, settings);
      if (!prepared.ok) {
        plan.invalid++;
        const { ok: _ok, ...rest } = prepared;
        yield { status: "invalid", row, ...rest };
        continue;
      }
      const { key, botId, userId, message } = prepared;
      const first = firstRowOf.get(key);
      if (first !== undefined) {
        plan.duplicates++;
        yield { status: "duplicate", row, key, botId, userId, firstRow: first };
        continue;
      }
      firstRowOf.set(key, row);
      const before = prior.get(key);
      if (before === "sent") plan.alreadySent++;
      else if ((before === "unknown" || before === "started") && !resendUnknown) plan.unknownBefore++;
      else {
        plan.toSend++;
        firstToSend ??= { row, key, botId, userId, message };
      }
    }
  } finally {
    await rows.return?.(); // closes the file when the check stops early
  }
  return { plan, firstToSend };
}

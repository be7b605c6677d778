import type { FieldProblem } from "../contract/field-problems.js";
import { normalizeUserId, validateFlowMessage, type FlowMessageInput } from "../contract/validate-flow-message.js";
import type { JournalState } from "./journal.js";
import type { MessageTemplate } from "./template.js";
import type { BulkPlan, BulkResult, PlannedSend, RecipientRow, RecipientSource } from "./types.js";

/** A registered symbol: rows made by another copy of this package carry a number this one reads, and no column collides. */
const ROW_NUMBER = Symbol.for("jelou-flow.rowNumber");

/** Gives a row the number a spreadsheet shows for it, kept out of its columns (a CSV file with blank lines). */
export function withRowNumber<T extends object>(row: T, number: number): T {
  Object.defineProperty(row, ROW_NUMBER, { value: number, enumerable: false });
  return row;
}

/** The number {@link withRowNumber} gave the row, or `counted`, its position in the list. */
export function rowNumberOf(row: RecipientRow, counted: number): number {
  const given = (row as Record<symbol, unknown>)[ROW_NUMBER];
  return typeof given === "number" ? given : counted;
}

/** A function reopening the list, an array, or an iterable whose iterator is a fresh object each time; not a stream. */
export function isReplayable(source: RecipientSource): boolean {
  if (typeof source === "function" || Array.isArray(source)) return true;
  const candidate = source as object & { read?: unknown; pipe?: unknown };
  if (typeof candidate.read === "function" || typeof candidate.pipe === "function") return false;
  const open = openerOf(source);
  return typeof open === "function" && open.call(source) !== (source as unknown);
}

type Opener = ((this: unknown) => AsyncIterator<RecipientRow> | Iterator<RecipientRow>) | undefined;
const openerOf = (iterable: object) => {
  const it = iterable as Partial<AsyncIterable<RecipientRow> & Iterable<RecipientRow>>;
  return (it[Symbol.asyncIterator] ?? it[Symbol.iterator]) as Opener;
};

/** Opens one pass over the rows. */
export function openRows(source: RecipientSource): AsyncIterator<RecipientRow> | Iterator<RecipientRow> {
  const iterable = typeof source === "function" ? source() : source;
  return openerOf(iterable)!.call(iterable);
}

/** The settings that turn a row into a message. */
export interface RowSettings {
  template: MessageTemplate;
  botId?: string;
  type?: string;
  userColumn: string;
}

type PreparedRow =
  | (Omit<PlannedSend, "row"> & { problems?: undefined })
  | { key?: string; botId?: string; userId?: string; problems: FieldProblem[] };

function text(value: unknown): string | undefined {
  const s = value === undefined || value === null ? "" : String(value).trim();
  return s === "" ? undefined : s;
}

/**
 * Fills the template for one row and checks it as the client will before sending. A recipient is `botId:userId` with
 * the phone number normalised, so `+593 98-765-4321` and `593987654321` are one person.
 */
function prepareRow(row: RecipientRow, settings: RowSettings): PreparedRow {
  const problems: FieldProblem[] = [];
  const rawUser = text(row[settings.userColumn]);
  const botId = text(row.botId) ?? settings.botId;
  if (rawUser === undefined) {
    const message = `The ${settings.userColumn} column is empty or missing; give the recipient's phone number.`;
    problems.push({ path: settings.userColumn, rule: "required", message });
  }
  if (botId === undefined) {
    problems.push({ path: "botId", rule: "required", message: "No bot: pass --bot (botId option) or add a botId column." });
  }
  const rendered = settings.template.render(row);
  problems.push(...rendered.problems);
  const userId = rawUser === undefined ? undefined : normalizeUserId(rawUser);
  const key = botId !== undefined && userId !== undefined ? `${botId}:${userId}` : undefined;
  const ids = { ...(key && { key }), ...(botId && { botId }), ...(userId && { userId }) };
  if (problems.length > 0) return { ...ids, problems };

  const typed = settings.type === undefined ? {} : { type: settings.type };
  const checked = validateFlowMessage({ ...rendered.value, botId, userId } as FlowMessageInput, typed);
  if (!checked.ok) {
    const renamed = checked.problems.map((p) => (p.path === "userId" ? { ...p, path: settings.userColumn } : p));
    return { ...ids, problems: renamed };
  }
  const { botId: b, userId: u, body } = checked.request;
  return { key: `${b}:${u}`, botId: b, userId: u, message: { ...body, botId: b, userId: u } };
}

/** Whether the journal of earlier runs holds a recipient back, and why. */
function skipReason(before: JournalState | undefined, resendUnknown: boolean) {
  if (before === "sent") return "already_sent" as const;
  return (before === "unknown" || before === "started") && !resendUnknown ? ("unknown_before" as const) : undefined;
}

/** What a pass over the rows needs besides them; the first pass fills `firstRowOf`, the one row each recipient is sent from. */
export interface PassContext {
  settings: RowSettings;
  firstRow: number;
  prior: ReadonlyMap<string, JournalState>;
  resendUnknown: boolean;
  firstRowOf: Map<string, number>;
  /** `firstRowOf` was filled by a check before: a row is a duplicate unless it is the one recorded. */
  checked: boolean;
  signal: AbortSignal | undefined;
}

type RowVerdict = Extract<BulkResult, { status: "invalid" | "duplicate" | "skipped" }> | (PlannedSend & { status: "send" });

/** One pass over the rows, in order, each found invalid, a duplicate, held back by the journal, or to send. */
export async function* rowVerdicts(source: RecipientSource, context: PassContext): AsyncGenerator<RowVerdict, void> {
  const { settings, prior, resendUnknown, firstRowOf, checked, signal } = context;
  const rows = openRows(source);
  try {
    for (let counted = context.firstRow; !signal?.aborted; counted++) {
      const next = await rows.next();
      if (next.done) break;
      const row = rowNumberOf(next.value, counted);
      const prepared = prepareRow(next.value, settings);
      if (prepared.problems !== undefined) {
        yield { status: "invalid", row, ...prepared };
        continue;
      }
      const { key, botId, userId, message } = prepared;
      const first = firstRowOf.get(key);
      if (checked ? first !== row : first !== undefined) {
        yield { status: "duplicate", row, key, botId, userId, firstRow: first! };
        continue;
      }
      firstRowOf.set(key, row);
      const reason = skipReason(prior.get(key), resendUnknown);
      const ids = { row, key, botId, userId };
      yield reason ? { status: "skipped", ...ids, reason } : { status: "send", ...ids, message };
    }
  } finally {
    await rows.return?.(); // closes the file when the pass stops early
  }
}

const PLANNED = { invalid: "invalid", duplicate: "duplicates", send: "toSend" } as const;

/** The first pass: yields invalid rows and duplicates, sends nothing, and returns the plan and the first send. */
export async function* checkAll(
  source: RecipientSource,
  context: Omit<PassContext, "checked">,
): AsyncGenerator<BulkResult, { plan: BulkPlan; firstToSend: PlannedSend | undefined }> {
  const plan: BulkPlan = { rows: 0, invalid: 0, duplicates: 0, alreadySent: 0, unknownBefore: 0, toSend: 0 };
  let firstToSend: PlannedSend | undefined;
  for await (const verdict of rowVerdicts(source, { ...context, checked: false })) {
    plan.rows++;
    if (verdict.status === "skipped") plan[verdict.reason === "already_sent" ? "alreadySent" : "unknownBefore"]++;
    else plan[PLANNED[verdict.status]]++;
    if (verdict.status === "send") {
      const { status: _send, ...planned } = verdict;
      firstToSend ??= planned;
    } else if (verdict.status !== "skipped") yield verdict;
  }
  return { plan, firstToSend };
}

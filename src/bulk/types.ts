import type { JournalFileOps } from "./journal.js";
import type { FieldProblem } from "../contract/field-problems.js";
import type { FlowMessageInput } from "../contract/validate-flow-message.js";

/** One recipient: a row of the list, `userId` plus any columns the template's `{{placeholders}}` name. */
export type RecipientRow = Readonly<Record<string, unknown>>;

/**
 * The list of recipients. It is read twice, once to check every row and once to send, so that nothing is sent while a
 * row further down is still wrong, and so that a long list is never held in memory: pass an array, or a function that
 * opens the list again each time it is called (as {@link readRecipientsCsv} returns). A one-shot iterator (a generator
 * object) is refused unless `checkFirst: false`.
 */
export type RecipientSource =
  | Iterable<RecipientRow>
  | AsyncIterable<RecipientRow>
  | (() => Iterable<RecipientRow> | AsyncIterable<RecipientRow>);

/** Anything that sends one flow message: the client from `createJelouClient()` is one. */
export interface FlowMessageSender {
  sendFlowMessage(
    message: FlowMessageInput,
    options?: { type?: string; signal?: AbortSignal },
  ): Promise<{ status: number; attempts: number; messageId?: string; requestId?: string }>;
}

/** What the journal and the results say about an error: the fields of a `JelouError` worth keeping, never a secret. */
export interface BulkErrorSummary {
  kind: string;
  message: string;
  status?: number;
  code?: string;
  maybeSent: boolean;
}

/** Where a result comes from: the row number and the recipient. */
interface ResultBase {
  /**
   * Row number in the list: as a spreadsheet shows it for rows from {@link readRecipientsCsv} (the header is row 1, and
   * blank lines count), otherwise counted from `firstRowNumber` (1 by default).
   */
  row: number;
  /** `botId:userId`, the identity used for exactly-once. Absent only on invalid rows that have no usable ids. */
  key?: string;
  botId?: string;
  userId?: string;
}

/**
 * One outcome, yielded as soon as it is known.
 * - `invalid`: the row breaks the contract or names a missing column; yielded during the check, before any send.
 * - `duplicate`: the same bot and recipient as an earlier row; never sent, `firstRow` is the row that is.
 * - `sent`: Jelou accepted it; written to the journal before it is yielded.
 * - `failed`: Jelou refused it, or it provably never reached Jelou; safe to send again (`--resume` does).
 * - `unknown`: it may have reached Jelou (a timeout, a dropped connection, a 5xx); never sent again without `resendUnknown`.
 * - `skipped`: already `sent` (or `unknown`) according to the journal of an earlier run.
 */
export type BulkResult =
  | (ResultBase & { status: "invalid"; problems: FieldProblem[] })
  | (ResultBase & { status: "duplicate"; key: string; firstRow: number })
  | (ResultBase & { status: "sent"; key: string; httpStatus: number; attempts: number; messageId?: string; requestId?: string })
  | (ResultBase & { status: "failed" | "unknown"; key: string; error: BulkErrorSummary })
  | (ResultBase & { status: "skipped"; key: string; reason: "already_sent" | "unknown_before" });

/** What the check found, before any send: handed to `onPlan`. */
export interface BulkPlan {
  rows: number;
  invalid: number;
  duplicates: number;
  /** Recipients the journal already records as sent. */
  alreadySent: number;
  /** Recipients the journal records as unknown (or started without an outcome), left alone unless `resendUnknown`. */
  unknownBefore: number;
  /** Sends this run will make if it is not stopped. */
  toSend: number;
}

/** A send the check planned: the first one is handed to `onPlan`, so that a dry run can show what would go out. */
export interface PlannedSend {
  row: number;
  key: string;
  botId: string;
  userId: string;
  /** The message as the client will send it: the template filled from the row, checked against the contract. */
  message: FlowMessageInput;
}

/** Options of {@link sendFlowMessages}. */
export interface SendFlowMessagesOptions {
  /** The message for every recipient: a flow message body whose texts, `payload` and `flow_action_payload.data` may hold `{{column}}`. */
  template: unknown;
  /** The bot for rows without a `botId` column. */
  botId?: string;
  /** The optional `type` query parameter for every send. */
  type?: string;
  /** The column holding the phone number. @default "userId" */
  userColumn?: string;
  /** Sends in flight at once. @default 4 */
  concurrency?: number;
  /** Sends started per second at most, spaced evenly (1000/rate ms apart). @default unlimited */
  ratePerSecond?: number;
  /** Path of the JSON-lines journal. Without it nothing survives a crash; the command line always sets one. */
  journal?: string;
  /** Continue the run recorded in `journal` (required when the journal already has entries). @default false */
  resume?: boolean;
  /** Send again recipients whose earlier send may have reached Jelou. @default false */
  resendUnknown?: boolean;
  /**
   * Resume even though the journal's run sent another template, bot or type: the rest of the list then gets this
   * run's message. @default false
   */
  allowTemplateChange?: boolean;
  /** Send the valid rows even when some are invalid (they are still reported). @default false */
  skipInvalid?: boolean;
  /** Check every row, report, and send nothing. @default false */
  dryRun?: boolean;
  /** Read the list only once, sending each row right after checking it (no check of the whole list first). @default true */
  checkFirst?: boolean;
  /** Number of the first row, for messages, when the rows do not carry their own (as a CSV file's do). @default 1 */
  firstRowNumber?: number;
  /** Aborting it stops taking new rows; sends in flight finish and are journaled. */
  signal?: AbortSignal;
  /** Aborting it also aborts the sends in flight (a second Ctrl-C); they are journaled as their error says. */
  abortInFlight?: AbortSignal;
  /**
   * Called with what a person should know that does not stop the run: a stale lock of the journal taken over, journal
   * lines skipped because they are not entries. Without it these are not reported.
   */
  onWarning?: (message: string) => void;
  /** Called once after the check, before the first send, with the first send planned (none when nothing is to be sent). */
  onPlan?: (plan: BulkPlan, firstToSend: PlannedSend | undefined) => void;
  /**
   * Called when a send starts (after its "started" line is on disk), before the message goes out. If it throws, that
   * message is not sent and is journaled as failed (a resume sends it), and the run stops with the error.
   */
  onSendStart?: (row: number, key: string) => void;
  /**
   * Texts never to write to the journal (the client secret, base64(id:secret)): every line is scrubbed of them and of
   * their encoded forms, whatever a server echoed in an id or an error. The command line passes its credentials.
   */
  secrets?: readonly string[];
  /** The journal's write and sync, replaced only by tests that make the disk write short or fail. @default the file system */
  journalFileOps?: JournalFileOps;
}

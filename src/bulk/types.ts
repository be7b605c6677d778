import type { FileJournalOptions } from "./file-journal.js";
import type { JournalFileOps, RunJournal } from "./journal.js";
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
  /**
   * Sends one message.
   *
   * @param message the filled message, with `botId` and `userId`
   * @param options the `type` query parameter, and a signal that aborts the send (`abortInFlight`)
   * @returns the accepted answer
   * @throws JelouError when it is not accepted; anything else thrown is taken as maybe sent
   */
  sendFlowMessage(message: FlowMessageInput, options?: { type?: string; signal?: AbortSignal }): Promise<SentMessage>;
}

/** What {@link FlowMessageSender} resolves with. @inline */
export interface SentMessage {
  /** The HTTP status of the accepted answer. */ status: number;
  /** HTTP attempts made, retries included. */ attempts: number;
  /** Jelou's id of the message, when it gave one. */ messageId?: string;
  /** Jelou's `X-Request-Id`, when it sent one. */ requestId?: string;
}

/** What the journal and the results say about an error: the fields of a `JelouError` worth keeping, never a secret. */
export interface BulkErrorSummary {
  /** The `JelouError` kind (`timeout`, `server`...), or `unexpected` for anything else thrown. */ kind: string;
  /** The error's message, scrubbed as the client scrubs it. */ message: string;
  /** The HTTP status, when Jelou answered. */ status?: number;
  /** Jelou's error code, or the network error's. */ code?: string;
  /** Whether the message may have reached Jelou. */ maybeSent: boolean;
}

/** @inline */
interface ResultBase {
  /**
   * As a spreadsheet shows it for {@link jelou-flow!readRecipientsCsv | readRecipientsCsv} (header row 1, blank lines count),
   * else from `firstRowNumber`.
   */
  row: number;
  /** `botId:userId`, the identity used for exactly-once. Absent only on invalid rows that have no usable ids. */
  key?: string;
  /** The bot that sends (the row's `botId`, else the option). */ botId?: string;
  /** The phone number, normalised. */ userId?: string;
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
  | (ResultBase & {
      /** The outcome. */
      status: "invalid";
      /** Each rule the row breaks. */
      problems: FieldProblem[];
    })
  | (ResultBase & {
      /** The outcome. */
      status: "duplicate";
      /** `botId:userId`. */
      key: string;
      /** The row that is sent. */
      firstRow: number;
    })
  | (ResultBase &
      Omit<SentMessage, "status"> & {
        /** The outcome. */
        status: "sent";
        /** `botId:userId`. */
        key: string;
        /** The HTTP status of Jelou's answer. */
        httpStatus: number;
      })
  | (ResultBase & {
      /** The outcome. */
      status: "failed" | "unknown";
      /** `botId:userId`. */
      key: string;
      /** What went wrong. */
      error: BulkErrorSummary;
    })
  | (ResultBase & {
      /** The outcome. */
      status: "skipped";
      /** `botId:userId`. */
      key: string;
      /** Why it was skipped. */
      reason: "already_sent" | "unknown_before";
    });

/** What the check found, before any send: handed to `onPlan`. `unknownBefore` are left alone unless `resendUnknown`. */
export interface BulkPlan {
  /** Rows read. */ rows: number;
  /** Rows that break the contract or name a missing column. */ invalid: number;
  /** Rows of a recipient an earlier row already has. */ duplicates: number;
  /** Recipients the journal records as sent. */ alreadySent: number;
  /** Recipients an earlier run may have sent, left alone. */ unknownBefore: number;
  /** Recipients this run sends. */ toSend: number;
}

/** The first send the check planned, handed to `onPlan` so that a dry run can show the message as it would go out. */
export interface PlannedSend {
  /** Its row, as in {@link BulkResult}. */ row: number;
  /** `botId:userId`. */ key: string;
  /** The bot that sends. */ botId: string;
  /** The phone number, normalised. */ userId: string;
  /** The filled, checked message, with `botId` and `userId`. */ message: FlowMessageInput;
}

/** Options of {@link sendFlowMessages}. */
export interface SendFlowMessagesOptions {
  /** The message for every recipient: a flow message whose texts, `payload` and screen data may hold `{{column}}`. */
  template: unknown;
  /** The bot for rows without a `botId` column. */
  botId?: string;
  /** The optional `type` query parameter for every send. */
  type?: string;
  /** The column holding the phone number. @default "userId" */
  userColumn?: string;
  /** Sends in flight at once. @default 4 */
  concurrency?: number;
  /**
   * Sends started per second at most, spaced evenly (1000/rate ms apart); a positive number (`0` is a `RangeError`:
   * leave it out for no limit, as `--rate 0` does). @default unlimited
   */
  ratePerSecond?: number;
  /**
   * Path of the JSON-lines journal, or what opens another journal for the run (`openRedisJournal`). Without it nothing
   * survives a crash; the command line always sets one.
   */
  journal?: string | ((run: FileJournalOptions) => Promise<RunJournal>);
  /** Continue the run recorded in `journal` (required when the journal already has entries). @default false */
  resume?: boolean;
  /** Send again recipients whose earlier send may have reached Jelou. @default false */
  resendUnknown?: boolean;
  /** Resume though the journal's run sent another template, bot or type: the rest of the list gets this one. @default false */
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
  /** Told what a person should know that does not stop the run: a stale lock taken over, journal lines skipped. */
  onWarning?: (message: string) => void;
  /** Called once after the check, before the first send, with the first send planned (none when nothing is to be sent). */
  onPlan?: (plan: BulkPlan, firstToSend: PlannedSend | undefined) => void;
  /** Called once a send's "started" line is on disk; if it throws, that message is not sent (journaled failed), the run stops. */
  onSendStart?: (row: number, key: string) => void;
  /** Texts never written to the journal, nor their encoded forms, whatever a server echoed (the client secret). */
  secrets?: readonly string[];
  /**
   * The journal's write and sync, replaced only by tests that make the disk write short or fail.
   * @default the file system
   * @internal
   */
  journalFileOps?: JournalFileOps;
}

import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import type { FileHandle } from "node:fs/promises";

/** One line of the journal. `started` is written (and flushed) before a send begins, one outcome line after it. */
export type JournalEntry =
  | {
      /** A run began. */
      type: "run";
      /** When (ISO 8601). */
      at: string;
      /** The journal's format, 1. */
      version: 1;
      /** Of its message: tells a run of another template, bot or type from a resumed one. */
      fingerprint?: string;
    }
  | (SendLine & {
      /** A send is about to begin. */
      type: "started";
    })
  | (SendLine &
      SentIds & {
        /** Jelou accepted the message. */
        type: "sent";
        /** Jelou's HTTP status. */
        status: number;
        /** HTTP attempts. */
        attempts: number;
      })
  | (SendLine &
      SendError & {
        /** The send was refused or never reached Jelou (`failed`), or may have reached it (`unknown`). */
        type: "failed" | "unknown";
      });

/** @inline */
type SentIds = {
  /** Jelou's id of the message. */
  messageId?: string;
  /** Jelou's `X-Request-Id`. */
  requestId?: string;
};

/** @inline */
type SendError = {
  /** The `JelouError` kind. */ kind: string;
  /** Its HTTP status. */ status?: number;
  /** Its code. */ code?: string;
  /** Its message, scrubbed. */ message: string;
};

/** @inline */
type SendLine = {
  /** When (ISO 8601). */
  at: string;
  /** `botId:userId`, the recipient. */
  key: string;
  /** The recipient's row in the list. */
  row: number;
};

export type OutcomeEntry = Extract<JournalEntry, { type: "sent" | "failed" | "unknown" }>;

/** What the journal knows about one recipient after replaying it; `started` alone means the run died mid-send. */
export type JournalState = "started" | "sent" | "failed" | "unknown";

/** Who holds a journal's lock, as its lock file says. */
export interface LockHolder {
  /** Its process number. */ pid: number;
  /** Its host name. */ host: string;
  /** When it took the lock (ISO 8601). */
  at: string;
  /** Tells this holder's lock from a later one by the same process number. */
  id: string;
}

/**
 * Where a run records its sends so that a resumed run sends nobody twice: a file (`openFileJournal`), or a journal
 * shared by runs at once (the queue's `openRedisJournal`).
 */
export interface RunJournal {
  /** Each recipient's state after the earlier runs. */
  readonly prior: ReadonlyMap<string, JournalState>;
  /** Records that this run starts sending, before its first send. */
  begin(): Promise<void>;
  /**
   * Resolves once it is durable that the send of `key` is about to start; or, on a journal shared with runs going on,
   * with the state another run gave the recipient since, and this run skips it.
   */
  started(key: string, row: number): Promise<JournalState | void>;
  /** Records how a started send ended. */
  outcome(entry: OutcomeEntry): Promise<void>;
  /** Flushes, closes and releases the journal; safe to call more than once. */
  close(): Promise<void>;
}

/** The journal's write and sync: the file system's, or a faulty disk's in tests. */
export interface JournalFileOps {
  /** Writes part of a buffer at the end of the journal, as `FileHandle.write` does. */
  write(handle: FileHandle, buffer: Buffer, offset: number, length: number): Promise<{ bytesWritten: number }>;
  /** Flushes the journal's data to the disk, as `FileHandle.datasync` does. */
  datasync(handle: FileHandle): Promise<void>;
}

/**
 * The journal cannot be used by this run, and nothing is sent: either another run holds its lock (`lock` says which
 * process, on which host), or it holds entries from an earlier run and `resume` was not asked for.
 *
 * @example
 * ```ts
 * try {
 *   for await (const r of sendFlowMessages(client, rows, { template, journal: "list.journal.jsonl" })) console.log(r.status);
 * } catch (error) {
 *   if (error instanceof JournalInUseError) console.log(error.lock ? `${error.lock.holder?.pid} holds it` : "add resume: true");
 * }
 * ```
 */
export class JournalInUseError extends Error {
  /** Always `"JournalInUseError"`. */
  override readonly name = "JournalInUseError";

  /**
   * Thrown by the bulk sender when it opens a journal; you rarely make one yourself.
   *
   * @param message what is wrong and what to do
   * @param lock the lock file and its holder (undefined when its file does not say), when another run holds the lock
   */
  constructor(
    message: string,
    readonly lock?: {
      /** The lock file. */
      path: string;
      /** Who holds it, if its file says. */
      holder: LockHolder | undefined;
    },
  ) {
    super(message);
  }
}

/**
 * The journal's file (or its lock file beside it) cannot be read or written: its folder is missing, it is a folder,
 * permission is denied. The message names the path and what to do; `code` is the file system's (`ENOENT`, `EISDIR`…).
 *
 * @example
 * ```ts
 * sendFlowMessages(client, rows, { template, journal: "no/such/folder/list.journal.jsonl" }); // throws JournalFileError
 * ```
 */
export class JournalFileError extends Error {
  /** Always `"JournalFileError"`. */
  override readonly name = "JournalFileError";
  /** The file system's error code (`ENOENT`, `ENOSPC`...), when it gave one. */
  readonly code: string | undefined;

  /**
   * Thrown by the bulk sender when it cannot open or read a journal; you rarely make one yourself.
   *
   * @param path the journal
   * @param cause the file system's error
   */
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    const folder = dirname(path);
    const change = "or choose another journal file (--journal FILE)";
    const full = `Free some space on the file system of ${path} (about 512 bytes per recipient to send), then run again.`;
    const reasons: Record<string, string> = {
      ENOENT: `its folder ${folder} does not exist. Create the folder, ${change}.`,
      ENOTDIR: `a part of its path, in ${folder}, is a file and not a folder. Fix the path, ${change}.`,
      EISDIR: `it is a folder, not a file. Name a file in it, such as ${join(path, "list.journal.jsonl")}, ${change}.`,
      EACCES: `permission denied. Allow this user to read and write it and its folder, ${change}.`,
      EPERM: `permission denied. Allow this user to read and write it and its folder, ${change}.`,
      EROFS: `it is on a read-only file system. Choose another journal file (--journal FILE).`,
      ENOSPC: `the disk is full (ENOSPC). ${full}`,
      EDQUOT: `the disk quota is used up (EDQUOT). ${full}`,
    };
    const reason = reasons[code ?? ""] ?? `${(cause as Error)?.message ?? String(cause)}.`;
    super(`The journal ${path} cannot be used: ${reason}`, { cause });
    this.code = code;
  }
}

/**
 * The journal records an earlier run of a different message (another template, bot or type) and the caller did not say
 * that the change is intended: resuming would send the rest of the list something other than what its first part got,
 * so nothing is sent.
 *
 * @example
 * ```ts
 * try {
 *   for await (const r of sendFlowMessages(client, rows, { template, journal, resume: true })) console.log(r.status);
 * } catch (error) {
 *   if (error instanceof JournalMismatchError) console.log(error.message); // use the first run's template, or opt in
 * }
 * ```
 */
export class JournalMismatchError extends Error {
  /** Always `"JournalMismatchError"`. */
  override readonly name = "JournalMismatchError";
}

/**
 * A journal line could not be written or synced (the disk is full, an I/O error): the run stops at once, since a send
 * whose "started" line is not on disk could be sent twice by a later `--resume`. `unwrittenBytes` is what was still to
 * be written when it failed; `code` is the file system's (`ENOSPC`, `EIO`...).
 *
 * @example
 * ```ts
 * try { for await (const r of sendFlowMessages(client, rows, { template, journal })) {} }
 * catch (error) { if (error instanceof JournalWriteError) console.log(error.code, error.unwrittenBytes); }
 * ```
 */
export class JournalWriteError extends Error {
  /** Always `"JournalWriteError"`. */
  override readonly name = "JournalWriteError";
  /** The file system's error code (`ENOSPC`, `EIO`...), when it gave one. */
  readonly code: string | undefined;

  /**
   * Thrown by the bulk sender when a journal line does not reach the disk; you rarely make one yourself.
   *
   * @param path the journal
   * @param unwrittenBytes the bytes of lines that did not reach the disk
   * @param cause the file system's error
   */
  constructor(
    readonly path: string,
    readonly unwrittenBytes: number,
    cause: unknown,
  ) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    const why = code === "ENOSPC" ? "the disk is full (ENOSPC)" : `${(cause as Error)?.message ?? String(cause)}`;
    super(`The journal ${path} cannot be written: ${why}. The run stopped: no new sends.`, { cause });
    this.code = code;
  }
}

/** JSON with every object's keys sorted: a template file whose keys were reordered is the same message. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort().filter((key) => record[key] !== undefined);
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** A digest of what a run sends (template, bot, type), kept in its `run` line; no recipient, no credential. */
export const runFingerprint = ({ template, botId, type }: { template: unknown; botId?: string; type?: string }) =>
  createHash("sha256").update(canonicalJson({ template, botId, type })).digest("hex");

/** Refuses to resume a run that sent another message, unless allowed; journals without fingerprints resume as before. */
export function checkResumedRun(earlier: Array<string | undefined>, current: string, journal: string, allow: boolean): void {
  const latest = earlier.findLast((fingerprint) => fingerprint !== undefined);
  if (latest === undefined || latest === current || allow) return;
  throw new JournalMismatchError(
    `The journal ${journal} records a run that sent a different message (its template, bot or type has changed since), ` +
      "so resuming would send the rest of the list something other than what its first part got. Resume with the template, " +
      "--bot and --type of that run; or, if the change is intended, add --allow-template-change (allowTemplateChange: true).",
  );
}

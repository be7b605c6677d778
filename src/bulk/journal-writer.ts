import { open, type FileHandle } from "node:fs/promises";
import { scrubSecrets } from "../client/redact.js";

/** One line of the journal. `started` is written (and flushed) before a send begins, one outcome line after it. */
export type JournalEntry =
  | { type: "run"; at: string; version: 1; fingerprint?: string }
  | { type: "started"; at: string; key: string; row: number }
  | { type: "sent"; at: string; key: string; row: number; status: number; attempts: number; messageId?: string; requestId?: string }
  | { type: "failed" | "unknown"; at: string; key: string; row: number; kind: string; status?: number; code?: string; message: string };

/**
 * A journal line could not be written or synced (the disk is full, an I/O error): the run stops at once, since a send
 * whose "started" line is not on disk could be sent twice by a later `--resume`. `unwrittenBytes` is what was still to
 * be written when it failed; `code` is the file system's (`ENOSPC`, `EIO`...).
 *
 * @example
 * ```ts
 * try { await journal.append(entry); } catch (error) { if (error instanceof JournalWriteError) console.log(error.code); }
 * ```
 */
export class JournalWriteError extends Error {
  override name = "JournalWriteError";
  readonly code: string | undefined;

  /**
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

/** The two file operations the journal's durability rests on, injectable so that tests can make them short or fail. */
export interface JournalFileOps {
  /** Writes part or all of `length` bytes of `buffer` from `offset`, at the end of the file; resolves with how many. */
  write(handle: FileHandle, buffer: Buffer, offset: number, length: number): Promise<{ bytesWritten: number }>;
  /** Makes what was written durable. */
  datasync(handle: FileHandle): Promise<void>;
}

/** The real file system. */
const REAL_FILE_OPS: JournalFileOps = {
  write: (handle, buffer, offset, length) => handle.write(buffer, offset, length),
  datasync: (handle) => handle.datasync(),
};

/**
 * An append-only JSON-lines journal whose `append` resolves only once the line is on disk (`fdatasync`). Lines appended
 * while a flush is running are written together by the next one (group commit), so many sends in flight cost one sync
 * per batch rather than one each. A short write is continued until every byte is written; a failed write or sync
 * rejects every line of its batch with {@link JournalWriteError}.
 */
export class Journal {
  private pending: string[] = [];
  private waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  private flushing: Promise<void> | undefined;
  /** A failed write may have left part of a line: the next write starts on a fresh line. */
  private midLine = false;

  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
    private readonly ops: JournalFileOps,
    private readonly secrets: readonly string[],
  ) {}

  /**
   * Opens `path` for appending, starting on a fresh line if the last one was torn by a crash.
   *
   * @param path the journal file, made if absent
   * @param options `ops`: the write and sync to use (tests inject faults; the real file system by default); `secrets`:
   *   texts every line is scrubbed of (with their encoded forms) before it is written
   * @throws the file system's error when it cannot be opened
   */
  static async open(path: string, options: { ops?: JournalFileOps; secrets?: readonly string[] } = {}): Promise<Journal> {
    const handle = await open(path, "a+");
    const journal = new Journal(handle, path, options.ops ?? REAL_FILE_OPS, options.secrets ?? []);
    const { size } = await handle.stat();
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) journal.pending.push("\n");
    }
    return journal;
  }

  /** Appends one entry; resolves when it is durably on disk, rejects with {@link JournalWriteError} when it cannot be. */
  append(entry: JournalEntry): Promise<void> {
    // Every text field is scrubbed before the line is made (an id or error a server echoed may hold the secret), so
    // that what replaces a secret can never break the line's JSON. Not the key: it comes from the list, and a changed
    // key would let a resume send that recipient again.
    const scrub = (k: string, v: unknown) => (typeof v === "string" && k !== "key" ? scrubSecrets(v, this.secrets) : v);
    const scrubbed = Object.fromEntries(Object.entries(entry).map(([k, v]) => [k, scrub(k, v)]));
    this.pending.push(`${JSON.stringify(scrubbed)}\n`);
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  /** Writes every byte of `buffer`, continuing after short writes; throws with what was left unwritten. */
  private async writeAll(buffer: Buffer): Promise<void> {
    let offset = 0;
    try {
      while (offset < buffer.length) {
        const { bytesWritten } = await this.ops.write(this.handle, buffer, offset, buffer.length - offset);
        // A write that makes no progress would loop for ever: the disk is full in all but name.
        if (bytesWritten <= 0) throw Object.assign(new Error("no space left on device (a write wrote nothing)"), { code: "ENOSPC" });
        offset += bytesWritten;
      }
      await this.ops.datasync(this.handle);
      this.midLine = false;
    } catch (error) {
      if (offset > 0) this.midLine = offset < buffer.length;
      throw new JournalWriteError(this.path, buffer.length - offset, error);
    }
  }

  private async flush(): Promise<void> {
    while (this.waiters.length > 0) {
      const text = (this.midLine ? "\n" : "") + this.pending.splice(0).join("");
      const waiters = this.waiters.splice(0);
      try {
        await this.writeAll(Buffer.from(text, "utf8"));
        for (const w of waiters) w.resolve();
      } catch (error) {
        for (const w of waiters) w.reject(error);
      }
    }
    this.flushing = undefined;
  }

  /** Waits for pending lines, then closes the file. */
  async close(): Promise<void> {
    await this.flushing;
    await this.handle.close();
  }
}

import { constants } from "node:fs";
import { access, open, stat, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { scrubSecrets } from "../client/redact.js";
import { lockJournal, type JournalLock } from "./journal-lock.js";
import {
  checkResumedRun,
  JournalFileError,
  JournalInUseError,
  JournalWriteError,
  type JournalEntry,
  type JournalFileOps,
  type JournalState,
  type RunJournal,
} from "./journal.js";

const fsError = (code: string, message: string) => Object.assign(new Error(message), { code });
const absent = (error: NodeJS.ErrnoException) => (error.code === "ENOENT" ? undefined : Promise.reject(error));

const REAL_FILE_OPS: JournalFileOps = {
  write: (handle, buffer, offset, length) => handle.write(buffer, offset, length),
  datasync: (handle) => handle.datasync(),
};

/**
 * An append-only JSON-lines file whose `append` resolves once the line is on disk (`fdatasync`). Lines appended while a
 * flush runs are written together by the next one (group commit): one sync per batch of sends in flight.
 */
export class Journal {
  private pending: string[] = [];
  /** The write the next lines join, chained after the one running. */
  private batch: Promise<void> | undefined;
  private last: Promise<unknown> = Promise.resolve();
  /** A failed write may have left part of a line: the next write starts on a fresh line. */
  private midLine = false;

  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
    private readonly ops: JournalFileOps,
    private readonly secrets: readonly string[],
  ) {}

  /** Opens `path` for appending (made if absent), starting on a fresh line if the last one was torn by a crash. */
  static async open(path: string, options: { ops?: JournalFileOps; secrets?: readonly string[] } = {}): Promise<Journal> {
    const handle = await open(path, "a+");
    const journal = new Journal(handle, path, options.ops ?? REAL_FILE_OPS, options.secrets ?? []);
    const { size } = await handle.stat();
    if (size > 0) {
      const { buffer } = await handle.read(Buffer.alloc(1), 0, 1, size - 1);
      journal.midLine = buffer[0] !== 0x0a;
    }
    return journal;
  }

  /** Resolves when the entry is durably on disk; rejects with {@link JournalWriteError} when it cannot be. */
  append(entry: JournalEntry): Promise<void> {
    // Scrubbed field by field, so that what replaces a secret cannot break the JSON; never the key, which a resume matches.
    const scrub = (k: string, v: unknown) => (typeof v === "string" && k !== "key" ? scrubSecrets(v, this.secrets) : v);
    this.pending.push(`${JSON.stringify(Object.fromEntries(Object.entries(entry).map(([k, v]) => [k, scrub(k, v)])))}\n`);
    this.batch ??= this.last.then(() => {
      this.batch = undefined;
      return this.writeAll(Buffer.from((this.midLine ? "\n" : "") + this.pending.splice(0).join(""), "utf8"));
    });
    this.last = this.batch.catch(() => undefined);
    return this.batch;
  }

  private async writeAll(buffer: Buffer): Promise<void> {
    let offset = 0;
    try {
      while (offset < buffer.length) {
        const { bytesWritten } = await this.ops.write(this.handle, buffer, offset, buffer.length - offset);
        // A write that makes no progress would loop for ever: the disk is full in all but name.
        if (bytesWritten <= 0) throw fsError("ENOSPC", "no space left on device (a write wrote nothing)");
        offset += bytesWritten;
      }
      await this.ops.datasync(this.handle);
      this.midLine = false;
    } catch (error) {
      if (offset > 0) this.midLine = offset < buffer.length;
      throw new JournalWriteError(this.path, buffer.length - offset, error);
    }
  }

  /** Waits for pending lines, then closes the file. */
  async close(): Promise<void> {
    await this.last;
    await this.handle.close();
  }
}

/** Folds one entry into its recipient's state: `sent` is final, nothing read later undoes it. */
export function nextState(previous: JournalState | undefined, entry: JournalEntry): JournalState | undefined {
  if (entry.type === "run") return previous;
  return previous === "sent" ? "sent" : entry.type;
}

const OUTCOMES: ReadonlySet<unknown> = new Set(["started", "sent", "failed", "unknown"]);

/** A line another program wrote, or `{"type":"bogus"}`, cannot say who was sent: it is not an entry. */
function isJournalEntry(value: unknown): value is JournalEntry {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const { type, key, fingerprint } = value as Record<string, unknown>;
  if (type === "run") return fingerprint === undefined || typeof fingerprint === "string";
  return OUTCOMES.has(type) && typeof key === "string" && key !== "";
}

/**
 * Replays a journal file line by line (bounded memory) into every recipient's state. A line that is not an entry (torn
 * by a crash, or garbage) is skipped and counted in `tornLines`; a file that does not exist reads as empty.
 */
export async function readJournal(path: string) {
  const states = new Map<string, JournalState>();
  const runs: Array<Extract<JournalEntry, { type: "run" }>> = [];
  const replay = { states, entries: 0, runs, tornLines: 0 };
  const handle = await open(path).catch(absent);
  for await (const line of handle?.readLines() ?? []) {
    if (line.trim() === "") continue;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      entry = undefined;
    }
    // A torn outcome leaves its "started" line, so the recipient reads as unknown; a torn "started" was never sent.
    if (!isJournalEntry(entry)) {
      replay.tornLines++;
      continue;
    }
    replay.entries++;
    if (entry.type === "run") runs.push(entry);
    else states.set(entry.key, nextState(states.get(entry.key), entry)!);
  }
  return replay;
}

/** A wrong path is reported before the check of the list, not when the first send is about to be journaled. */
async function checkJournalPath(journal: string): Promise<void> {
  try {
    const info = await stat(journal).catch(absent);
    const folder = info === undefined ? await stat(dirname(journal)) : undefined;
    if (info?.isDirectory()) throw fsError("EISDIR", "is a folder");
    // A device or a pipe (/dev/null, /dev/stdout) keeps nothing to resume from: a --resume would send everyone again.
    const notFile = "it is not a regular file (a device or a pipe keeps nothing to resume from). Choose a file (--journal FILE)";
    if (info?.isFile() === false) throw fsError("ENOTREG", notFile);
    if (folder?.isDirectory() === false) throw fsError("ENOTDIR", "not a folder");
    await (info ? access(journal, constants.R_OK | constants.W_OK) : access(dirname(journal), constants.W_OK));
  } catch (error) {
    throw new JournalFileError(journal, error);
  }
}

/** How a run means to use its file journal. */
export interface FileJournalOptions {
  resume: boolean;
  allowTemplateChange: boolean;
  /** Of the message this run sends, compared with the journal's latest run and written in this run's line. */
  fingerprint: string;
  /** A dry run writes nothing, so it takes no lock; the journal is still checked as the real run will need it. */
  dryRun: boolean;
  onWarning: ((message: string) => void) | undefined;
  ops?: JournalFileOps | undefined;
  secrets?: readonly string[] | undefined;
}

/**
 * Makes a journal file ready for a run, before any row is read: checks its path, takes its lock, replays it, and checks
 * that this run may continue it.
 *
 * @throws {@link JournalFileError} when the journal or its lock cannot be read or written (the path is named)
 * @throws {@link JournalInUseError} when another run holds the lock, or the journal has entries and `resume` is not set
 * @throws {@link JournalMismatchError} when resuming a run that sent another message, without `allowTemplateChange`
 */
export async function openFileJournal(path: string, options: FileJournalOptions): Promise<RunJournal> {
  await checkJournalPath(path);
  let lock: JournalLock | undefined;
  try {
    lock = options.dryRun ? undefined : await lockJournal(path);
  } catch (error) {
    throw error instanceof JournalInUseError ? error : new JournalFileError(path, error);
  }
  let file: Journal | undefined;
  const close = async () => {
    await file?.close();
    file = undefined;
    await lock?.release();
  };
  let replay: Awaited<ReturnType<typeof readJournal>>;
  try {
    replay = await readJournal(path).catch((error: unknown) => {
      throw new JournalFileError(path, error);
    });
    if (replay.entries > 0 && !options.resume) {
      const message = `The journal ${path} already records an earlier run; resume it (--resume), or choose a new journal file.`;
      throw new JournalInUseError(message);
    }
    checkResumedRun(replay.runs.map((run) => run.fingerprint), options.fingerprint, path, options.allowTemplateChange);
    const stale = lock?.tookOverFrom;
    if (stale) {
      options.onWarning?.(
        `The journal's lock ${lock!.path} was left by process ${stale.pid} on this host (since ${stale.at}), ` +
          "which no longer runs: it ended without releasing it (killed, or crashed). This run took the lock over.",
      );
    }
    if (replay.tornLines > 0) {
      const lines = replay.tornLines === 1 ? "1 line that is not an entry" : `${replay.tornLines} lines that are not entries`;
      options.onWarning?.(`The journal ${path} has ${lines} (cut short by a crash, or not written by jelou-flow); skipped.`);
    }
  } catch (error) {
    await close();
    throw error;
  }
  const at = () => new Date().toISOString();
  const write = (entry: JournalEntry) => file!.append(entry);
  return {
    prior: replay.states,
    async begin() {
      const opened = { ...(options.ops && { ops: options.ops }), secrets: options.secrets ?? [] };
      file = await Journal.open(path, opened).catch((error: unknown) => {
        throw new JournalFileError(path, error);
      });
      await write({ type: "run", at: at(), version: 1, fingerprint: options.fingerprint });
    },
    started: (key, row) => write({ type: "started", at: at(), key, row }),
    outcome: write,
    close,
  };
}

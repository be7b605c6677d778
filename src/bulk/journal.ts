import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { dirname, join } from "node:path";
import type { JournalEntry } from "./journal-writer.js";

/** What the journal knows about one recipient after replaying it. */
export type JournalState = "started" | "sent" | "failed" | "unknown";

/** The line that opens each run, with the fingerprint of the message it sends (absent in older journals). */
export type RunEntry = Extract<JournalEntry, { type: "run" }>;

/** Who holds a journal's lock, as its lock file says. */
export interface LockHolder {
  pid: number;
  host: string;
  /** When it took the lock (ISO 8601). */
  at: string;
  /** Tells this holder's lock from a later one by the same process number. */
  id: string;
}

/**
 * The journal cannot be used by this run, and nothing is sent: either another run holds its lock (`lock` says which
 * process, on which host), or it holds entries from an earlier run and `resume` was not asked for (running again without
 * it could only be a mistake).
 *
 * @example
 * ```ts
 * try {
 *   for await (const r of sendFlowMessages(client, rows, { template, journal: "list.journal.jsonl" })) console.log(r.status);
 * } catch (error) {
 *   if (error instanceof JournalInUseError) console.log(error.lock ? `run ${error.lock.holder?.pid} holds it` : "add resume: true");
 * }
 * ```
 */
export class JournalInUseError extends Error {
  override name = "JournalInUseError";

  /**
   * @param message what is wrong and what to do
   * @param lock the lock file and its holder (undefined when its file does not say), when another run holds the lock
   */
  constructor(
    message: string,
    readonly lock?: { path: string; holder: LockHolder | undefined },
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
  override name = "JournalFileError";
  /** The file system's error code (`ENOENT`, `ENOSPC`...), when it gave one. */
  readonly code: string | undefined;

  /**
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
    const reasons: Record<string, string> = {
      ENOENT: `its folder ${folder} does not exist. Create the folder, ${change}.`,
      ENOTDIR: `a part of its path, in ${folder}, is a file and not a folder. Fix the path, ${change}.`,
      EISDIR: `it is a folder, not a file. Name a file in it, such as ${join(path, "list.journal.jsonl")}, ${change}.`,
      EACCES: `permission denied. Allow this user to read and write it and its folder, ${change}.`,
      EROFS: `it is on a read-only file system. Choose another journal file (--journal FILE).`,
      ENOSPC: `the disk is full (ENOSPC). Free some space on the file system of ${path} (about 512 bytes per recipient to send), then run again.`,
    };
    reasons.EDQUOT = reasons.ENOSPC!.replace("the disk is full (ENOSPC)", "the disk quota is used up (EDQUOT)");
    reasons.EPERM = reasons.EACCES!;
    super(`The journal ${path} cannot be used: ${reasons[code ?? ""] ?? `${(cause as Error)?.message ?? String(cause)}.`}`, { cause });
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
  override name = "JournalMismatchError";
}

/**
 * Folds one entry into the state of its recipient. `sent` is final: nothing read later undoes it. A `started` with no
 * outcome after it stays `started`, which callers treat as unknown (the process died while the send was in flight).
 */
export function nextState(previous: JournalState | undefined, entry: JournalEntry): JournalState | undefined {
  if (entry.type === "run") return previous;
  if (previous === "sent") return "sent";
  return entry.type;
}

const OUTCOMES: ReadonlySet<unknown> = new Set(["started", "sent", "failed", "unknown"]);

/**
 * Whether a parsed line has what replaying needs: a known `type`, and the recipient's `key` on a send line. Anything else
 * (`null`, `42`, `{"type":"bogus"}`, a line some other program wrote) cannot say who was sent, so it is not an entry.
 */
function isJournalEntry(value: unknown): value is JournalEntry {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const { type, key, fingerprint } = value as Record<string, unknown>;
  if (type === "run") return fingerprint === undefined || typeof fingerprint === "string";
  return OUTCOMES.has(type) && typeof key === "string" && key !== "";
}

/**
 * Replays a journal file into the state of every recipient, line by line (bounded memory). A line that is not an
 * entry, torn by a crash or garbage, is skipped and counted in `tornLines`.
 *
 * @param path the journal file; one that does not exist reads as empty
 * @throws the file system's error when it exists but cannot be read (a folder, no permission)
 */
export async function readJournal(path: string): Promise<{ states: Map<string, JournalState>; entries: number; runs: RunEntry[]; tornLines: number }> {
  const states = new Map<string, JournalState>();
  const runs: RunEntry[] = [];
  let entries = 0;
  let tornLines = 0;
  let stream;
  try {
    stream = createReadStream(path, { encoding: "utf8" });
    await new Promise<void>((resolve, reject) => {
      stream!.once("open", () => resolve());
      stream!.once("error", reject);
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { states, entries, runs, tornLines };
    throw error;
  }
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    if (line.trim() === "") continue;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      entry = undefined;
    }
    if (!isJournalEntry(entry)) {
      // A line cut short by a crash. Its "started" line (if it was an outcome) is already on disk, so the recipient reads
      // as unknown; if it was a "started" line, that send never began, because sends wait for their line to be flushed.
      tornLines++;
      continue;
    }
    entries++;
    if (entry.type === "run") runs.push(entry);
    else states.set(entry.key, nextState(states.get(entry.key), entry)!);
  }
  return { states, entries, runs, tornLines };
}

export { Journal, JournalWriteError, type JournalEntry, type JournalFileOps } from "./journal-writer.js";

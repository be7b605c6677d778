import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { JournalFileError, JournalInUseError, readJournal, type JournalState } from "./journal.js";
import { lockJournal, type JournalLock } from "./journal-lock.js";
import { checkResumedRun } from "./run-fingerprint.js";

/** A journal made ready for a run: what earlier runs recorded, and the lock to release when the run ends. */
export interface JournalSession {
  /** Each recipient's state after the earlier runs. */
  prior: Map<string, JournalState>;
  /** Releases the lock (none in a dry run); safe to call more than once. */
  release(): Promise<void>;
}

/** How the run means to use the journal. */
export interface JournalSessionOptions {
  resume: boolean;
  allowTemplateChange: boolean;
  /** The fingerprint of the message this run sends, compared with the journal's latest run. */
  fingerprint: string;
  /** A dry run writes nothing, so it takes no lock; the journal is still checked as the real run will need it. */
  dryRun: boolean;
  onWarning: ((message: string) => void) | undefined;
}

const fileError = (journal: string, code: string, message: string) => new JournalFileError(journal, Object.assign(new Error(message), { code }));

/**
 * Checks that the journal can be read and appended to, or made in its folder, so that a wrong path is reported before
 * the check of the list rather than when the first send is about to be journaled.
 */
async function checkJournalPath(journal: string): Promise<void> {
  try {
    const info = await stat(journal);
    if (info.isDirectory()) throw fileError(journal, "EISDIR", "is a folder");
    // A device or a pipe (/dev/null, /dev/stdout) keeps nothing to resume from: a --resume would send everyone again.
    if (!info.isFile()) throw fileError(journal, "ENOTREG", "it is not a regular file (a device or a pipe keeps nothing to resume from). Choose a file (--journal FILE)");
    await access(journal, constants.R_OK | constants.W_OK);
    return;
  } catch (error) {
    if (error instanceof JournalFileError) throw error;
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new JournalFileError(journal, error);
  }
  const folder = dirname(journal);
  try {
    if (!(await stat(folder)).isDirectory()) throw fileError(journal, "ENOTDIR", "not a folder");
    await access(folder, constants.W_OK);
  } catch (error) {
    throw error instanceof JournalFileError ? error : new JournalFileError(journal, error);
  }
}

/**
 * Makes the journal ready for a run, before any row is read: checks its path, takes its lock (so that no other run
 * sends from it at the same time), replays it, and checks that this run may continue it.
 *
 * @param journal the journal's path
 * @param options whether the run resumes, what it sends, whether it is a dry run, where to say what a person should know
 * @returns the recipients' states and the lock's release, to call when the run ends however it ends
 * @throws {JournalFileError} when the journal or its lock cannot be read or written (the path is named)
 * @throws {JournalInUseError} when another run holds the lock, or the journal has entries and `resume` is not set
 * @throws {JournalMismatchError} when resuming a run that sent another message, without `allowTemplateChange`
 */
export async function openJournalSession(journal: string, options: JournalSessionOptions): Promise<JournalSession> {
  await checkJournalPath(journal);
  let lock: JournalLock | undefined;
  if (!options.dryRun) {
    try {
      lock = await lockJournal(journal);
    } catch (error) {
      throw error instanceof JournalInUseError ? error : new JournalFileError(journal, error);
    }
  }
  try {
    const replay = await readJournal(journal).catch((error: unknown) => {
      throw new JournalFileError(journal, error);
    });
    if (replay.entries > 0 && !options.resume) {
      throw new JournalInUseError(`The journal ${journal} already records an earlier run; resume it (--resume), or choose a new journal file.`);
    }
    checkResumedRun(replay.runs.map((run) => run.fingerprint), options.fingerprint, journal, options.allowTemplateChange);
    const stale = lock?.tookOverFrom;
    if (stale) {
      options.onWarning?.(
        `The journal's lock ${lock!.path} was left by process ${stale.pid} on this host (since ${stale.at}), which no longer runs: ` +
          "it ended without releasing it (killed, or crashed). This run took the lock over.",
      );
    }
    if (replay.tornLines > 0) {
      const lines = replay.tornLines === 1 ? "1 line that is not an entry" : `${replay.tornLines} lines that are not entries`;
      options.onWarning?.(`The journal ${journal} has ${lines} (cut short by a crash, or not written by jelou-flow); skipped.`);
    }
    return { prior: replay.states, release: async () => lock?.release() };
  } catch (error) {
    await lock?.release();
    throw error;
  }
}

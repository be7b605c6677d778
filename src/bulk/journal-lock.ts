import { randomUUID } from "node:crypto";
import { readFileSync, unlinkSync } from "node:fs";
import { open, readFile, stat, unlink, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { lock as lockDir } from "proper-lockfile";
import { JournalInUseError, type LockHolder } from "./journal.js";

/** A journal's lock, held by this process until `release`. */
export interface JournalLock {
  /** The lock file, `<journal>.lock`: who holds it, and what a person deletes. */
  readonly path: string;
  /** The holder of a lock left by a process of this host that no longer runs, which this one replaced. */
  readonly tookOverFrom: LockHolder | undefined;
  /** Removes the lock; safe to call more than once. */
  release(): Promise<void>;
}

// A killed run stops refreshing its lock directory's mtime; after STALE_MS proper-lockfile takes the directory over.
const STALE_MS = 3_000;
const RETRY_MS = 25;
const WAIT_MS = STALE_MS + 2_000;

function parseHolder(text: string): LockHolder | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockHolder> | null;
    const texts = typeof v?.host === "string" && typeof v.at === "string" && typeof v.id === "string";
    return texts && typeof v.pid === "number" ? (v as LockHolder) : undefined;
  } catch {
    return undefined;
  }
}

/** The holder a lock file names, `undefined` when it says nothing usable, `"gone"` when there is none. */
const readHolder = (path: string): Promise<LockHolder | undefined | "gone"> =>
  readFile(path, "utf8").then(parseHolder, (error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return "gone";
    throw error;
  });

/** Signal 0 checks without sending anything; EPERM means it runs as another user. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Another host's process numbers mean nothing here: only this host's locks can be known to be left behind. */
const isLeft = (holder: LockHolder) => holder.host === hostname() && !isRunning(holder.pid);

function inUse(journal: string, path: string, holder: LockHolder | undefined, busy?: string): JournalInUseError {
  const twice = "two runs on one journal could send a recipient twice";
  let message: string;
  if (busy !== undefined && holder !== undefined && isLeft(holder)) {
    message =
      `The journal ${journal} is locked by ${path}, left by process ${holder.pid}, which no longer runs; ` +
      `another run holds ${busy} to take it over. Try again in a moment; if ${busy} stays and no other run uses this journal, ` +
      `delete it and ${path} and try again (${twice}).`;
  } else if (holder === undefined) {
    message =
      `The journal ${journal} is locked by ${path}, which does not say which run holds it ` +
      "(it may be being written this instant). " +
      `Try again in a moment; if no other run uses this journal, delete ${path} and try again (${twice}).`;
  } else if (holder.host === hostname()) {
    message =
      `The journal ${journal} is in use by another run: process ${holder.pid} on this host has held its lock ${path} ` +
      `since ${holder.at}. Wait for that run to end, or stop it (Ctrl-C in its terminal, or kill ${holder.pid}), ` +
      `then run again with --resume; ${twice}. ` +
      `If process ${holder.pid} is not a jelou-flow run (its number was reused), delete ${path} and try again.`;
  } else {
    message =
      `The journal ${journal} is in use by another run: process ${holder.pid} on host ${holder.host} has held its lock ${path} ` +
      `since ${holder.at}. ` +
      `Wait for that run to end; ${twice}. If it no longer runs on ${holder.host}, delete ${path} and try again.`;
  }
  return new JournalInUseError(message, { path, holder });
}

/**
 * Takes the journal's lock, so that a second run on the same journal is refused rather than sending the same
 * recipients. Two locks: `<journal>.lock` beside it, which a person finds, and one in the temporary folder named by the
 * file's device and inode, which every other name of the file (a symbolic or hard link) shares. A lock left by a process
 * of this host that no longer runs is taken over and reported in `tookOverFrom`.
 *
 * @param journal the journal's path, made (empty) if absent so that it has an inode; removed again if left empty
 * @returns the lock, to `release` however the run ends
 * @throws {@link JournalInUseError} when another run holds the lock, naming the lock file, the process and what to do
 * @throws the file system's error when the lock cannot be made (a missing folder, no permission, a full disk)
 */
export async function lockJournal(journal: string): Promise<JournalLock> {
  // Appended to, another journal's lock file would no longer say who holds it, and refuse every later run.
  const small = ((await stat(journal).catch(() => undefined))?.size ?? Infinity) < 1024;
  if (small && parseHolder(await readFile(journal, "utf8").catch(() => "")) !== undefined) {
    const why = "writing to it would break that lock. Choose another journal file (--journal FILE).";
    throw new JournalInUseError(`The journal ${journal} is the lock file of another journal: ${why}`);
  }
  const byName = await lockFile(journal, `${journal}.lock`);
  let made = false;
  const removeIfMadeEmpty = async (ino?: number) => {
    const empty = await stat(journal).then((s) => s.size === 0 && (ino === undefined || s.ino === ino), () => false);
    if (made && empty) await unlink(journal).catch(() => undefined);
  };
  try {
    // Exclusive, so that of two runs only the one that made it removes it; a link to no file yet is made through "a".
    made = await open(journal, "wx").then(
      (handle) => handle.close().then(() => true),
      (error: NodeJS.ErrnoException) => (error.code === "EEXIST" ? false : Promise.reject(error)),
    );
    if (!made) await (await open(journal, "a")).close();
    const { dev, ino } = await stat(journal);
    const byInode = await lockFile(journal, join(tmpdir(), `jelou-flow-journal-${dev}-${ino}.lock`));
    return {
      path: byName.path,
      tookOverFrom: byName.tookOverFrom ?? byInode.tookOverFrom,
      async release() {
        // The inode's lock goes first: once the file is removed, its inode may become another file's.
        await byInode.release();
        await removeIfMadeEmpty(ino);
        await byName.release();
      },
    };
  } catch (error) {
    await removeIfMadeEmpty();
    await byName.release();
    throw error;
  }
}

/**
 * One lock: proper-lockfile's directory `<path>.live` (made atomically, its mtime refreshed while this process runs)
 * says that it is held; the file `path` beside it, written only by the directory's holder, says by whom.
 */
async function lockFile(journal: string, path: string): Promise<JournalLock> {
  const live = `${path}.live`;
  for (const deadline = Date.now() + WAIT_MS; ; ) {
    // A lock that is compromised (its directory removed by hand) is not ours to act on: the run goes on.
    const options = { lockfilePath: live, realpath: false, stale: STALE_MS, onCompromised: () => {} };
    const releaseDir = await lockDir(path, options).catch((error: NodeJS.ErrnoException) =>
      error.code === "ELOCKED" ? undefined : Promise.reject(error),
    );
    const holder = await readHolder(path);
    if (releaseDir !== undefined) {
      if (holder !== "gone" && (holder === undefined || !isLeft(holder))) {
        await releaseDir();
        throw inUse(journal, path, holder);
      }
      return hold(path, releaseDir, holder === "gone" ? undefined : holder);
    }
    // Held: by a live run (refused now), or being written, released or left by a killed run (wait for it to go stale).
    if (typeof holder === "object" && !isLeft(holder)) throw inUse(journal, path, holder);
    if (Date.now() > deadline) throw inUse(journal, path, holder === "gone" ? undefined : holder, live);
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}

async function hold(path: string, releaseDir: () => Promise<void>, tookOverFrom: LockHolder | undefined): Promise<JournalLock> {
  const me: LockHolder = { pid: process.pid, host: hostname(), at: new Date().toISOString(), id: randomUUID() };
  const mine = (text: string) => parseHolder(text)?.id === me.id;
  // proper-lockfile removes its directory when the process exits without a release (process.exit); this is the file.
  const onExit = () => {
    try {
      if (mine(readFileSync(path, "utf8"))) unlinkSync(path);
    } catch {
      // gone already: nothing of ours to remove
    }
  };
  try {
    await writeFile(path, `${JSON.stringify(me)}\n`);
  } catch (error) {
    // Left empty (a full disk), it would refuse every later run.
    await unlink(path).catch(() => undefined);
    await releaseDir();
    throw error;
  }
  process.on("exit", onExit);
  let released = false;
  return {
    path,
    tookOverFrom,
    async release() {
      if (released) return;
      released = true;
      process.off("exit", onExit);
      if (mine(await readFile(path, "utf8").catch(() => ""))) await unlink(path).catch(() => undefined);
      await releaseDir().catch(() => undefined);
    },
  };
}

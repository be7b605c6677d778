import { randomUUID } from "node:crypto";
import { readFileSync, unlinkSync } from "node:fs";
import { lstat, open, readFile, readlink, realpath, unlink } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { basename, dirname, isAbsolute, join } from "node:path";
import { JournalInUseError, type LockHolder } from "./journal.js";

/** A journal's lock, held by this process until `release`. */
export interface JournalLock {
  /** The lock file: the journal's path and `.lock`. */
  readonly path: string;
  /** The holder of a stale lock this one replaced: its process no longer runs on this host. */
  readonly tookOverFrom: LockHolder | undefined;
  /** Removes the lock file if it is still this lock's; safe to call more than once. */
  release(): Promise<void>;
}

/** What a lock file says: its holder, `undefined` when it says nothing usable (being written, or damaged), or gone. */
function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder> | null;
    const valid = typeof value?.pid === "number" && typeof value.host === "string" && typeof value.at === "string" && typeof value.id === "string";
    return valid ? (value as LockHolder) : undefined;
  } catch {
    return undefined;
  }
}

async function readHolder(path: string): Promise<LockHolder | undefined | "gone"> {
  try {
    return parseHolder(await readFile(path, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "gone";
    throw error;
  }
}

/** Whether a process runs here: signal 0 checks without sending anything; EPERM means it runs as another user. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Only a lock of this host can be known to be stale: another host's process numbers mean nothing here. */
const isStale = (holder: LockHolder) => holder.host === hostname() && !isRunning(holder.pid);

/** A new holder's record for this process: what a lock or guard file it makes says. */
const thisProcess = (): LockHolder => ({ pid: process.pid, host: hostname(), at: new Date().toISOString(), id: randomUUID() });

/** A guard file: `<file>.takeover`. */
const guardOf = (file: string) => `${file}.takeover`;

/** How many guards left by runs that died mid-takeover, one inside the other, a takeover clears before giving up. */
const MAX_GUARD_DEPTH = 3;

type Takeover = "removed" | "changed" | "busy";

/**
 * Removes `file` only if it still is the stale lock `stale`. Renaming or removing whatever sits at the path is not
 * safe: between reading the stale lock and acting on it, another run may have replaced it with its live lock. So the
 * check and the removal happen under a guard, `<file>.takeover` made with `wx`, that one run holds at a time; a lock
 * file changes only by `wx` creation (impossible while the stale one exists), by its holder's release (dead), or by a
 * takeover (which needs the guard), so what was read under the guard is what is removed. A guard left by a run that
 * died mid-takeover is stale in turn and is removed the same way, under `<file>.takeover.takeover`.
 *
 * @returns `removed`; `changed` when the file is no longer that stale lock; `busy` when a live run holds the guard
 */
async function removeIfStill(file: string, stale: LockHolder, depth = 0): Promise<Takeover> {
  const guard = guardOf(file);
  const me = thisProcess();
  try {
    await createExclusive(guard, `${JSON.stringify(me)}\n`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const other = await readHolder(guard);
    if (typeof other === "object" && isStale(other) && depth < MAX_GUARD_DEPTH) await removeIfStill(guard, other, depth + 1);
    return "busy"; // the caller reads the lock again: the guard's holder may have taken it over meanwhile
  }
  try {
    const now = await readHolder(file);
    if (typeof now !== "object" || now.id !== stale.id) return "changed";
    await unlink(file);
    return "removed";
  } finally {
    // Ours unless a run judged us dead: remove only the guard this call made.
    const text = await readFile(guard, "utf8").catch(() => "");
    if (parseHolder(text)?.id === me.id) await unlink(guard).catch(() => undefined);
  }
}

/** Tries at taking the lock, a few milliseconds apart; a lock that stays unreadable is refused sooner. */
const ATTEMPTS = 100;
const UNREADABLE_ATTEMPTS = 10;
const RETRY_MS = 10;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function inUse(journal: string, path: string, holder: LockHolder | undefined, guard?: string): JournalInUseError {
  const twice = "two runs on one journal could send a recipient twice";
  let message: string;
  if (guard !== undefined && holder !== undefined && isStale(holder)) {
    message =
      `The journal ${journal} is locked by ${path}, left by process ${holder.pid}, which no longer runs; another run holds ${guard} ` +
      `to take it over. Try again in a moment; if ${guard} stays and no other run uses this journal, delete it and ${path} and try again (${twice}).`;
  } else if (holder === undefined) {
    message =
      `The journal ${journal} is locked by ${path}, which does not say which run holds it (it may be being written this instant). ` +
      `Try again in a moment; if no other run uses this journal, delete ${path} and try again (${twice}).`;
  } else if (holder.host === hostname()) {
    message =
      `The journal ${journal} is in use by another run: process ${holder.pid} on this host has held its lock ${path} since ${holder.at}. ` +
      `Wait for that run to end, or stop it (Ctrl-C in its terminal, or kill ${holder.pid}), then run again with --resume; ${twice}. ` +
      `If process ${holder.pid} is not a jelou-flow run (its number was reused), delete ${path} and try again.`;
  } else {
    message =
      `The journal ${journal} is in use by another run: process ${holder.pid} on host ${holder.host} has held its lock ${path} since ${holder.at}. ` +
      `Wait for that run to end; ${twice}. If it no longer runs on ${holder.host}, delete ${path} and try again.`;
  }
  return new JournalInUseError(message, { path, holder });
}

/** Symbolic links followed at most, as the kernel does (ELOOP past it). */
const MAX_LINKS = 40;

/**
 * The journal's real path: symbolic links resolved, also when the journal (or the link's target) does not exist yet,
 * so that every name of one file leads to one lock file. Paths are joined as text, never normalised: in `link/../j`
 * the `..` is the kernel's, the folder above the link's target, which `path.resolve` would read as the link's folder.
 */
async function realJournalPath(journal: string, depth = 0): Promise<string> {
  try {
    return await realpath(journal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const link = await lstat(journal).catch(() => undefined);
  if (link?.isSymbolicLink() && depth < MAX_LINKS) {
    const target = await readlink(journal);
    return realJournalPath(isAbsolute(target) ? target : `${dirname(journal)}/${target}`, depth + 1);
  }
  return join(await realpath(dirname(journal)), basename(journal));
}

/** Lock and guard files are a line or two; reading this much of a journal tells whether it is one. */
const LOCK_FILE_BYTES = 4096;

/**
 * Refuses a journal that is a lock or guard file (`--journal list.journal.jsonl.lock`): appended to, it would no longer
 * say who holds it, and every later run on its journal would be refused.
 */
async function refuseLockFile(journal: string, real: string): Promise<void> {
  if (!/\.(lock|takeover)$/.test(real)) return;
  const handle = await open(real, "r").catch(() => undefined);
  if (handle === undefined) return;
  const head = Buffer.alloc(LOCK_FILE_BYTES);
  const { bytesRead } = await handle.read(head, 0, LOCK_FILE_BYTES, 0).finally(() => handle.close());
  if (parseHolder(head.subarray(0, bytesRead).toString("utf8")) === undefined) return;
  throw new JournalInUseError(
    `The journal ${journal} is the lock file of another journal (${real.replace(/\.(lock|takeover)$/, "")}): writing to it would break that lock. ` +
      "Choose another journal file (--journal FILE).",
  );
}

/**
 * Makes `path` holding `text`, only if it does not exist (`wx`). A write that fails (a full disk) removes the file it
 * made: left empty, it would read as a lock being written and refuse every later run, also once space is freed.
 */
async function createExclusive(path: string, text: string): Promise<void> {
  const handle = await open(path, "wx");
  try {
    await handle.writeFile(text);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw error;
  }
  await handle.close();
}

/**
 * Takes the journal's lock: `<journal>.lock`, created only if absent (`wx`), holding this process's number and host.
 * Two runs sharing one journal would both read it before either wrote, and both send the same recipients; the lock makes
 * the second refuse. The lock is on the real file, whatever it is called: `<journal>` is its real path (symbolic links
 * resolved, also to a file not made yet), and a second lock in the temporary folder, named by the file's device and
 * inode, refuses a run that names it by another hard link. A lock left by a process that no longer runs on this host
 * (killed, crashed) is taken over and reported in `tookOverFrom`; of runs taking it over at once, only one gets it (see
 * `removeIfStill`). An exit of the process without `release` (process.exit) still removes the files.
 *
 * @param journal the journal's path, made (empty) if it does not exist, so that it has an inode to lock
 * @returns the lock, to `release` when the run ends, however it ends
 * @throws {JournalInUseError} when another run holds the lock (its message names the lock file, the process and what to do),
 *   or keeps taking over a stale one for more than a second (the message names its guard, `<journal>.lock.takeover`)
 * @throws the file system's error when the lock file cannot be made (a missing folder, no permission)
 */
export async function lockJournal(journal: string): Promise<JournalLock> {
  const real = await realJournalPath(journal);
  await refuseLockFile(journal, real);
  const byPath = await lockFile(journal, `${real}.lock`);
  let made = false;
  /** Removes the journal this lock made, if nothing was written to it: a run that sent nothing leaves no file. */
  const removeIfMadeEmpty = async (ino: number | undefined) => {
    if (made && (await lstat(real).then((s) => s.size === 0 && (ino === undefined || s.ino === ino), () => false))) await unlink(real).catch(() => undefined);
  };
  try {
    // Made now, so that it has an inode to lock before any other name can reach it.
    made = await open(real, "wx").then(
      (handle) => handle.close().then(() => true),
      (error: NodeJS.ErrnoException) => {
        if (error.code === "EEXIST") return false;
        throw error;
      },
    );
    const { dev, ino } = await lstat(real);
    const byInode = await lockFile(journal, join(tmpdir(), `jelou-flow-journal-${dev}-${ino}.lock`));
    return {
      path: byPath.path,
      tookOverFrom: byPath.tookOverFrom ?? byInode.tookOverFrom,
      async release() {
        // The inode's lock goes first: once the file is removed its inode may be another file's, which must not find it held.
        await byInode.release();
        await removeIfMadeEmpty(ino);
        await byPath.release();
      },
    };
  } catch (error) {
    await removeIfMadeEmpty(undefined);
    await byPath.release();
    throw error;
  }
}

/** Takes one lock file `path` for `journal` (see {@link lockJournal}). */
async function lockFile(journal: string, path: string): Promise<JournalLock> {
  const me = thisProcess();
  let tookOverFrom: LockHolder | undefined;
  // Waiting happens only while a lock is being written or a takeover is under way: a few milliseconds each.
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    try {
      await createExclusive(path, `${JSON.stringify(me)}\n`);
      return held(path, me, tookOverFrom);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = await readHolder(path);
    if (holder === "gone") continue; // released between our attempt and the read: try again
    if (holder === undefined) {
      if (attempt >= UNREADABLE_ATTEMPTS) throw inUse(journal, path, holder);
      await pause(RETRY_MS); // another run is writing its lock this instant
      continue;
    }
    if (!isStale(holder)) throw inUse(journal, path, holder);
    // Whoever removes the stale lock, the run that then gets the lock is the one that replaced it, and says so.
    tookOverFrom = holder;
    if ((await removeIfStill(path, holder)) === "busy") await pause(RETRY_MS);
  }
  const holder = await readHolder(path);
  throw inUse(journal, path, holder === "gone" ? undefined : holder, guardOf(path));
}

function held(path: string, me: LockHolder, tookOverFrom: LockHolder | undefined): JournalLock {
  const mine = (text: string) => parseHolder(text)?.id === me.id;
  const onExit = () => {
    try {
      if (mine(readFileSync(path, "utf8"))) unlinkSync(path);
    } catch {
      // gone already, or unreadable: nothing of ours to remove
    }
  };
  process.on("exit", onExit);
  let released = false;
  return {
    path,
    tookOverFrom,
    async release() {
      if (released) return;
      released = true;
      process.off("exit", onExit);
      const text = await readFile(path, "utf8").catch(() => "");
      // Never remove a lock that is no longer ours: deleted by hand and taken by another run since.
      if (mine(text)) await unlink(path).catch(() => undefined);
    },
  };
}

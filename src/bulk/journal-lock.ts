import { randomUUID } from "node:crypto";
import { readFileSync, unlinkSync } from "node:fs";
import { link, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
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

/**
 * Moves a stale lock out of the way. The rename is atomic, so of two runs taking over at once only one moves the file;
 * if what it moved is not the stale lock it judged (another run had taken over in between), it puts that lock back.
 */
async function moveAside(path: string, stale: LockHolder): Promise<boolean> {
  const aside = `${path}.${randomUUID()}.stale`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
  const moved = await readHolder(aside);
  if (typeof moved === "object" && moved.id === stale.id) {
    await unlink(aside);
    return true;
  }
  // link, unlike rename, never replaces a lock file that a third run may have made meanwhile.
  await link(aside, path).catch(() => undefined);
  await unlink(aside);
  return false;
}

function inUse(journal: string, path: string, holder: LockHolder | undefined): JournalInUseError {
  const twice = "two runs on one journal could send a recipient twice";
  let message: string;
  if (holder === undefined) {
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

/**
 * Takes the journal's lock: `<journal>.lock`, created only if absent (`wx`), holding this process's number and host.
 * Two runs sharing one journal would both read it before either wrote, and both send the same recipients; the lock makes
 * the second refuse. A lock left by a process that no longer runs on this host (killed, crashed) is taken over and
 * reported in `tookOverFrom`. An exit of the process without `release` (process.exit) still removes the file.
 *
 * @param journal the journal's path
 * @returns the lock, to `release` when the run ends, however it ends
 * @throws {JournalInUseError} when another run holds the lock (its message names the lock file, the process and what to do)
 * @throws the file system's error when the lock file cannot be made (a missing folder, no permission)
 * @example
 * ```ts
 * const lock = await lockJournal("list.csv.journal.jsonl");
 * try { await run(); } finally { await lock.release(); }
 * ```
 */
export async function lockJournal(journal: string): Promise<JournalLock> {
  const path = `${journal}.lock`;
  const me: LockHolder = { pid: process.pid, host: hostname(), at: new Date().toISOString(), id: randomUUID() };
  let tookOverFrom: LockHolder | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(path, `${JSON.stringify(me)}\n`, { flag: "wx" });
      return held(path, me, tookOverFrom);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = await readHolder(path);
    if (holder === "gone") continue; // released between our attempt and the read: try again
    if (holder === undefined || !isStale(holder)) throw inUse(journal, path, holder);
    if (await moveAside(path, holder)) tookOverFrom = holder;
  }
  const holder = await readHolder(path);
  throw inUse(journal, path, holder === "gone" ? undefined : holder);
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

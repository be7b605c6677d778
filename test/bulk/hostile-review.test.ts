import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { lstat, mkdir, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JournalInUseError } from "../../src/bulk/journal.js";
import { lockJournal } from "../../src/bulk/journal-lock.js";
import { openFileJournal } from "../../src/bulk/file-journal.js";
import { tempDir } from "./helpers.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

describe("the journal's lock, named through `..` after a symbolic link", () => {
  it("locks the file the kernel opens: `link/../j` is the folder above the link's target, not the link's own folder", async () => {
    await mkdir(join(dir, "other/sub"), { recursive: true });
    await mkdir(join(dir, "here"));
    await symlink(join(dir, "other/sub"), join(dir, "here/x"));
    // Relative, from the process's folder, as a user types it; the journal does not exist yet.
    const dotted = `${relative(process.cwd(), join(dir, "here"))}/x/../j.jsonl`; // not join: it would drop `x/..` lexically
    const lock = await lockJournal(dotted);
    try {
      await expect(lockJournal(join(dir, "other/j.jsonl"))).rejects.toBeInstanceOf(JournalInUseError);
      // Named as given, the lock file is where the kernel resolves it too: beside the file the journal is.
      expect(lock.path).toBe(`${dotted}.lock`);
      expect(existsSync(join(dir, "other/j.jsonl.lock"))).toBe(true);
    } finally {
      await lock.release();
    }
  });
});

/** A tmpfs of `size`, filled to the last byte, unmounted afterwards; skipped where mounting is not allowed. */
const canMount = process.getuid?.() === 0;

describe.runIf(canMount)("a disk that is full while the lock file is written", () => {
  let mountPoint: string | undefined;
  afterEach(async () => {
    if (mountPoint !== undefined) execFileSync("umount", [mountPoint]);
    mountPoint = undefined;
  });

  it("fails without leaving an empty lock file that would refuse every later run once space is freed", async () => {
    mountPoint = join(dir, "full");
    await mkdir(mountPoint);
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=4k", "tmpfs", mountPoint]);
    const filler = join(mountPoint, "filler");
    await writeFile(filler, Buffer.alloc(4096));
    const journal = join(mountPoint, "j.jsonl");
    await expect(lockJournal(journal)).rejects.toMatchObject({ code: "ENOSPC" });
    expect((await readdir(mountPoint)).sort()).toEqual(["filler"]);
    await rm(filler);
    const lock = await lockJournal(journal);
    await lock.release();
  });
});

describe("a journal that is another journal's lock file", () => {
  it("is refused while that lock is held: appending to it would leave the lock unreadable, refusing every later run", async () => {
    const journal = join(dir, "j.jsonl");
    const lock = await lockJournal(journal);
    try {
      await expect(lockJournal(`${journal}.lock`)).rejects.toThrow(/is the lock file of another journal/);
    } finally {
      await lock.release();
    }
    expect(await readdir(dir)).toEqual([]);
  });
});

describe("a journal that is not a regular file", () => {
  it("/dev/null is refused before any lock is made: it keeps nothing, so a --resume would send everyone again", async () => {
    const options = { resume: true, allowTemplateChange: false, fingerprint: "f", dryRun: false, onWarning: undefined };
    await expect(openFileJournal("/dev/null", options)).rejects.toThrow(/The journal \/dev\/null cannot be used: it is not a regular file/);
    await expect(lstat("/dev/null.lock")).rejects.toMatchObject({ code: "ENOENT" });
  });
});

import { execFileSync, spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdir, open, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EXIT } from "../../src/cli/exit-codes.js";
import { runCli } from "../../src/cli/program.js";
import { CLI, CREDENTIALS, csvOf, inboxCounts, ROOT, runInProcess, useMockAndWorkspace } from "./helpers.js";

const ctx = useMockAndWorkspace();
const handles: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(handles.splice(0).map((h) => h.close().catch(() => undefined)));
});

describe("--journal naming the file the command's own output goes to", () => {
  it("is refused when stdout is redirected to it (`> journal`): its writes at offset 0 would overwrite the started lines", async () => {
    const list = await ctx.ws.file("stdout-list.csv", csvOf(5));
    const journal = join(ctx.ws.dir, "stdout.journal.jsonl");
    const out = await open(journal, "w");
    handles.push(out);
    const child = spawn(process.execPath, [...CLI, "bulk", list, "--template", ctx.ws.template, "--bot", "bot-out", "--journal", journal, "--json"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", ...CREDENTIALS, JELOU_BASE_URL: ctx.server.url },
      stdio: ["ignore", out.fd, "pipe"],
    });
    let stderr = "";
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code, stderr).toBe(EXIT.usage);
    expect(stderr).toContain(`--journal ${journal} is the same file as the standard output`);
    expect(inboxCounts(ctx.server.mock).size).toBe(0);
    expect(await readFile(journal, "utf8")).toBe("");
  });

  it("is refused when stderr goes to it (`2> journal`), naming the stream", async () => {
    const list = await ctx.ws.file("stderr-list.csv", csvOf(3));
    const journal = join(ctx.ws.dir, "stderr.journal.jsonl");
    const err = await open(journal, "w");
    handles.push(err);
    let stderr = "";
    const code = await runCli(["bulk", list, "--template", ctx.ws.template, "--bot", "bot-err", "--journal", journal, "--progress", "none"], {
      stdout: { write: () => true },
      stderr: { write: (s: string) => (stderr += s), fd: err.fd },
      env: { ...CREDENTIALS, JELOU_BASE_URL: ctx.server.url },
      onInterrupt: () => () => {},
    });
    expect(code, stderr).toBe(EXIT.usage);
    expect(stderr).toContain("is the same file as the standard error");
    expect(inboxCounts(ctx.server.mock).size).toBe(0);
  });
});

describe.runIf(process.getuid?.() === 0)("a disk already full when the run takes the journal's lock", () => {
  let mountPoint: string | undefined;
  afterEach(() => {
    if (mountPoint !== undefined) execFileSync("umount", [mountPoint]);
    mountPoint = undefined;
  });

  it("stops with exit 16 naming the journal, the full disk and the space to free, as a full disk later in the run does", async () => {
    mountPoint = join(ctx.ws.dir, "full");
    await mkdir(mountPoint);
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=4k", "tmpfs", mountPoint]);
    await writeFile(join(mountPoint, "filler"), Buffer.alloc(4096));
    const list = await ctx.ws.file("full-list.csv", csvOf(3));
    const journal = join(mountPoint, "j.jsonl");
    const run = await runInProcess(["bulk", list, "--template", ctx.ws.template, "--bot", "bot-full", "--journal", journal, "--progress", "none"], {
      ...CREDENTIALS,
      JELOU_BASE_URL: ctx.server.url,
    });
    expect(run.code, run.stderr).toBe(EXIT.journalWrite);
    expect(run.stderr).toContain(`The journal ${journal} cannot be used: the disk is full (ENOSPC)`);
    expect(run.stderr).toMatch(/Free some space on the file system of .*j\.jsonl/);
    expect(await readdir(mountPoint)).toEqual(["filler"]);
    expect(inboxCounts(ctx.server.mock).size).toBe(0);
  });
});

describe("a line break inside a value (a quoted CSV cell, a file name) cannot forge a line of the report", () => {
  const FORGED = "Sent 999, failed 0, unknown 0.";
  /** Every line printed: none may start with the forged text. */
  const forgedLines = (text: string) => text.split("\n").filter((line) => line.startsWith(FORGED) || line.startsWith("FORGED"));

  it("a userId cell holding a newline shows it as \\u000a in the row's line", async () => {
    const list = await ctx.ws.file("nl-cell.csv", `userId,name,order\n"5939\n${FORGED}",A,B\n593920000003,N,C\n`);
    const run = await runInProcess(["bulk", list, "--template", ctx.ws.template, "--bot", "bot-nl", "--journal", `${list}.j`, "--progress", "none"], {
      ...CREDENTIALS,
      JELOU_BASE_URL: ctx.server.url,
    });
    expect(run.code, run.stderr).toBe(EXIT.validation);
    expect(forgedLines(run.stderr)).toEqual([]);
    expect(run.stderr).toContain(`row 2 (5939\\u000a${FORGED}): userId must be`);
  });

  it("a list and a journal named with a newline, in the run's lines and summary", async () => {
    const list = await ctx.ws.file(`nl-name\n${FORGED}.csv`, csvOf(2));
    const journal = join(ctx.ws.dir, `j\nFORGED.jsonl`);
    const run = await runInProcess(["bulk", list, "--template", ctx.ws.template, "--bot", "bot-nl", "--journal", journal, "--progress", "none"], {
      ...CREDENTIALS,
      JELOU_BASE_URL: ctx.server.url,
    });
    expect(run.code, run.stderr).toBe(EXIT.ok);
    expect(forgedLines(run.stderr)).toEqual([]);
    expect(run.stderr).toContain("j\\u000aFORGED.jsonl");
    const missing = await runInProcess(["bulk", `${list}.absent`, "--template", ctx.ws.template, "--bot", "bot-nl"], CREDENTIALS);
    expect(missing.code).toBe(EXIT.usage);
    expect(forgedLines(missing.stderr)).toEqual([]);
  });
});

describe("a list that is a pipe (/dev/stdin fed by `cat list |`, a named pipe)", () => {
  it("is refused with exit 2 saying that the list must be a file, and why, instead of ESPIPE", async () => {
    const fifo = join(ctx.ws.dir, "list.fifo");
    execFileSync("mkfifo", [fifo]);
    const before = ctx.server.mock.inbox.list({ limit: 20_000 }).length;
    const run = await runInProcess(["bulk", fifo, "--template", ctx.ws.template, "--bot", "bot-pipe"], { ...CREDENTIALS, JELOU_BASE_URL: ctx.server.url });
    expect(run.code, run.stderr).toBe(EXIT.usage);
    expect(run.stderr).toContain(`${fifo} is not a regular file`);
    expect(run.stderr).toContain("save the list to a file");
    expect(ctx.server.mock.inbox.list({ limit: 20_000 }).length).toBe(before);
  });
});

describe("a server's error message holding a newline, in `send`", () => {
  it("shows it as \\u000a, so that it cannot print a forged \"Sent\" line", async () => {
    const server = createServer((_req, res) => {
      res.writeHead(422, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "validation_error", message: "bad\nSent: HTTP 200 (1 attempt).", problems: [{ path: "title\nFORGED", message: "m\nFORGED" }] }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    handles.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const run = await runInProcess(["send", "--bot", "b", "--to", "593930000001", "--file", ctx.ws.template], { ...CREDENTIALS, JELOU_BASE_URL: url });
    expect(run.code, run.stderr).toBe(EXIT.validation);
    const lines = (run.stdout + run.stderr).split("\n");
    expect(lines.filter((line) => line.startsWith("Sent") || line.startsWith("FORGED"))).toEqual([]);
    expect(run.stderr).toContain("bad\\u000aSent: HTTP 200");
  });
});

import { spawn } from "node:child_process";
import { open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EXIT } from "../../src/cli/exit-codes.js";
import { runCli } from "../../src/cli/program.js";
import { CLI, CREDENTIALS, csvOf, inboxCounts, ROOT, useMockAndWorkspace } from "./helpers.js";

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

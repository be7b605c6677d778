import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exitCodeOf, BulkTally } from "../../src/cli/bulk-report.js";
import { BULK_EXIT_PRECEDENCE, BULK_EXIT_PRECEDENCE_TEXT, EXIT, EXIT_CODE_MEANINGS } from "../../src/cli/exit-codes.js";
import { ROOT, runCliProcess, runInProcess } from "./helpers.js";

const plain = (markdown: string) => markdown.replaceAll("`", "");
/** Text with its line breaks and the indentation after them folded into single spaces. */
const unwrapped = (text: string) => text.replace(/\n +/g, " ");

describe("jelou-flow --help", () => {
  it("lists the commands, the environment and every exit code", async () => {
    const run = await runInProcess(["--help"]);
    expect(run.code).toBe(EXIT.ok);
    for (const text of ["send [options]", "bulk [options] <recipients.csv>", "mock [args...]", "Examples:", "JELOU_CLIENT_ID", "JELOU_BASE_URL"]) {
      expect(run.stdout).toContain(text);
    }
    for (const code of Object.values(EXIT)) expect(run.stdout).toMatch(new RegExp(`^  ${code} +\\S`, "m"));
  });

  it("and docs/cli.md's exit codes are the one table in code: every meaning, and the precedence 130, 14, 13, 15", async () => {
    const help = unwrapped((await runInProcess(["--help"])).stdout);
    const page = await readFile(join(ROOT, "docs/cli.md"), "utf8");
    const start = page.indexOf("## Exit codes");
    const next = page.indexOf("\n## ", start + 4);
    const section = page.slice(start, next === -1 ? undefined : next);
    const rows = section.split("\n").filter((line) => /^\| \d+ \|/.test(line));
    const expected = EXIT_CODE_MEANINGS.map(({ code, meaning }) => `| ${code} | ${meaning.replaceAll("|", "\\|")} |`);
    expect(rows).toEqual(expected);
    expect(EXIT_CODE_MEANINGS.map((m) => m.code)).toEqual(Object.values(EXIT));
    for (const { code, meaning } of EXIT_CODE_MEANINGS) expect(help).toContain(` ${String(code).padEnd(5)}${plain(meaning)}`);
    expect(section).toContain(BULK_EXIT_PRECEDENCE_TEXT);
    expect(help).toContain(plain(BULK_EXIT_PRECEDENCE_TEXT));
    expect(BULK_EXIT_PRECEDENCE_TEXT).toContain("the first of 130, 14, 13 and 15");
    expect(unwrapped((await runInProcess(["bulk", "--help"])).stdout)).toContain("when several apply, the first of 130, 14, 13, 15");

    // The precedence stated is the one exitCodeOf applies: each code wins over every code after it.
    const tallyWith = (code: number) => {
      const tally = new BulkTally();
      if (code === EXIT.bulkUnknown) tally.counts.unknown = 1;
      if (code === EXIT.bulkFailed) tally.counts.failed = 1;
      if (code === EXIT.bulkSkippedInvalid) tally.counts.invalid = 1;
      return tally;
    };
    BULK_EXIT_PRECEDENCE.forEach((code, i) => {
      const tally = new BulkTally();
      for (const later of BULK_EXIT_PRECEDENCE.slice(i)) for (const [k, v] of Object.entries(tallyWith(later).counts)) tally.counts[k as keyof BulkTally["counts"]] += v;
      expect(exitCodeOf(tally, code === EXIT.interrupted)).toBe(code);
    });
  });

  it.each([
    ["send", ["--bot <botId>", "--to <phone>", "--cta <text>", "--dry-run", "--json", "$ jelou-flow send --bot"]],
    ["bulk", ["--template <message.json>", "--rate <n/s>", "--resume", "--resend-unknown", "--skip-invalid", "--concurrency <n>", "$ jelou-flow bulk customers.csv"]],
  ])("jelou-flow %s --help shows its flags and examples", async (command, texts) => {
    const run = await runInProcess([command, "--help"]);
    expect(run.code).toBe(EXIT.ok);
    for (const text of texts) expect(run.stdout).toContain(text);
  });

  it("runs as a process: --version, the mock's own help, and exit code 2 on an unknown command", { timeout: 30_000 }, async () => {
    const [version, mockHelp, unknown] = await Promise.all([
      runCliProcess(["--version"]),
      runCliProcess(["mock", "--help"]),
      runCliProcess(["sned"]),
    ]);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(mockHelp.code).toBe(0);
    expect(mockHelp.stdout).toContain("--port");
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.stderr).toContain("unknown command 'sned'");
  });
});

import { describe, expect, it } from "vitest";
import { EXIT } from "../../src/cli/exit-codes.js";
import { runCliProcess, runInProcess } from "./helpers.js";

describe("jelou-flow --help", () => {
  it("lists the commands, the environment and every exit code", async () => {
    const run = await runInProcess(["--help"]);
    expect(run.code).toBe(EXIT.ok);
    for (const text of ["send [options]", "bulk [options] <recipients.csv>", "mock [args...]", "Examples:", "JELOU_CLIENT_ID", "JELOU_BASE_URL"]) {
      expect(run.stdout).toContain(text);
    }
    for (const code of Object.values(EXIT)) expect(run.stdout).toMatch(new RegExp(`^  ${code} +\\S`, "m"));
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

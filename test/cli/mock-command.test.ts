import { describe, expect, it } from "vitest";
import type { InterruptCause } from "../../src/cli/io.js";
import { runCli } from "../../src/cli/program.js";

describe("jelou-flow mock, run in-process", () => {
  it("writes to the given streams, reads the given environment, and stops on the given interrupt", { timeout: 20_000 }, async () => {
    let stdout = "";
    let stderr = "";
    const listeners: Array<(cause?: InterruptCause) => void> = [];
    const running = runCli(["mock", "--port", "0"], {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: { JELOU_CLIENT_ID: "io-env-client", JELOU_CLIENT_SECRET: "io-env-secret" },
      onInterrupt(listener) {
        listeners.push(listener);
        return () => listeners.splice(listeners.indexOf(listener), 1);
      },
    });
    const deadline = Date.now() + 15_000;
    while (!stdout.includes("Press Ctrl-C to stop.") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(stdout).toMatch(/Mock Jelou listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(stdout).toContain('client id "io-env-client"'); // from io.env, not process.env
    expect(stdout).not.toContain("io-env-secret");

    for (const listener of [...listeners]) listener("output-closed"); // a closed output does not stop a server
    await new Promise((r) => setTimeout(r, 50));
    expect(stdout).not.toContain("Stopping");
    for (const listener of [...listeners]) listener("signal");
    expect(await running).toBe(0);
    expect(stdout).toContain("Stopped. It accepted 0 and rejected 0 requests.");
    expect(listeners).toHaveLength(0);
    expect(stderr).toBe("");
  });
});

import type { CliIo } from "./io.js";

/** What `jelou-flow/mock` offers the command line: `runMockCli` and the part of its io this command passes. */
interface MockModule {
  runMockCli(
    argv: string[],
    io: { stdout: (text: string) => void; stderr: (text: string) => void; env: CliIo["env"]; signal: AbortSignal },
  ): Promise<number>;
}

/**
 * `jelou-flow mock ...`: every argument goes to the mock's own command line, which owns its flags and its `--help`.
 * The mock is reached through the package's public entry only, so the client never depends on it. It is given this
 * command's streams, environment and stop requests, so that it runs in-process (tests) as it does as a process.
 *
 * @param argv the arguments after `mock`, such as `["--port", "4010"]`
 * @param io where to write, the environment to read credentials and PORT from, and the stop requests (Ctrl-C)
 * @returns the mock's exit code: 0 after a clean stop or `--help`, 1 when it cannot start, 2 for wrong flags
 */
export async function runMock(argv: string[], io: CliIo): Promise<number> {
  const mock = (await import("jelou-flow/mock")) as unknown as MockModule;
  const stop = new AbortController();
  // A person's stop request ends the server; a closed output does not: `jelou-flow mock | head -3` keeps it serving.
  const unsubscribe = io.onInterrupt((cause) => cause !== "output-closed" && stop.abort());
  try {
    return await mock.runMockCli(argv, {
      stdout: (text) => void io.stdout.write(text),
      stderr: (text) => void io.stderr.write(text),
      env: io.env,
      signal: stop.signal,
    });
  } finally {
    unsubscribe();
  }
}

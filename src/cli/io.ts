/** A stream the command line writes to: process.stdout, or a buffer in tests. */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Everything the command line touches outside itself, so that it runs the same in-process (tests) and as a process. */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Readonly<Record<string, string | undefined>>;
  /** Subscribes to Ctrl-C (SIGINT) and SIGTERM; returns the unsubscribe function. */
  onInterrupt(listener: () => void): () => void;
  /** A fetch to send through instead of the network (in-process tests pass a mock's `fetch`). */
  fetch?: (request: Request) => Promise<Response>;
}

/** The real process: its streams, its environment and its signals. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    onInterrupt(listener) {
      process.on("SIGINT", listener);
      process.on("SIGTERM", listener);
      return () => {
        process.off("SIGINT", listener);
        process.off("SIGTERM", listener);
      };
    },
  };
}

/** A problem with how the command was called: printed as is, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

import { readFile } from "node:fs/promises";

/** A stream the command line writes to: process.stdout, or a buffer in tests. */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
  /** The file descriptor behind it (1, 2), when it is a process stream: the journal must never be the file it writes to. */
  fd?: number;
}

/** A signal (Ctrl-C, SIGTERM, SIGHUP; also when not given), or an output that can no longer be written (`| head -1`). */
export type InterruptCause = "signal" | "output-closed";

/** Everything the command line touches outside itself, so that it runs the same in-process (tests) and as a process. */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Readonly<Record<string, string | undefined>>;
  /** Subscribes to the reasons to stop; returns the unsubscribe function. */
  onInterrupt(listener: (cause?: InterruptCause) => void): () => void;
  /** A fetch to send through instead of the network (in-process tests pass a mock's `fetch`). */
  fetch?: (request: Request) => Promise<Response>;
  /** `verify`'s confirmation, answered by in-process tests instead of the terminal. */
  prompt?: (question: string) => Promise<string>;
  /** With `prompt`: whether a person is there to answer. */
  isTTY?: boolean;
}

/** A problem with how the command was called: printed as is, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** SIGHUP comes when the terminal closes (an ssh session dropped): like SIGTERM, a request to stop, not a crash. */
const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Without an 'error' listener an EPIPE is an uncaught exception that kills a bulk run before the sends in flight are
 * journaled; here writing stops, and `onClosed` lets the run stop as on Ctrl-C.
 */
function survivingStream(stream: NodeJS.WriteStream, onClosed: () => void): OutputStream {
  let closed = false;
  stream.on("error", () => {
    closed = true;
    onClosed();
  });
  return {
    write: (text) => (closed ? false : stream.write(text)),
    // The stream classes do not declare it, but process.stdout and process.stderr have one.
    fd: (stream as NodeJS.WriteStream & { fd?: number }).fd,
    get isTTY() {
      return stream.isTTY;
    },
    get columns() {
      return stream.columns;
    },
  };
}

/** The real process: its streams, environment and signals; a closed stdout or stderr is told as `"output-closed"`. */
export function processIo(): CliIo {
  const listeners = new Set<(cause?: InterruptCause) => void>();
  let outputClosed = false;
  const closeOutput = () => {
    if (outputClosed) return;
    outputClosed = true;
    for (const listener of listeners) listener("output-closed");
  };
  return {
    stdout: survivingStream(process.stdout, closeOutput),
    stderr: survivingStream(process.stderr, closeOutput),
    env: process.env,
    onInterrupt(listener) {
      const onSignal = () => listener("signal");
      for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
      listeners.add(listener);
      if (outputClosed) queueMicrotask(() => listener("output-closed"));
      return () => {
        for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
        listeners.delete(listener);
      };
    },
  };
}

/** Reads a JSON file named in a flag; every failure is a usage error saying which file and why. */
export async function readJsonFile(path: string, flag: string): Promise<unknown> {
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`${flag} ${path}: ${error.code === "ENOENT" ? "no such file" : error.message}.`);
  });
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw new UsageError(`${flag} ${path} is not valid JSON: ${(error as Error).message}.`);
  }
}

/** A stream the command line writes to: process.stdout, or a buffer in tests. */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
  /** The file descriptor behind it (1, 2), when it is a process stream: the journal must never be the file it writes to. */
  fd?: number;
}

/**
 * Why a command is asked to stop: a signal (Ctrl-C, SIGTERM, SIGHUP; also when the cause is not given), or its output
 * can no longer be written (the reader of a pipe went away, as `| head -1` does).
 */
export type InterruptCause = "signal" | "output-closed";

/** Everything the command line touches outside itself, so that it runs the same in-process (tests) and as a process. */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Readonly<Record<string, string | undefined>>;
  /** Subscribes to the reasons to stop (see {@link InterruptCause}); returns the unsubscribe function. */
  onInterrupt(listener: (cause?: InterruptCause) => void): () => void;
  /** A fetch to send through instead of the network (in-process tests pass a mock's `fetch`). */
  fetch?: (request: Request) => Promise<Response>;
}

/** SIGHUP comes when the terminal closes (an ssh session dropped): like SIGTERM, a request to stop, not a crash. */
const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * A process stream that survives its reader going away. Without an 'error' listener an EPIPE is an uncaught exception
 * that kills a bulk run mid-send, before the outcomes in flight are journaled; here it stops the writing and is reported
 * once through `onClosed`, so that the run can stop as it does on Ctrl-C.
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

/**
 * The real process: its streams, its environment and its signals. A closed stdout or stderr (EPIPE, or EIO from a
 * terminal gone) is never a crash: writing to it stops, and subscribers are told `"output-closed"`.
 *
 * @returns the process's io
 */
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

/**
 * A problem with how the command was called: printed as is, exit code 2.
 */
export class UsageError extends Error {
  override name = "UsageError";
}

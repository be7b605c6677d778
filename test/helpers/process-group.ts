import { spawn } from "node:child_process";
import { LineRingBuffer } from "./ring-buffer.js";

/** A server process started in a process group of its own, so that stopping it stops everything it spawned. */
export interface ProcessGroup {
  /** A short name for messages, such as `prism proxy`. */
  readonly name: string;
  /** The pid of the group leader; the group id is the same number. */
  readonly pid: number;
  /** The command line, for messages. */
  readonly commandLine: string;
  /** The last lines of stdout and stderr, interleaved as they came. */
  logs(): string;
  /**
   * Resolves with the first match of `pattern` in the output (already printed or to come), line by line.
   *
   * @throws Error with the logs when the process ends first or `timeoutMs` passes
   */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** The exit code or signal once the process has ended, `undefined` while it runs. */
  exitStatus(): string | undefined;
  /** Sends SIGTERM to the whole group, then SIGKILL if it is still alive after `graceMs`; resolves once it has ended. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<number>();
let exitHookInstalled = false;

function killAll(): void {
  for (const pid of running) killGroup(pid, "SIGKILL");
}

/**
 * Kills every group still running when this process ends, whatever the reason: a failed test must not leave servers
 * behind. Node runs no "exit" handler when a signal ends the process, and that is how this process usually ends early:
 * Vitest stops its workers with SIGTERM, and Ctrl-C sends SIGINT to the terminal's process group (which the detached
 * servers are not in). So those signals kill the groups too, and then end the process as the signal would have.
 */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", killAll);
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
    process.once(signal, () => {
      killAll();
      // Another handler (the test runner's) decides what the signal does; with none, the default: end the process.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group has already gone.
  }
}

/**
 * Starts `command` detached, as the leader of a new process group, keeping its output in a ring buffer.
 *
 * @param name a short name for messages
 * @param command the executable; start the real binary (`node_modules/.bin/prism`), never `npx`, whose pid is not the server's
 * @param args its arguments
 * @param options.cwd working directory; options.env extra environment variables; options.logLines lines of output kept
 * @throws Error when the process cannot be spawned at all
 */
export function startProcessGroup(
  name: string,
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; logLines?: number } = {},
): ProcessGroup {
  installExitHook();
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (child.pid === undefined) throw new Error(`${name}: could not spawn ${command}`);
  const pid = child.pid;
  running.add(pid);
  const buffer = new LineRingBuffer(options.logLines ?? 200);
  const watchers = new Set<() => void>();
  const onOutput = (chunk: Buffer) => {
    buffer.push(chunk);
    for (const watcher of watchers) watcher();
  };
  child.stdout?.on("data", onOutput);
  child.stderr?.on("data", onOutput);

  let status: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once("exit", (code, signal) => {
      status = signal === null ? `exit code ${code}` : `signal ${signal}`;
      running.delete(pid);
      resolve();
    });
    child.once("error", (error) => {
      status = `spawn error: ${error.message}`;
      running.delete(pid);
      resolve();
    });
  });

  return {
    name,
    pid,
    commandLine: [command, ...args].join(" "),
    logs: () => buffer.toString(),
    exitStatus: () => status,
    waitForOutput(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const done = (outcome: () => void) => {
          watchers.delete(check);
          clearTimeout(timer);
          outcome();
        };
        const check = () => {
          const match = pattern.exec(buffer.toString());
          if (match !== null) done(() => resolve(match));
          else if (status !== undefined) done(() => reject(new Error(`${name} ended (${status}) before printing ${pattern}\n${buffer}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`${name} did not print ${pattern} in ${timeoutMs} ms\n${buffer}`))), timeoutMs);
        watchers.add(check);
        void exited.then(check);
        check();
      });
    },
    async stop(graceMs = 3_000) {
      if (status !== undefined) return;
      killGroup(pid, "SIGTERM");
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<"late">((resolve) => {
        timer = setTimeout(() => resolve("late"), graceMs);
      });
      const outcome = await Promise.race([exited, late]);
      clearTimeout(timer);
      if (outcome === "late") {
        killGroup(pid, "SIGKILL");
        await exited;
      }
      // Children that ignored SIGTERM while the leader exited are still in the group.
      killGroup(pid, "SIGKILL");
    },
  };
}

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { createMockJelou, type MockJelou } from "../../mock/index.js";
import { TEMPLATE } from "../bulk/helpers.js";

export { TEMPLATE };

export const ROOT = resolve(import.meta.dirname, "../..");
/** The command line as users run it from a checkout: one node process, TypeScript through tsx. */
export const CLI = ["--import", "tsx", join(ROOT, "src/cli/main.ts")];

export const CREDENTIALS = { JELOU_CLIENT_ID: "ops-team", JELOU_CLIENT_SECRET: "s3cret-value" };

/** The phone number of recipient i. */
export const phone = (i: number) => String(593_900_000_000 + i);

export function csvOf(count: number, edit?: (i: number, cells: string[]) => string[]): string {
  const lines = ["userId,name,order"];
  for (let i = 0; i < count; i++) {
    const cells = [phone(i), `Name ${i}`, `A-${i}`];
    lines.push((edit ? edit(i, cells) : cells).join(","));
  }
  return `${lines.join("\n")}\n`;
}

/** A temporary folder with the template, removed afterwards. */
export async function workspace(): Promise<{ dir: string; template: string; file(name: string, text: string): Promise<string>; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "jelou-cli-"));
  const template = join(dir, "message.json");
  await writeFile(template, JSON.stringify(TEMPLATE));
  return {
    dir,
    template,
    async file(name, text) {
      const path = join(dir, name);
      await writeFile(path, text);
      return path;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The mock Jelou over HTTP on loopback, with room for every message of a test. */
export async function httpMock(): Promise<{ mock: MockJelou; url: string; close(): Promise<void> }> {
  const mock = createMockJelou({ clientId: CREDENTIALS.JELOU_CLIENT_ID, clientSecret: CREDENTIALS.JELOU_CLIENT_SECRET, maxMessages: 20_000 });
  const server = await mock.listen({ port: 0, hostname: "127.0.0.1" });
  return { mock, url: server.url, close: () => server.close() };
}

/** How many times each phone number is in the inbox. */
export function inboxCounts(mock: MockJelou): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of mock.inbox.list({ limit: 20_000 })) counts.set(m.userId, (counts.get(m.userId) ?? 0) + 1);
  return counts;
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const children = new Set<ChildProcess>();

/** Runs the command line as a child process in its own process group; `killAll` stops whatever is left. */
export function startCli(args: string[], env: Record<string, string> = {}, nodeArgs: string[] = []): { child: ChildProcess; done: Promise<CliRun> } {
  return startProcess(process.execPath, [...nodeArgs, ...CLI, ...args], env);
}

/** Starts any command in its own process group, with only PATH and HOME from this environment. */
export function startProcess(command: string, args: string[], env: Record<string, string> = {}): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const done = new Promise<CliRun>((resolveRun) =>
    child.on("close", (code, signal) => {
      children.delete(child);
      resolveRun({ code, signal, stdout, stderr });
    }),
  );
  return { child, done };
}

export function runCliProcess(args: string[], env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<CliRun> {
  return startCli(args, env, nodeArgs).done;
}

/** Kills the process group of every child still running (teardown, also when a test failed). */
export function killAll(): void {
  for (const child of children) {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }
  children.clear();
}

/** Lines of a JSON-lines text. */
export const jsonLines = (text: string): Array<Record<string, unknown>> =>
  text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** A mock over HTTP and a workspace for the tests of one file, stopped and removed after them (even when one failed). */
export function useMockAndWorkspace(): { server: Awaited<ReturnType<typeof httpMock>>; ws: Awaited<ReturnType<typeof workspace>> } {
  const context = {} as ReturnType<typeof useMockAndWorkspace>;
  beforeAll(async () => {
    context.server = await httpMock();
    context.ws = await workspace();
  });
  afterAll(async () => {
    killAll();
    await context.server?.close();
    await context.ws?.cleanup();
  });
  return context;
}

/** Runs the command line in this process, with captured output (faster than a child; same code path after argv). */
export async function runInProcess(
  args: string[],
  env: Record<string, string> = {},
  extra: { fetch?: (request: Request) => Promise<Response>; interrupt?: (trigger: () => void) => void } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { runCli } = await import("../../src/cli/program.js");
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
    onInterrupt(listener) {
      extra.interrupt?.(listener);
      return () => {};
    },
    ...(extra.fetch && { fetch: extra.fetch }),
  });
  return { code, stdout, stderr };
}

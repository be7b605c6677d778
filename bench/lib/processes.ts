/**
 * Servers started as processes of their own, so that the load generator and the server do not share an event loop.
 * Built on the test harness's process groups: stopping a server stops everything it spawned.
 *
 * Fixtures and the mock's command line run from the compiled copy (bench/lib/compile.ts) when `compiled` is set, as the
 * published package runs; otherwise from source through tsx, as `npm run mock` does.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startProcessGroup, type ProcessGroup } from "../../test/helpers/process-group.js";
import { startPrism, type PrismOptions, type PrismServer } from "../../test/helpers/prism.js";
import { waitUntilAnswering } from "../../test/helpers/readiness.js";
import { CLIENT_ID, CLIENT_SECRET } from "./workload.js";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Where bench/lib/compile.ts writes the compiled copy. */
export const COMPILED = `${ROOT}node_modules/.cache/jelou-flow-bench/`;

/** Run from source (false), from the compiled copy of this checkout (true), or from another compiled tree (its path, ending in /). */
export type Compiled = boolean | string;

/** A server in its own process group. */
export interface ServerProcess {
  readonly url: string;
  readonly group: ProcessGroup;
  /** The server's resident memory now, in MB, read from /proc. */
  rssMb(): number;
  stop(): Promise<void>;
}

/**
 * The arguments that run a TypeScript file of this checkout with Node: its compiled copy, or the source through tsx.
 *
 * @param file a path from the root, such as `bench/fixtures/servers.ts`
 */
export function nodeArgs(file: string, args: readonly string[] = [], options: { nodeFlags?: readonly string[]; compiled?: Compiled } = {}): string[] {
  const flags = options.nodeFlags ?? [];
  const { compiled } = options;
  if (compiled) return [...flags, `${compiled === true ? COMPILED : compiled}${file.replace(/\.tsx?$/, ".js")}`, ...args];
  return [...flags, "--import", "tsx", `${ROOT}${file}`, ...args];
}

async function startServer(name: string, file: string, args: string[], compiled: Compiled, urlPattern: RegExp, probe: string): Promise<ServerProcess> {
  const group = startProcessGroup(name, process.execPath, nodeArgs(file, args, { compiled }), { cwd: ROOT });
  try {
    const [, url = ""] = await group.waitForOutput(urlPattern);
    await waitUntilAnswering(`${url}${probe}`, { group, intervalMs: 5 });
    return { url, group, rssMb: () => rssOf(group.pid), stop: () => group.stop() };
  } catch (error) {
    await group.stop();
    throw error;
  }
}

/** A process's resident set size in MB, from /proc (Linux). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) / 1024;
}

/**
 * Starts one of bench/fixtures/servers.ts's servers and resolves once it answers.
 *
 * @param kind bare, hono, hono-body or mock
 * @param extra more arguments (the mock's maxMessages)
 * @param compiled run the compiled copy (default true)
 * @throws Error with the server's output when it does not start
 */
export function startFixtureServer(kind: "bare" | "hono" | "hono-body" | "inline" | "mock", extra: string[] = [], compiled: Compiled = true): Promise<ServerProcess> {
  return startServer(`${kind} server`, "bench/fixtures/servers.ts", [kind, ...extra], compiled, /listening (http:\/\/127\.0\.0\.1:\d+)/, "/__bench_readiness_probe");
}

/**
 * Starts `jelou-flow mock` (the command line users run) on a free port and resolves once /__mock/health answers.
 *
 * @param flags more flags of the command; the credentials are the workload's
 * @param compiled run the compiled copy (as `npx jelou-flow mock` does) rather than the source through tsx
 */
export function startMockCli(flags: string[] = [], compiled: Compiled = true): Promise<ServerProcess> {
  const args = ["mock", "--port", "0", "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET, ...flags];
  return startServer("jelou-flow mock", "src/cli/main.ts", args, compiled, /(http:\/\/127\.0\.0\.1:\d+)/, "/__mock/health");
}

/** Prism at the error log level: its default info logging halves its throughput. */
export function startQuietPrism(options: PrismOptions): Promise<PrismServer> {
  return startPrism({ ...options, logLevel: "error" });
}

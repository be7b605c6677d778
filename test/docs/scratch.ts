import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import { readdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { CodeBlock } from "./markdown.js";

/**
 * Scratch projects for the docs' code blocks: a fresh folder per page in which `jelou-flow`, `jelou-flow/mock` and
 * `jelou-flow/queue` are this checkout's TypeScript source, and `jelou-flow` on PATH is its CLI. The package is a small
 * node_modules/jelou-flow whose exports point at the source files (symlinked), so that tsx, `node --test` and a user's
 * own vitest.config.ts all resolve it without a config of ours; `node` loads tsx through NODE_OPTIONS, as a build of
 * dist/ would not need.
 */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const BLOCK_TIMEOUT_MS = 30_000;
const OUTPUT_LIMIT = 64 * 1024;

/** The pages whose blocks run and whose links are checked: README, CONTRIBUTING, CHANGELOG and docs/*.md. */
export function docsPages(root = ROOT): string[] {
  const top = ["README.md", "CONTRIBUTING.md", "CHANGELOG.md"].filter((page) => existsSync(join(root, page)));
  const docs = existsSync(join(root, "docs")) ? readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).sort() : [];
  return [...top, ...docs.map((f) => `docs/${f}`)];
}

/** What every block of every page gets: the mock's address and credentials, a Redis if one was started, the CLI shim. */
export interface BlockEnvironment {
  mockUrl: string;
  clientId: string;
  clientSecret: string;
  redisUrl?: string;
  /** A folder holding the `jelou-flow` shim, put first on PATH. */
  binDir: string;
}

/** Writes the `jelou-flow` shim into `binDir`: the checkout's CLI run from source with tsx. */
export async function writeCliShim(binDir: string): Promise<void> {
  await mkdir(binDir, { recursive: true });
  const main = join(ROOT, "src/cli/main.ts");
  await writeFile(join(binDir, "jelou-flow"), `#!/bin/sh\nexec node --import tsx ${JSON.stringify(main)} "$@"\n`, { mode: 0o755 });
}

/** A literal default address of the mock or of Redis, as the rule says, replaced by the ones the test started. */
export function substitute(code: string, env: BlockEnvironment): string {
  let out = code.replaceAll("http://127.0.0.1:4010", env.mockUrl);
  if (env.redisUrl) out = out.replaceAll("redis://127.0.0.1:6379", env.redisUrl.replace(/\/\d+$/, ""));
  return out;
}

/** node_modules/jelou-flow: the checkout's package.json with each export's dist/*.js turned into its source .ts. */
async function linkPackage(project: string): Promise<void> {
  const pkg = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as { exports: Record<string, unknown> };
  const source = (target: string) => target.replace(/^\.\/dist\//, "./").replace(/\.js$/, ".ts");
  const exports = Object.fromEntries(
    Object.entries(pkg.exports).map(([key, value]) => {
      if (typeof value === "string") return [key, source(value)];
      const { import: entry } = value as { import: string };
      return [key, { types: source(entry), import: source(entry) }];
    }),
  );
  const dir = join(project, "node_modules", "jelou-flow");
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "package.json"), JSON.stringify({ ...pkg, exports, bin: undefined, scripts: undefined }, null, 2));
  const skip = new Set(["package.json", "package-lock.json", "node_modules", "test-artifacts", ".git", "dist"]);
  for (const entry of await readdir(ROOT)) if (!skip.has(entry)) await symlink(join(ROOT, entry), join(dir, entry));
  await symlink(join(ROOT, "node_modules", ".bin"), join(project, "node_modules", ".bin"));
}

/** A fresh project for one page, with its `file:` blocks written (after the defaults, so that a page's own win). */
export async function createProject(parent: string, page: string, files: readonly CodeBlock[], env: BlockEnvironment) {
  const project = join(parent, `${page.replace(/[^\w.-]+/g, "-")}-${randomUUID().slice(0, 8)}`);
  await mkdir(project, { recursive: true });
  await writeFile(join(project, "package.json"), JSON.stringify({ name: "docs-scratch", private: true, type: "module" }, null, 2));
  await linkPackage(project);
  for (const block of files) {
    if (block.marker?.kind !== "file") continue;
    const path = join(project, block.marker.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, substitute(block.code, env));
  }
  return project;
}

/** The environment a block runs in: the user's, without this test runner's own variables, plus the rule's. */
export function blockEnv(env: BlockEnvironment, marker: string): NodeJS.ProcessEnv {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(VITEST|__VITEST|TINYPOOL|JELOU_|NODE_ENV$|TEST$|FORCE_COLOR$)/.test(key)),
  );
  const tsx = pathToFileURL(join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;
  return {
    ...base,
    PATH: [env.binDir, join(ROOT, "node_modules", ".bin"), process.env.PATH].join(":"),
    NODE_OPTIONS: `--import=${tsx}`,
    JELOU_BASE_URL: env.mockUrl,
    JELOU_CLIENT_ID: env.clientId,
    JELOU_CLIENT_SECRET: env.clientSecret,
    JELOU_DOCS_RUN: marker,
    CI: "true",
    // A block that says `npm install` must not reach the registry: offline, npm fails at once instead.
    npm_config_offline: "true",
    NO_COLOR: "1",
  };
}

export interface BlockOutcome {
  ok: boolean;
  /** Why it failed, or "" when it passed. */
  problem: string;
  /** stdout and stderr, interleaved as they came (the last 64 KiB). */
  output: string;
  ms: number;
}

/** Pids of the processes whose environment holds `JELOU_DOCS_RUN=<marker>...`: what a block or a page left behind. */
export async function processesWith(marker: string): Promise<{ pid: number; command: string }[]> {
  const found: { pid: number; command: string }[] = [];
  const needle = `JELOU_DOCS_RUN=${marker}`;
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const environ = await readFile(`/proc/${entry}/environ`, "utf8").catch(() => "");
    if (!environ.split("\0").some((v) => v.startsWith(needle))) continue;
    const command = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    if (command) found.push({ pid: Number(entry), command: command.replaceAll("\0", " ").trim() });
  }
  return found;
}

/** Kills what `processesWith` finds; returns what was still running after a moment's grace (so a slow exit is no leak). */
export async function reapLeftovers(marker: string, graceMs = 2_000): Promise<string[]> {
  const deadline = Date.now() + graceMs;
  let left = await processesWith(marker);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    left = await processesWith(marker);
  }
  for (const { pid } of left) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, "SIGKILL");
      } catch {
        // Gone already, or not a group leader.
      }
    }
  }
  // A killed process stays listed until the kernel has torn it down: wait for that, so none outlives the block.
  const killedBy = Date.now() + 2_000;
  while (left.length > 0 && (await processesWith(marker)).length > 0 && Date.now() < killedBy) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return left.map(({ pid, command }) => `${pid} ${command.slice(0, 200)}`);
}

/** Runs one unmarked `ts` or `sh` block in `project`, in a process group of its own killed after 30 s. */
export async function runBlock(project: string, block: CodeBlock, env: BlockEnvironment, marker: string): Promise<BlockOutcome> {
  const started = Date.now();
  // .mts: an ES module (top-level await) whatever the package.json a page writes says.
  const file = join(project, `.docs-block-${block.line}.${block.lang === "ts" ? "mts" : block.lang}`);
  await writeFile(file, substitute(block.code, env));
  const [command, args] =
    block.lang === "ts" ? [process.execPath, [file]] : ["bash", ["-euo", "pipefail", file]];
  const child = spawn(command, args, { cwd: project, env: blockEnv(env, marker), detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid);
  }, BLOCK_TIMEOUT_MS);
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.once("exit", (c, s) => resolve([c, s]));
    child.once("error", (error) => {
      output += String(error);
      resolve([null, null]);
    });
  });
  clearTimeout(timer);
  // What outlived the block is a failure: a user would find it still running. Then the group goes, and its pipes close.
  const leftovers = await reapLeftovers(marker, timedOut ? 0 : 2_000);
  killGroup(child.pid);
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
  const expected = block.marker?.kind === "exit" ? block.marker.code : 0;
  let problem = "";
  if (timedOut) problem = `did not end within ${BLOCK_TIMEOUT_MS / 1000} s (killed)`;
  else if (code !== expected) problem = `ended with ${code === null ? `signal ${signal}` : `exit code ${code}`}, expected ${expected}`;
  else if (leftovers.length > 0) problem = `left processes running:\n${leftovers.join("\n")}`;
  return { ok: problem === "", problem, output, ms: Date.now() - started };
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // The group has ended.
  }
}

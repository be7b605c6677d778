/**
 * Packs this checkout as `npm publish` would and installs the tarball into an empty project, away from the checkout.
 *
 * The build goes to a staging copy, not to the checkout's dist/: two test runs, or a developer's own `npm run build`, then
 * never see a half-written dist/. The staging copy holds exactly what `npm pack` in the checkout would ship (npm's own list,
 * `npm pack --dry-run`) with dist/ built by scripts/build.ts, the script `prepack` runs; `npm pack` of that copy is the
 * published tarball.
 *
 * The install is offline: the empty project gets a lockfile naming the tarball and, for its dependencies, the production
 * entries of this checkout's package-lock.json (versions and integrity), so that `npm ci --omit=dev --offline` takes
 * them from the npm cache `npm ci` filled. Nothing reaches the registry, and no devDependency is there to hide a missing
 * runtime dependency.
 */
import { execFile } from "node:child_process";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const execFileAsync = promisify(execFile);

/** What `npm pack --json` reports of one tarball. */
export interface PackReport {
  filename: string;
  integrity: string;
  size: number;
  unpackedSize: number;
  files: { path: string; size: number }[];
}

/** The parts of package.json this test reads. */
export interface Manifest {
  name: string;
  version: string;
  license?: string;
  exports: Record<string, unknown>;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  scripts: Record<string, string>;
}

/**
 * Runs a command and resolves with its stdout; rejects with its stdout and stderr in the message.
 *
 * @param command the executable
 * @param args its arguments
 * @param cwd where it runs
 * @throws Error naming the command, with what it printed, when it exits non-zero
 * @example
 * ```ts
 * const help = await run(process.execPath, ["node_modules/.bin/jelou-flow", "--help"], project);
 * ```
 */
export async function run(command: string, args: readonly string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, { cwd, maxBuffer: 32 * 1024 * 1024, env: { ...process.env, NO_COLOR: "1" } });
    return stdout;
  } catch (error) {
    const { stdout = "", stderr = "", message } = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${[command, ...args].join(" ")} failed in ${cwd}:\n${stdout}\n${stderr || message}`);
  }
}

/**
 * Builds and packs this checkout into `work` (a temporary directory the caller removes).
 *
 * @param work an empty directory: the staging copy and the tarball go there
 * @returns npm's report of the tarball, with its path
 * @throws Error with the build's or npm's output when either fails
 * @example
 * ```ts
 * const { report, tarball } = await packCheckout(await mkdtemp(join(tmpdir(), "pack-")));
 * ```
 */
export async function packCheckout(work: string): Promise<{ report: PackReport; tarball: string }> {
  const stage = join(work, "stage");
  const listed = JSON.parse(await run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], ROOT)) as PackReport[];
  for (const { path } of listed[0]?.files ?? []) {
    if (path.startsWith("dist/")) continue;
    await mkdir(dirname(join(stage, path)), { recursive: true });
    await copyFile(join(ROOT, path), join(stage, path));
  }
  // `npm test` has type-checked already; the files are those of a checked build.
  await run(process.execPath, ["--import", "tsx", "scripts/build.ts", "--outDir", join(stage, "dist"), "--no-check"], ROOT);
  const [report] = JSON.parse(await run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", work], stage)) as PackReport[];
  if (!report) throw new Error("npm pack reported no tarball");
  return { report, tarball: join(work, report.filename) };
}

/**
 * Creates `work/project`, an empty ESM project, and installs the tarball there with production dependencies only.
 *
 * @param work the directory that holds the tarball
 * @param report npm's report of the tarball
 * @param manifest this checkout's package.json
 * @returns the project's directory
 * @throws Error with npm's output when the install fails (a dependency missing from the npm cache, say)
 * @example
 * ```ts
 * const project = await installIntoEmptyProject(work, report, manifest);
 * ```
 */
export async function installIntoEmptyProject(work: string, report: PackReport, manifest: Manifest): Promise<string> {
  const project = join(work, "project");
  await mkdir(project);
  const spec = `file:../${report.filename}`;
  const lock = JSON.parse(await readFile(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean }> };
  const production = Object.entries(lock.packages).filter(([key, entry]) => key !== "" && !entry.dev);
  const packages = {
    "": { name: "consumer", dependencies: { [manifest.name]: spec } },
    [`node_modules/${manifest.name}`]: {
      version: manifest.version,
      resolved: spec,
      integrity: report.integrity,
      license: manifest.license,
      dependencies: manifest.dependencies,
      bin: manifest.bin,
      engines: manifest.engines,
    },
    ...Object.fromEntries(production),
  };
  await writeFile(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module", dependencies: { [manifest.name]: spec } }));
  await writeFile(join(project, "package-lock.json"), JSON.stringify({ name: "consumer", lockfileVersion: 3, requires: true, packages }));
  await run("npm", ["ci", "--omit=dev", "--offline", "--no-audit", "--no-fund"], project);
  return project;
}

/**
 * Every condition named anywhere in an `exports` map (`types`, `import`, `default`...), subpath keys left out.
 *
 * @param exports the `exports` field of a package.json
 * @returns the condition names, each once
 * @example
 * ```ts
 * declaredConditions({ ".": { types: "./a.d.ts", import: "./a.js" } }); // ["types", "import"]
 * ```
 */
export function declaredConditions(exports: unknown): string[] {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== "object") return;
    for (const [key, inner] of Object.entries(value)) {
      if (!key.startsWith(".")) found.add(key);
      visit(inner);
    }
  };
  visit(exports);
  return [...found];
}

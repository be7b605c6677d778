import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * docs/testing.md's "Contract testing in your CI" recipes, run as a user would run them: written out verbatim into a
 * scratch project that has `jelou-flow` in its node_modules, then `vitest run` (global setup with the mock and Prism)
 * and `node --test`. Only one thing is added: `jelou-flow` resolves to this checkout's TypeScript source, because the
 * checkout has no build of dist/ (which an installed package resolves to): an alias in the Vitest config, and for
 * `node --test` the `paths` of the checkout's tsconfig.json, which tsx finds above the scratch project.
 */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const run = promisify(execFile);

interface Example {
  path: string;
  code: string;
}

/** Every fenced block of the section whose first line names its file (`// test/welcome.test.ts`). */
export function examplesOf(readme: string): Example[] {
  const start = readme.indexOf("## Contract testing in your CI");
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```(?:ts|js)\n\/\/ (\S+)\n([\s\S]*?)```/g)].map(([, path = "", code = ""]) => ({ path, code: `// ${path}\n${code}` }));
}

/** Pids of the processes whose environment holds `marker`: what a run left behind. */
async function processesWith(marker: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const environ = await readFile(`/proc/${entry}/environ`, "utf8").catch(() => "");
    if (environ.includes(marker)) pids.push(Number(entry));
  }
  return pids;
}

describe("the contract-testing recipes of docs/testing.md", () => {
  const project = join(ROOT, "test-artifacts", `readme-${randomUUID()}`);
  let examples: Example[];

  beforeAll(async () => {
    examples = examplesOf(await readFile(join(ROOT, "docs/testing.md"), "utf8"));
    for (const { path, code } of examples) {
      await mkdir(dirname(join(project, path)), { recursive: true });
      await writeFile(join(project, path), code);
    }
    await mkdir(join(project, "node_modules", ".bin"), { recursive: true });
    await symlink(ROOT, join(project, "node_modules", "jelou-flow"));
    await symlink(join(ROOT, "node_modules", ".bin", "prism"), join(project, "node_modules", ".bin", "prism"));
    // An alias applies to every Vitest environment: test files (`ssr`) and global setup files (`__vitest__`).
    await writeFile(
      join(project, "vitest.source.config.ts"),
      `import { mergeConfig } from "vitest/config";
import config from "./vitest.config.ts";
const alias = [
  { find: /^jelou-flow$/, replacement: ${JSON.stringify(join(ROOT, "src/index.ts"))} },
  { find: /^jelou-flow\\/mock$/, replacement: ${JSON.stringify(join(ROOT, "mock/index.ts"))} },
];
export default mergeConfig(config, {
  resolve: { alias },
  test: { include: ["test/**/*.test.ts"] },
});
`,
    );
  });
  afterAll(async () => {
    await rm(project, { recursive: true, force: true });
  });

  it("has the files the section describes", () => {
    expect(examples.map((e) => e.path).sort()).toEqual([
      "test/jelou.global-setup.ts",
      "test/prism.global-setup.ts",
      "test/welcome.test.mjs",
      "test/welcome.test.ts",
      "vitest.config.ts",
    ]);
  });

  it("vitest: the global setup starts the mock and Prism, the test passes through them, and nothing is left running", async () => {
    const marker = `JELOU_RECIPE_RUN=${randomUUID()}`;
    const [name, value] = marker.split("=") as [string, string];
    const { stdout } = await run(join(ROOT, "node_modules", ".bin", "vitest"), ["run", "--config", "vitest.source.config.ts"], {
      cwd: project,
      env: { ...process.env, [name]: value, CI: "true", NO_COLOR: "1" },
      timeout: 60_000,
    }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`docs/testing.md's vitest recipe failed:\n${error.stdout ?? ""}\n${error.stderr ?? error.message}`);
    });
    expect(stdout).toMatch(/Tests\s+1 passed/);
    expect(await processesWith(marker), "Prism or the mock outlived the run").toEqual([]);
  }, 90_000);

  it("node:test: the example passes with `node --test`", async () => {
    const { stdout } = await run(process.execPath, ["--import", "tsx", "--test", "test/welcome.test.mjs"], {
      cwd: project,
      timeout: 60_000,
    }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`docs/testing.md's node:test recipe failed:\n${error.stdout ?? ""}\n${error.stderr ?? error.message}`);
    });
    expect(stdout).toMatch(/# pass 1\b/);
    expect(stdout).toMatch(/# fail 0\b/);
  }, 90_000);
});

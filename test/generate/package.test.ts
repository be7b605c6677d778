import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const run = promisify(execFile);

describe("npm pack", () => {
  const SHIPPED = ["package.json", "openapi.yaml", "mock/inspection/openapi.yaml", "README.md", "CHANGELOG.md", "CONTRIBUTING.md", "LICENSE", "bench/RESULTS.md"];
  // The reader pages ship (the README links to them); their screenshots do not, to keep the package small.
  const shipped = (f: string) => SHIPPED.includes(f) || /^docs\/[^/]+\.md$/.test(f);
  let files: string[] = [];

  beforeAll(async () => {
    const { stdout } = await run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT });
    const [pack] = JSON.parse(stdout) as { files: { path: string }[] }[];
    files = (pack?.files ?? []).map((f) => f.path);
  }, 60_000);

  it("ships only dist/, the two contracts, the README, the docs pages, the changelog, the licence and package.json", () => {
    expect(files).toEqual(expect.arrayContaining(["package.json", "openapi.yaml", "README.md", "bench/RESULTS.md", "docs/client.md"]));
    expect(files.filter((f) => !f.startsWith("dist/") && !shipped(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
  });

  it("ships every file the README links to, so no link of the installed README is broken", async () => {
    const readme = await readFile(path.join(ROOT, "README.md"), "utf8");
    const local = [...readme.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)]
      .map((m) => m[1] as string)
      .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
    expect(local.length).toBeGreaterThan(0);
    expect(local.filter((target) => !files.includes(path.posix.normalize(target)))).toEqual([]);
  });
});

// The build itself is checked where it is used: test/package/packed-install.test.ts packs it, installs it into an empty
// project and runs it (both entry points, the built validators, the bin with its shebang, the declarations).

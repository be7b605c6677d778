/**
 * The arrows are checked by dependency-cruiser in `npm test` (`npm run lint:arrows`, rules in .dependency-cruiser.cjs).
 * This test proves each rule bites, on a small tree that breaks it, and that only scripts/ writes generated/.
 */
import { execFile } from "node:child_process";
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const run = promisify(execFile);
let tree: string;

async function cruise(files: Record<string, string>): Promise<string> {
  await rm(path.join(tree, "src"), { recursive: true, force: true });
  await rm(path.join(tree, "mock"), { recursive: true, force: true });
  const all = { "src/index.ts": "export {};\n", "mock/index.ts": "export {};\n", ...files };
  for (const [file, text] of Object.entries(all)) {
    await mkdir(path.dirname(path.join(tree, file)), { recursive: true });
    await writeFile(path.join(tree, file), text);
  }
  const bin = path.join(ROOT, "node_modules/.bin/depcruise");
  const config = path.join(ROOT, ".dependency-cruiser.cjs");
  const result = await run(bin, ["src", "mock", "--config", config], { cwd: tree }).catch((error: { stdout: string }) => error);
  return result.stdout;
}

beforeAll(async () => {
  tree = await mkdtemp(path.join(tmpdir(), "arrows-"));
  await writeFile(path.join(tree, "tsconfig.json"), await readFile(path.join(ROOT, "tsconfig.json"), "utf8"));
  await mkdir(path.join(tree, "generated"));
  await writeFile(path.join(tree, "generated/openapi.ts"), "export type paths = {};\n");
});
afterAll(() => rm(tree, { recursive: true, force: true }));

describe("the arrows of .dependency-cruiser.cjs", () => {
  it("pass a tree that keeps them", async () => {
    const out = await cruise({
      "src/contract/index.ts": 'export type { paths } from "../../generated/openapi.js";\n',
      "src/client/send.ts": 'import type { paths } from "../contract/index.js";\nexport type P = paths;\n',
      "mock/route.ts": 'import type { paths } from "../src/contract/index.js";\nexport type P = paths;\n',
    });
    expect(out).toMatch(/no dependency violations/);
  });

  it("refuse a cycle made of type-only imports", async () => {
    const out = await cruise({
      "mock/a.ts": 'import type { B } from "./b.js";\nexport type A = B;\n',
      "mock/b.ts": 'import type { A } from "./a.js";\nexport type B = { a?: A };\n',
    });
    expect(out).toMatch(/no-cycle: mock\/a\.ts/);
  });

  it("refuse src/ importing mock/ by path, mock/ importing the client, and the contract importing the client", async () => {
    const out = await cruise({
      "src/client/send.ts": 'import "../../mock/route.js";\nexport const x = 1;\n',
      "src/contract/index.ts": 'import "../client/send.js";\n',
      "mock/route.ts": 'import { x } from "../src/client/send.js";\nexport const y = x;\n',
    });
    expect(out).toMatch(/client-never-imports-mock: src\/client\/send\.ts/);
    expect(out).toMatch(/mock-imports-only-the-contract: mock\/route\.ts/);
    expect(out).toMatch(/contract-imports-only-generated: src\/contract\/index\.ts/);
  });

  it("refuse the client reaching generated/ past the contract module", async () => {
    const out = await cruise({ "src/client/send.ts": 'import type { paths } from "../../generated/openapi.js";\nexport type P = paths;\n' });
    expect(out).toMatch(/contract-module-is-the-way-in: src\/client\/send\.ts/);
  });
});

describe("generated/", () => {
  it("is written by scripts/ alone: no other source names it in a file-system write", async () => {
    const writes = /\b(writeFile|writeFileSync|appendFile|appendFileSync|mkdir|mkdirSync|rm|rmSync|cp|cpSync|rename|renameSync|unlink|createWriteStream)\([^;]*["'`/]generated\b/;
    const offenders: string[] = [];
    for (const folder of ["src", "mock", "test", "bench"]) {
      for (const file of await readdir(path.join(ROOT, folder), { recursive: true })) {
        if (!/\.tsx?$/.test(file)) continue;
        const text = await readFile(path.join(ROOT, folder, file), "utf8");
        if (writes.test(text)) offenders.push(`${folder}/${file}`);
      }
    }
    // Both write a generated/ of their own in a temporary tree: the drift test regenerates it there, through scripts/.
    expect(offenders.sort()).toEqual(["test/generate/drift.test.ts", "test/structure/arrows.test.ts"]);
  });
});

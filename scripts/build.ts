/**
 * `npm run build`: writes the publishable `dist/` from a clean slate.
 *
 * 1. removes `dist/`;
 * 2. compiles `src/`, `mock/` and `generated/openapi.ts` with `tsc -p tsconfig.build.json` (JavaScript, declarations,
 *    source maps with the sources inlined, since `npm pack` ships no `.ts`);
 * 3. copies what tsc does not emit: the generated validators (`generated/**\/*.js` and their `.d.ts`), which are plain
 *    JavaScript written by `npm run generate`;
 * 4. makes the `jelou-flow` executable (`dist/src/cli/main.js`) runnable, when the command line is part of the build.
 *
 * Usage: `node --import tsx scripts/build.ts [--outDir DIR]`. `--outDir` builds elsewhere (the build test builds into
 * `test-artifacts/`); the default is `dist/`. Exits 1 with tsc's messages when the code does not compile.
 */
import { spawnSync } from "node:child_process";
import { chmod, copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({ options: { outDir: { type: "string" } } });
const DIST = path.resolve(ROOT, values.outDir ?? "dist");
const GENERATED = path.join(ROOT, "generated");
const BIN = path.join(DIST, "src", "cli", "main.js");

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** Every file below `dir`, as paths relative to it. */
async function filesBelow(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = path.join(prefix, entry.name);
    if (entry.isDirectory()) out.push(...(await filesBelow(dir, rel)));
    else out.push(rel);
  }
  return out;
}

function compile(): void {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json", "--inlineSources", "--outDir", DIST], { cwd: ROOT, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`build: tsc failed; ${path.relative(ROOT, DIST)}/ is incomplete. Fix the errors above and run \`npm run build\` again.`);
    process.exit(1);
  }
}

/** The generated validators are JavaScript with hand-written declarations: tsc copies neither. */
async function copyGenerated(): Promise<string[]> {
  const copied: string[] = [];
  for (const rel of await filesBelow(GENERATED)) {
    if (!rel.endsWith(".js") && !rel.endsWith(".d.ts")) continue;
    const target = path.join(DIST, "generated", rel);
    await mkdir(path.dirname(target), { recursive: true });
    await copyFile(path.join(GENERATED, rel), target);
    copied.push(path.join("generated", rel));
  }
  return copied;
}

/** The bin needs its shebang (tsc keeps the one in the source) and the executable bit (tsc does not set it). */
async function makeBinExecutable(): Promise<boolean> {
  if (!(await exists(BIN))) return false;
  const text = await readFile(BIN, "utf8");
  if (!text.startsWith("#!")) await writeFile(BIN, `#!/usr/bin/env node\n${text}`);
  await chmod(BIN, 0o755);
  return true;
}

await rm(DIST, { recursive: true, force: true });
compile();
const copied = await copyGenerated();
const bin = await makeBinExecutable();
const shown = path.relative(ROOT, DIST) || ".";
console.log(`build: ${shown}/ written; copied ${copied.join(", ") || "no generated JavaScript"}${bin ? `; ${shown}/src/cli/main.js is executable` : ""}.`);

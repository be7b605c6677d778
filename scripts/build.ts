/**
 * `npm run build`: writes the publishable `dist/` from a clean slate.
 *
 * 1. removes `dist/`;
 * 2. compiles `src/`, `mock/` and `generated/openapi.ts` with `tsc -p tsconfig.build.json` (JavaScript and declarations;
 *    no source maps, which would point at `.ts` files the package does not ship);
 * 3. removes the comments of the JavaScript tsc wrote: the documentation is read from the declarations, which keep it;
 * 4. copies what tsc does not emit: the generated validators (`generated/**\/*.js` and their `.d.ts`), which are plain
 *    JavaScript written by `npm run generate`;
 * 5. removes the declarations that no entry point's `types` reaches (those of internal modules: no import of the
 *    package can name them), and fails when a reachable one refers to a declaration that is missing;
 * 6. makes the `jelou-flow` executable (`dist/src/cli/main.js`) runnable, when the command line is part of the build.
 *
 * Steps 2, 3 and 5 keep the unpacked package under 1 MB (test/package/packed-install.test.ts).
 *
 * Usage: `node --import tsx scripts/build.ts [--outDir DIR] [--no-check]`. `--outDir` builds elsewhere (the build test
 * builds into `test-artifacts/`); the default is `dist/`. `--no-check` skips tsc's type check (the same files, ~4 s
 * sooner) for a caller that has checked already: `npm test` runs `tsc --noEmit` before the package test packs.
 * Exits 1 with tsc's messages when the code does not compile.
 */
import { spawnSync } from "node:child_process";
import { chmod, copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import ts from "typescript";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({ options: { outDir: { type: "string" }, "no-check": { type: "boolean" } } });
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
  const check = values["no-check"] ? ["--noCheck"] : [];
  const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json", ...check, "--outDir", DIST], { cwd: ROOT, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`build: tsc failed; ${path.relative(ROOT, DIST)}/ is incomplete. Fix the errors above and run \`npm run build\` again.`);
    process.exit(1);
  }
}

/** tsc's JavaScript reprinted without comments (tsc has no option that keeps them in declarations only). */
async function stripComments(): Promise<void> {
  const compilerOptions = { target: ts.ScriptTarget.ESNext, module: ts.ModuleKind.ESNext, removeComments: true };
  for (const rel of await filesBelow(DIST)) {
    if (!rel.endsWith(".js")) continue;
    const file = path.join(DIST, rel);
    const { outputText } = ts.transpileModule(await readFile(file, "utf8"), { fileName: file, compilerOptions });
    await writeFile(file, outputText);
  }
}

/** The `types` files of package.json's exports, in DIST (they name `./dist/...`). */
async function entryDeclarations(): Promise<string[]> {
  const { exports } = JSON.parse(await readFile(path.join(ROOT, "package.json"), "utf8")) as { exports: Record<string, unknown> };
  return Object.values(exports).flatMap((entry) => {
    const types = (entry as { types?: unknown } | null)?.types;
    return typeof types === "string" ? [path.join(DIST, path.relative("dist", types))] : [];
  });
}

/**
 * Deletes every declaration file that no entry point reaches through relative imports.
 *
 * @returns how many were deleted; exits 1 when a reachable declaration imports one that does not exist
 */
async function pruneDeclarations(): Promise<number> {
  const reached = new Set<string>();
  const pending = await entryDeclarations();
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (reached.has(file)) continue;
    if (!(await exists(file))) {
      console.error(`build: ${path.relative(DIST, file)} is reachable from the package's types but was not written; a type import points outside src/, mock/ and generated/.`);
      process.exit(1);
    }
    reached.add(file);
    // The scanner's list of imports, re-exports and `import("...")` types; comments (JSDoc examples) do not count.
    for (const { fileName } of ts.preProcessFile(await readFile(file, "utf8"), true, true).importedFiles) {
      if (fileName.startsWith(".")) pending.push(path.resolve(path.dirname(file), fileName.replace(/\.js$/, ".d.ts")));
    }
  }
  let deleted = 0;
  for (const rel of await filesBelow(DIST)) {
    if (!rel.endsWith(".d.ts") || reached.has(path.join(DIST, rel))) continue;
    await rm(path.join(DIST, rel));
    deleted++;
  }
  return deleted;
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
await stripComments();
const copied = await copyGenerated();
const pruned = await pruneDeclarations();
const bin = await makeBinExecutable();
const shown = path.relative(ROOT, DIST) || ".";
console.log(
  `build: ${shown}/ written; copied ${copied.join(", ") || "no generated JavaScript"}; ` +
    `left out ${pruned} declarations of internal modules${bin ? `; ${shown}/src/cli/main.js is executable` : ""}.`,
);

/**
 * Compiles this checkout to plain JavaScript, as the published package ships it, so that start-up and memory are measured
 * without the TypeScript loader: `--import tsx` runs its hooks on a loader thread of its own, which adds ~30 MB of RSS
 * and a few hundred milliseconds of start-up that users of the package never pay.
 *
 * Each file is transpiled on its own (no type check: `npm test` does that) into node_modules/.cache, where the
 * package's dependencies still resolve; a package.json there makes `jelou-flow/mock` resolve to the compiled mock.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import ts from "typescript";
import { COMPILED, ROOT } from "./processes.js";
const SOURCES = ["src", "mock", "generated", "bench/fixtures", "bench/lib"];

function* files(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}

/**
 * Writes the compiled copy of this checkout, replacing any earlier one.
 *
 * @returns the directory
 * @throws Error when a file does not transpile
 */
export function compileCheckout(): string {
  return compileTree(ROOT, COMPILED);
}

/**
 * Compiles the package's sources found under `root` (this checkout, or an earlier commit extracted for a comparison)
 * into `out`, with this checkout's bench fixtures, so that the fixtures run against that version of the mock.
 *
 * @param root a tree with src/, mock/ and generated/
 * @param out where to write; it must lie under this checkout's node_modules for the dependencies to resolve
 * @returns `out`
 */
export function compileTree(root: string, out: string): string {
  rmSync(out, { recursive: true, force: true });
  const compilerOptions: ts.CompilerOptions = {
    module: ts.ModuleKind.ESNext,
    target: ts.ScriptTarget.ES2022,
    jsx: ts.JsxEmit.ReactJSX,
    jsxImportSource: "hono/jsx",
    verbatimModuleSyntax: true,
  };
  for (const source of SOURCES) {
    const from = source.startsWith("bench/") ? ROOT : root;
    for (const file of files(join(from, source))) {
      const target = join(out, relative(from, file));
      mkdirSync(dirname(target), { recursive: true });
      if (/\.d\.ts$|\.test\.tsx?$/.test(file)) continue;
      if (/\.tsx?$/.test(file)) {
        const { outputText } = ts.transpileModule(readFileSync(file, "utf8"), { compilerOptions, fileName: file });
        writeFileSync(target.replace(/\.tsx?$/, ".js"), outputText);
      } else if (file.endsWith(".js")) copyFileSync(file, target);
    }
  }
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
  writeFileSync(
    join(out, "package.json"),
    JSON.stringify({
      name: "jelou-flow",
      version: pkg.version,
      type: "module",
      exports: { ".": "./src/index.js", "./mock": "./mock/index.js", "./package.json": "./package.json" },
    }),
  );
  return out;
}

/**
 * The arrows point one way: openapi.yaml -> generated/ -> src/contract/ -> the client and the mock. Every import of every
 * source file (static, type-only, re-export and dynamic, as TypeScript's own pre-processor lists them) is checked.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function sourceFiles(folder: string): string[] {
  return readdirSync(path.join(ROOT, folder), { recursive: true, encoding: "utf8" })
    .filter((file) => /\.tsx?$/.test(file) && !file.endsWith(".d.ts"))
    .map((file) => path.posix.join(folder, file.split(path.sep).join("/")));
}

/** Each relative import of a file, as a path from the root (`src/contract/index.ts`), and each bare one as written. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(path.join(ROOT, file), "utf8"), true, true);
  return importedFiles.map(({ fileName }) =>
    fileName.startsWith(".") ? path.posix.normalize(path.posix.join(path.posix.dirname(file), fileName)).replace(/\.js$/, ".ts") : fileName,
  );
}

const arrows = (folder: string) => sourceFiles(folder).flatMap((file) => importsOf(file).map((target) => ({ file, target })));

describe("import arrows", () => {
  it("src/ never imports mock/ by path (the mock command loads it by its package name, jelou-flow/mock, at run time)", () => {
    expect(arrows("src").filter(({ target }) => target.startsWith("mock/"))).toEqual([]);
  });

  it("mock/ reaches outside itself only for src/contract/ and generated/", () => {
    const outside = arrows("mock").filter(({ target }) => /^(src|generated|test|bench|scripts)\//.test(target) || target === "jelou-flow");
    expect(outside.filter(({ target }) => !target.startsWith("src/contract/") && !target.startsWith("generated/"))).toEqual([]);
    expect(outside.some(({ target }) => target.startsWith("src/contract/"))).toBe(true);
  });

  it("src/contract/ imports only itself and generated/, so loading the mock loads no client code", () => {
    const local = arrows("src/contract").filter(({ target }) => target.includes("/"));
    expect(local.filter(({ target }) => !target.startsWith("src/contract/") && !target.startsWith("generated/") && !target.startsWith("node:"))).toEqual([]);
  });

  it("has no import cycle in src/ or mock/, type-only imports included", () => {
    const files = new Set([...sourceFiles("src"), ...sourceFiles("mock")]);
    const resolve = (target: string) => [target, target.replace(/\.ts$/, ".tsx")].find((file) => files.has(file));
    const graph = new Map([...files].map((file) => [file, importsOf(file).flatMap((t) => resolve(t) ?? [])]));
    const cycles: string[] = [];
    const done = new Set<string>();
    const walk = (file: string, trail: string[]): void => {
      if (trail.includes(file)) return void cycles.push([...trail.slice(trail.indexOf(file)), file].join(" -> "));
      if (done.has(file)) return;
      for (const next of graph.get(file) ?? []) walk(next, [...trail, file]);
      done.add(file);
    };
    for (const file of files) walk(file, []);
    expect(cycles).toEqual([]);
  });
});

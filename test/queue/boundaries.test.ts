import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../cli/helpers.js";

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? files(path) : e.name.endsWith(".ts") ? [path] : [];
  });

/** The modules a file imports statically at run time: `import type` and `import { type X }` only are left out. */
function staticImports(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s+(?!type\s)([^;]*?)from\s+"([^"]+)"/gms)) {
    if (!/^\{\s*(type\s+\w+,?\s*)+\}\s*$/.test(m[1]!.trim())) found.push(m[2]!);
  }
  return found;
}

const dynamicImports = (text: string) => [...text.matchAll(/import\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1]!);

describe("the queue's packages stay behind jelou-flow/queue", () => {
  it("only src/queue/load.ts loads bullmq and ioredis, and nothing else in src/ imports src/queue/ statically", () => {
    for (const file of files(join(ROOT, "src"))) {
      const name = relative(ROOT, file);
      const text = readFileSync(file, "utf8");
      const imports = staticImports(text);
      const loaded = [...imports, ...dynamicImports(text)].filter((i) => i === "bullmq" || i === "ioredis");
      if (name !== "src/queue/load.ts") expect(loaded, name).toEqual([]);
      // The command line may load the queue's commands with import(), when one of them runs.
      if (!name.startsWith("src/queue/")) expect(imports.filter((i) => i.includes("queue/")), name).toEqual([]);
    }
    expect(readFileSync(join(ROOT, "src/queue/load.ts"), "utf8")).toContain("import(name)");
  });
});

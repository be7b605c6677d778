/** No hand-written file of src/ or mock/ runs past 300 lines: a file is one responsibility a reader takes in at once. */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MAX_LINES = 300;

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourcesUnder(path);
    return /\.(tsx?|m?js)$/.test(entry.name) ? [path] : [];
  });
}

it(`no file of src/ or mock/ has more than ${MAX_LINES} lines`, () => {
  const files = ["src", "mock"].flatMap((dir) => sourcesUnder(join(ROOT, dir)));
  expect(files.length).toBeGreaterThan(50);
  const long = files
    .map((file) => ({ file: relative(ROOT, file), lines: readFileSync(file, "utf8").split("\n").length - 1 }))
    .filter(({ lines }) => lines > MAX_LINES);
  expect(long).toEqual([]);
});

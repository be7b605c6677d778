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
    return /\.[cm]?[jt]sx?$/.test(entry.name) ? [path] : [];
  });
}

/** Lines as an editor shows them: a last line without its newline counts too. */
function lineCount(text: string): number {
  return text === "" ? 0 : text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

it("counts a last line without its newline", () => {
  expect([lineCount(""), lineCount("a\n"), lineCount("a"), lineCount("a\nb"), lineCount("a\nb\n")]).toEqual([0, 1, 1, 2, 2]);
});

it(`no file of src/ or mock/ has more than ${MAX_LINES} lines`, () => {
  const files = ["src", "mock"].flatMap((dir) => sourcesUnder(join(ROOT, dir)));
  expect(files.length).toBeGreaterThan(50);
  const long = files
    .map((file) => ({ file: relative(ROOT, file), lines: lineCount(readFileSync(file, "utf8")) }))
    .filter(({ lines }) => lines > MAX_LINES);
  expect(long).toEqual([]);
});

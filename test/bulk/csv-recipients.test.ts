import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { guessDelimiter, readCsvHeader, readRecipientsCsv } from "../../src/bulk/csv-recipients.js";
import { rowNumberOf } from "../../src/bulk/rows.js";
import { collect, tempDir } from "./helpers.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

describe("readRecipientsCsv", () => {
  it("streams rows keyed by the header, with quotes, embedded newlines and a BOM, and can be read twice", async () => {
    const path = join(dir, "list.csv");
    await writeFile(path, '\uFEFFuserId, name ,note\n593987654321,"Vera, Ana","line one\nline two"\n593987654322,Luis,"say ""hi"""\n\n');
    const open = readRecipientsCsv(path);
    const first = await collect(open());
    expect(first).toEqual([
      { userId: "593987654321", name: "Vera, Ana", note: "line one\nline two" },
      { userId: "593987654322", name: "Luis", note: 'say "hi"' },
    ]);
    expect(await collect(open())).toEqual(first);
  });

  it("guesses a semicolon separator from the header, as spreadsheets write in many locales", async () => {
    const path = join(dir, "list.csv");
    await writeFile(path, "userId;name\n593987654321;Ana\n");
    expect(await readCsvHeader(path)).toEqual({ columns: ["userId", "name"], delimiter: ";" });
    expect(await collect(readRecipientsCsv(path)())).toEqual([{ userId: "593987654321", name: "Ana" }]);
    expect(guessDelimiter("a\tb\tc")).toBe("\t");
    expect(guessDelimiter("single")).toBe(",");
  });

  it("fails on a row with the wrong number of cells instead of shifting columns", async () => {
    const path = join(dir, "list.csv");
    await writeFile(path, "userId,name\n593987654321,Ana,extra\n");
    await expect(collect(readRecipientsCsv(path)())).rejects.toMatchObject({ code: "CSV_RECORD_INCONSISTENT_COLUMNS" });
  });

  it("fails (does not hang) when the file is missing", async () => {
    await expect(collect(readRecipientsCsv(join(dir, "none.csv"))())).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("numbers rows as a spreadsheet does: blank lines are rows, a line break inside quotes is not", async () => {
    const path = join(dir, "list.csv");
    await writeFile(path, 'userId,note\n\n593987654321,one\n593987654322,"two\nlines"\n\n\n593987654323,three\r\n');
    const read = await collect(readRecipientsCsv(path)());
    expect(read.map((r) => [r.userId, rowNumberOf(r, -1)])).toEqual([
      ["593987654321", 3],
      ["593987654322", 4],
      ["593987654323", 7],
    ]);
    expect(Object.keys(read[0]!)).toEqual(["userId", "note"]); // the number is not a column
  });
});

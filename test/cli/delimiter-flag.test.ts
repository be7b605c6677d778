import { describe, expect, it } from "vitest";
import { delimiterFlag } from "../../src/cli/parse-values.js";
import { runInProcess, workspace } from "./helpers.js";

const tabList = "userId\tname\torder\n593900000001\tAna\tA-1\n593900000002\tLuis\tA-2\n";

describe("--delimiter", () => {
  it("reads a backslash and a t, as a shell passes '\\t', as a tab; refuses what is not one character", () => {
    expect(delimiterFlag("\\t")).toBe("\t");
    expect(delimiterFlag(";")).toBe(";");
    for (const bad of ["", ";;", '"', "\n"]) expect(() => delimiterFlag(bad), JSON.stringify(bad)).toThrow(/--delimiter takes one character/);
  });

  it("checks a tab-separated list given --delimiter '\\t'", async () => {
    const ws = await workspace();
    try {
      const csv = await ws.file("tabs.csv", tabList);
      const run = await runInProcess(["bulk", csv, "--template", ws.template, "--bot", "bot-1", "--dry-run", "--delimiter", "\\t"]);
      expect(run.stderr).toContain("Checked 2 rows: 0 invalid");
      expect(run.code, run.stderr).toBe(0);
    } finally {
      await ws.cleanup();
    }
  });

  it("says which separator cut the header into one column, and which to pass", async () => {
    const ws = await workspace();
    try {
      const csv = await ws.file("tabs.csv", tabList);
      const run = await runInProcess(["bulk", csv, "--template", ws.template, "--bot", "bot-1", "--dry-run", "--delimiter", ","]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`The header was read as one column with the separator ","; it looks separated by tab ('\\t'): pass --delimiter '\\t'.`);
      const semicolons = await ws.file("semi.csv", "userId;name;order\n593900000001;Ana;A-1\n");
      const semi = await runInProcess(["bulk", semicolons, "--template", ws.template, "--bot", "bot-1", "--dry-run", "--delimiter", "\\t"]);
      expect(semi.stderr).toContain(`separator tab ('\\t'); it looks separated by ";": pass --delimiter ';'.`);
    } finally {
      await ws.cleanup();
    }
  });
});

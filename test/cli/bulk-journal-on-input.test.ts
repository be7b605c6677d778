import { link, readFile, symlink } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT } from "../../src/cli/exit-codes.js";
import { CREDENTIALS, csvOf, inboxCounts, runInProcess, useMockAndWorkspace } from "./helpers.js";

const ctx = useMockAndWorkspace();

describe("--journal naming a file the command reads", () => {
  const cases: Array<[string, (list: string, template: string) => Promise<{ journal: string; names: string }>]> = [
    ["the list itself", async (list) => ({ journal: list, names: list })],
    ["a symbolic link to the list", async (list) => {
      const alias = join(ctx.ws.dir, "alias.csv");
      await symlink(list, alias);
      return { journal: alias, names: list };
    }],
    ["a hard link to the list", async (list) => {
      const hard = join(ctx.ws.dir, "hard.csv");
      await link(list, hard);
      return { journal: hard, names: list };
    }],
    ["the template", async (_list, template) => ({ journal: template, names: template })],
  ];
  for (const [name, journalFor] of cases) {
    it(`is refused when it is ${name}: exit 2 naming both files, nothing sent, no input changed`, async () => {
      const list = await ctx.ws.file(`list-${name.replaceAll(" ", "-")}.csv`, csvOf(5));
      const [listBefore, templateBefore] = [await readFile(list), await readFile(ctx.ws.template)];
      const { journal, names } = await journalFor(list, ctx.ws.template);
      const run = await runInProcess(["bulk", list, "--template", ctx.ws.template, "--bot", "bot-1", "--journal", journal, "--progress", "none"], {
        ...CREDENTIALS,
        JELOU_BASE_URL: ctx.server.url,
      });
      expect(run.code, run.stderr).toBe(EXIT.usage);
      expect(run.stderr).toContain(`--journal ${journal} is the same file as`);
      expect(run.stderr).toContain(names);
      expect(await readFile(list)).toEqual(listBefore);
      expect(await readFile(ctx.ws.template)).toEqual(templateBefore);
      expect(inboxCounts(ctx.server.mock).size).toBe(0);
    });
  }
});

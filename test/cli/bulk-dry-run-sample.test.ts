import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { EXIT } from "../../src/cli/exit-codes.js";
import { jsonLines, runInProcess, TEMPLATE, workspace } from "./helpers.js";

/** A template that writes the recipient's number into a text, the screen data and the payload (and a payload key). */
const NUMBER_TEMPLATE = {
  ...TEMPLATE,
  text: "Your number {{phone}} is registered, {{name}}.",
  parameters: { ...TEMPLATE.parameters, flow_action_payload: { screen: "START", data: { phone: "{{phone}}", list: ["{{phone}}"] } } },
  payload: { phone: "{{phone}}", note: "for {{ phone }}" },
};

describe("bulk --dry-run's sample", () => {
  it.each([
    ["+593 98-765-4321", "as typed, with + and separators"],
    ["593987654321", "already normalised"],
    ["(593) 98.765.4321", "with parentheses and dots"],
  ])("masks the phone number (%s, %s) wherever the template puts it, in the text and --json", async (cell) => {
    const ws = await workspace();
    try {
      await writeFile(ws.template, JSON.stringify(NUMBER_TEMPLATE));
      const csv = await ws.file("list.csv", `phone,name,order\n"${cell}",Ana,A-1\n`);
      const args = ["bulk", csv, "--template", ws.template, "--bot", "bot-1", "--user-column", "phone", "--dry-run"];
      const human = await runInProcess(args, {});
      const json = await runInProcess([...args, "--json"], {});
      for (const run of [human, json]) {
        expect(run.code).toBe(EXIT.ok);
        const printed = `${run.stdout}${run.stderr}`;
        for (const shown of ["593987654321", cell, "98-765", "987654", "765.4321", "98 765"]) expect(printed).not.toContain(shown);
      }
      expect(human.stderr).toContain('"text": "Your number 5939****4321 is registered, Ana."');
      const sample = jsonLines(json.stdout).find((l) => l.type === "sample");
      expect(sample).toMatchObject({
        userId: "5939****4321",
        message: {
          parameters: { flow_action_payload: { data: { phone: "5939****4321", list: ["5939****4321"] } } },
          payload: { phone: "5939****4321", note: "for 5939****4321" },
        },
      });
    } finally {
      await ws.cleanup();
    }
  });
});

import { describe, expect, it } from "vitest";
import { CREDENTIALS, runCliProcess, useMockAndWorkspace } from "./helpers.js";

const ctx = useMockAndWorkspace();

const ESC = "\u001b";
const ERASE = `${ESC}[2K`;
const OSC = `${ESC}]0;owned${"\u0007"}`;
const RLO = "\u202e";
const ISOLATE = "\u2066";
const C1 = "\u009b";

/** Any character a terminal acts on, but the newline between lines. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const hostileCsv = [
  `userId,botId,name,order,${ERASE}col${RLO}`,
  `593900000002,bot${RLO}1${ESC}[1A,Ana${OSC}${ERASE},A-2,x`,
  `593900000001,bot-1,Luis,A-1,x`,
  `59390${ERASE}\rOK sent everyone,bot-1,Eva,A-3,x`,
  `593900000004,bot-1,Rob${ISOLATE}${C1}31m,A-4,x`,
].join("\n");

function expectSafe(text: string): void {
  expect(text).not.toMatch(RAW_CONTROL);
}

describe("a hostile list cannot drive the operator's terminal", () => {
  const env = () => ({ ...CREDENTIALS, JELOU_BASE_URL: ctx.server.url });

  it("the check's report, the dry run's sample and the summary show cells and bot ids escaped", async () => {
    const list = await ctx.ws.file("hostile.csv", hostileCsv);
    const run = await runCliProcess(["bulk", list, "--template", ctx.ws.template, "--journal", `${list}.j`, "--skip-invalid", "--dry-run", "--progress", "lines"], env());
    expectSafe(run.stdout);
    expectSafe(run.stderr);
    expect(run.stderr).toContain("59390\\u001b[2K\\u000dOK sent everyone");
    expect(run.stderr).toContain("bot\\u202e1\\u001b[1A");
    expect(run.stderr).toContain("Ana\\u001b]0;owned\\u0007\\u001b[2K");
  });

  it("a missing column's error shows the column names escaped", async () => {
    const list = await ctx.ws.file("hostile-header.csv", hostileCsv.replace("order", "ordr"));
    const run = await runCliProcess(["bulk", list, "--template", ctx.ws.template, "--journal", `${list}.j`, "--progress", "lines"], env());
    expect(run.code).toBe(2);
    expectSafe(run.stderr);
    expect(run.stderr).toContain("\\u001b[2Kcol\\u202e");
  });

  it("the sends' failures and the progress lines are escaped too, and --json stays valid JSON with the same values", async () => {
    const list = await ctx.ws.file("hostile-send.csv", hostileCsv);
    const run = await runCliProcess(["bulk", list, "--template", ctx.ws.template, "--journal", `${list}.j`, "--skip-invalid", "--json", "--progress", "lines"], env());
    expectSafe(run.stdout);
    expectSafe(run.stderr);
    const records = run.stdout.split("\n").filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    const users = records.filter((r) => r.type === "result").map((r) => r.userId);
    expect(users).toContain(`59390${ERASE}\rOK sent everyone`);
  });
});

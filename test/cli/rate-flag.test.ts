import { describe, expect, it } from "vitest";
import { rateFlag } from "../../src/cli/parse-values.js";
import { CREDENTIALS, csvOf, inboxCounts, runInProcess, useMockAndWorkspace } from "./helpers.js";

const t = useMockAndWorkspace();

describe("--rate", () => {
  it("reads 0 in any unit as no limit, and other rates as sends per second", () => {
    expect(rateFlag("0")).toBe(0);
    expect(rateFlag("0/s")).toBe(0);
    expect(rateFlag("0.0/min")).toBe(0);
    expect(rateFlag("600/min")).toBe(10);
    expect(rateFlag("20")).toBe(20);
    expect(rateFlag("20/s")).toBe(20);
    expect(rateFlag("3600/h")).toBe(1);
  });

  it("still refuses what is not a rate, naming the forms it takes", () => {
    expect(() => rateFlag("fast")).toThrow(/600\/min/);
    expect(() => rateFlag("-5")).toThrow(/not a rate/);
  });

  it("refuses a unit it does not know, even after 0", () => {
    for (const rate of ["0/banana", "0/x", "0/", "5/banana", "0 per second"]) expect(() => rateFlag(rate), rate).toThrow(/not a rate.*0 for no limit/);
    expect(rateFlag("0/hour")).toBe(0);
  });

  it("sends the whole list with --rate 0, unthrottled", async () => {
    t.server.mock.inbox.clear();
    const csv = await t.ws.file("unlimited.csv", csvOf(30));
    const env = { ...CREDENTIALS, JELOU_BASE_URL: t.server.url };
    const run = await runInProcess(["bulk", csv, "--template", t.ws.template, "--bot", "bot-1", "--rate", "0", "--progress", "none"], env);
    expect(run.code, run.stderr).toBe(0);
    expect(inboxCounts(t.server.mock).size).toBe(30);
  });
});

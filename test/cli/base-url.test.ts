import { describe, expect, it } from "vitest";
import { EXIT } from "../../src/cli/exit-codes.js";
import { CREDENTIALS, csvOf, runInProcess, workspace } from "./helpers.js";

const send = ["send", "--bot", "bot-1", "--to", "593987654321", "--title", "Hi", "--text", "Hello", "--caption", "Jelou", "--flow", "survey", "--cta", "Go"];

describe("an unusable JELOU_BASE_URL", () => {
  it.each([
    ["127.0.0.1:4710", /JELOU_BASE_URL is "127\.0\.0\.1:4710", not an http\(s\) address/],
    ["localhost:4010", /JELOU_BASE_URL is "localhost:4010", not an http\(s\) address/],
    ["ftp://127.0.0.1/", /not an http\(s\) address/],
    ["http://127.0.0.1:4010/?x=1", /a query or a fragment/],
  ])("%s is a usage error naming the variable and the fix, without a stack", async (baseUrl, message) => {
    for (const args of [send, [...send, "--dry-run"]]) {
      const run = await runInProcess(args, { ...CREDENTIALS, JELOU_BASE_URL: baseUrl });
      expect(run.code).toBe(EXIT.usage);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toContain("http://127.0.0.1:4010 for the mock");
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it.each(["http://ops:hunter2@127.0.0.1:4010", "ops:hunter2@127.0.0.1:4010", "http://ops:hun ter2@127.0.0.1"])(
    "with credentials in it (%s) is refused without showing them",
    async (baseUrl) => {
      const ws = await workspace();
      try {
        const csv = await ws.file("list.csv", csvOf(2));
        const bulk = ["bulk", csv, "--template", ws.template, "--bot", "bot-1", "--progress", "none"];
        for (const args of [send, bulk, [...bulk, "--dry-run"]]) {
          const run = await runInProcess(args, { ...CREDENTIALS, JELOU_BASE_URL: baseUrl });
          expect(run.code).toBe(EXIT.usage);
          expect(run.stderr).toContain("JELOU_BASE_URL");
          expect(run.stderr).toContain("[REDACTED]@");
          expect(run.stderr).not.toMatch(/hunter|hun ter|ops:/);
        }
      } finally {
        await ws.cleanup();
      }
    },
  );
});

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

describe("mock/openapi.yaml", () => {
  // `npm run lint:openapi` lints the Jelou contract; the inspection API's contract is held to the same ruleset here.
  it("passes Spectral with no warning", async () => {
    const result = await run("node_modules/.bin/spectral", ["lint", "mock/openapi.yaml", "--fail-severity=warn"]).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );
    expect(result.stdout).toContain("No results with a severity of 'warn' or higher found!");
    expect(result.code).toBe(0);
  });
});

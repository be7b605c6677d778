import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const run = promisify(execFile);

type Operation = { operationId: string; responses: Record<string, { $ref?: string }> };
const contract = parse(readFileSync(new URL("../../mock/openapi.yaml", import.meta.url), "utf8")) as {
  paths: Record<string, Record<string, Operation>>;
};

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

  it("declares the 403 forbidden_origin on every route that changes the mock's state, as the mock answers it", () => {
    // The mock refuses every method but GET from a web page of another origin (test/mock/foreign-origin.test.ts).
    const changing = Object.entries(contract.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([method]) => method !== "get")
        .map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path}`, refusal: operation.responses["403"]?.$ref })),
    );
    expect(changing.length).toBeGreaterThanOrEqual(7);
    for (const { route, refusal } of changing) expect(refusal, route).toBe("#/components/responses/ForeignOrigin");
  });
});

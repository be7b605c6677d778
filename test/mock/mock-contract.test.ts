import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const run = promisify(execFile);

type Operation = { operationId: string; responses: Record<string, { $ref?: string }> };
const contract = parse(readFileSync(new URL("../../mock/inspection/openapi.yaml", import.meta.url), "utf8")) as {
  paths: Record<string, Record<string, Operation>>;
};

describe("mock/inspection/openapi.yaml", () => {
  // `npm run lint:openapi` lints the Jelou contract; the inspection API's contract is held to the same ruleset here.
  it("passes Spectral with no warning", async () => {
    const result = await run("node_modules/.bin/spectral", ["lint", "mock/inspection/openapi.yaml", "--fail-severity=warn"]).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );
    expect(result.stdout).toContain("No results with a severity of 'warn' or higher found!");
    expect(result.code).toBe(0);
  });

  it("declares the 403 on every route, as the mock answers it", () => {
    // Every route may answer a browser's request with a foreign Host 403 forbidden_host (test/mock/foreign-host.test.ts);
    // those that change the mock's state also refuse a page of another origin with forbidden_origin
    // (test/mock/foreign-origin.test.ts). One response describes both.
    const routes = Object.entries(contract.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        route: `${method.toUpperCase()} ${path}`,
        refusal: operation.responses["403"]?.$ref,
      })),
    );
    expect(routes.filter(({ route }) => !route.startsWith("GET ")).length).toBeGreaterThanOrEqual(7);
    for (const { route, refusal } of routes) expect(refusal, route).toBe("#/components/responses/ForeignOrigin");
  });
});

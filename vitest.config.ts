import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Resolves `jelou-flow/mock` to the TypeScript source in this checkout, as the `source` export condition says.
    conditions: ["source"],
  },
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Two cores: the servers a suite starts (mock, Prism) compete with the workers.
    maxWorkers: 2,
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts"] },
  },
});

import { defineConfig } from "vitest/config";

// Resolves `jelou-flow` and `jelou-flow/mock` to the TypeScript source of this checkout, as the package's `source` export
// condition says. Vitest 4 runs test files in its `ssr` environment and globalSetup files in `__vitest__`, and neither
// inherits the top-level `resolve.conditions`, so the condition is given to each.
const conditions = ["source", "node", "import"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  environments: { __vitest__: { resolve: { conditions } } },
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Two cores: the servers a suite starts (mock, Prism) compete with the workers.
    maxWorkers: 2,
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts"] },
  },
});

import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// `jelou-flow`, `jelou-flow/mock` and `jelou-flow/queue` are this checkout's TypeScript source, as tsconfig.json's
// `paths` say for tsc and tsx (the published exports point at dist/, which a clone does not have). An alias applies to
// every environment, so test files (`ssr`) and globalSetup files (`__vitest__`) alike.
const source = (file: string) => fileURLToPath(new URL(file, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^jelou-flow$/, replacement: source("./src/index.ts") },
      { find: /^jelou-flow\/mock$/, replacement: source("./mock/index.ts") },
      { find: /^jelou-flow\/queue$/, replacement: source("./src/queue/index.ts") },
    ],
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

/**
 * The arrows of the package, checked in `npm test` (`npm run lint:arrows`): openapi.yaml -> generated/ -> src/contract/
 * -> the client (src/) and the mock (mock/). Type-only imports count like any other.
 */
module.exports = {
  forbidden: [
    {
      name: "no-cycle",
      comment: "An import cycle, type-only ones included, makes a module impossible to read or load on its own.",
      severity: "error",
      from: { path: "^(src|mock)/" },
      to: { circular: true },
    },
    {
      name: "client-never-imports-mock",
      comment: "src/ never imports mock/ by path: the mock command loads it by the package's own name, jelou-flow/mock, at run time.",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^mock/", dependencyTypesNot: ["aliased-tsconfig-paths"] },
    },
    {
      name: "mock-imports-only-the-contract",
      comment: "mock/ reaches outside itself only for src/contract/ and generated/, so loading it loads no client code.",
      severity: "error",
      from: { path: "^mock/" },
      to: { path: "^(src/(?!contract/)|test/|bench/|scripts/)" },
    },
    {
      name: "contract-imports-only-generated",
      comment: "src/contract/ is shared by the client and the mock: it imports itself, generated/ and Node only.",
      severity: "error",
      from: { path: "^src/contract/" },
      to: { path: "^(src/(?!contract/)|mock/)" },
    },
    {
      name: "contract-module-is-the-way-in",
      comment: "Only src/contract/ and scripts/ import generated/ directly; the client and the mock go through it.",
      severity: "error",
      from: { path: "^src/(?!contract/)" },
      to: { path: "^generated/" },
    },
    {
      name: "no-unresolvable",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "types", "node", "default"] },
  },
};

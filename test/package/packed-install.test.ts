import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { declaredConditions, installIntoEmptyProject, type Manifest, packCheckout, type PackReport, ROOT, run } from "./pack.js";

/** The published package may weigh this much once unpacked, as `npm pack` counts it. */
// The queue entry point, `verify` and the response validators took it past 1 MB; the bound moved with them.
const MAX_UNPACKED_BYTES = 1_200_000;
/** `types` is read by TypeScript, not by Node: it is checked with tsc below, not imported. */
const TYPE_ONLY_CONDITIONS = new Set(["types"]);

/** Imports both entry points and resolves both contracts (as the README's Prism setup does, with require.resolve). */
const IMPORT_CHECK = `
import * as client from "jelou-flow";
import * as mock from "jelou-flow/mock";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
const required = createRequire(import.meta.url);
const resolved = (name) => {
  const file = fileURLToPath(import.meta.resolve(name));
  if (required.resolve(name) !== file) throw new Error(name + ": require.resolve and import.meta.resolve disagree");
  return file;
};
console.log(JSON.stringify({
  client: typeof client.createJelouClient,
  mock: typeof mock.createMockJelou,
  openapi: resolved("jelou-flow/openapi.yaml"),
  mockOpenapi: resolved("jelou-flow/mock/openapi.yaml"),
}));
`;

/** One send through the mock, in-process, as the README's first example does it. */
const SEND = `
import { createJelouClient } from "jelou-flow";
import { createMockJelou } from "jelou-flow/mock";
const mock = createMockJelou({ clientId: "pack-id", clientSecret: "pack-secret" });
const client = createJelouClient({ clientId: "pack-id", clientSecret: "pack-secret", fetch: mock.fetch });
const result = await client.sendFlowMessage({
  botId: "pack-bot", userId: "+593 98 765 4321", title: "Hello", text: "From the tarball", caption: "Jelou",
  parameters: { flow_name: "welcome_flow", flow_cta: "Start Flow" },
});
const inbox = mock.inbox.list().map((m) => ({ id: m.id, botId: m.botId, userId: m.userId, text: m.body.text }));
// The built validators, compiled ahead of time, refuse an empty title before anything is sent.
const { validateFlowMessage } = await import("jelou-flow");
const invalid = validateFlowMessage({ botId: "b", userId: "1", title: "", text: "x", caption: "c", parameters: { flow_name: "f", flow_cta: "Go" } });
console.log(JSON.stringify({ status: result.status, messageId: result.messageId, inbox, invalidOk: invalid.ok }));
`;

/** A TypeScript consumer: the declarations must type a correct call and refuse a wrong one. */
const TYPED_CONSUMER = `
import { createJelouClient, type FlowMessageInput, type FlowMessageResult } from "jelou-flow";
import { createMockJelou, type MockJelou } from "jelou-flow/mock";
const mock: MockJelou = createMockJelou();
const client = createJelouClient({ clientId: "id", clientSecret: "secret", fetch: mock.fetch });
const message: FlowMessageInput = {
  botId: "b", userId: "1", title: "t", text: "x", caption: "c", parameters: { flow_name: "f", flow_cta: "Go" },
};
export const sent: Promise<FlowMessageResult> = client.sendFlowMessage(message);
// @ts-expect-error a flow message needs its parameters
export const wrong: FlowMessageInput = { botId: "b", userId: "1", title: "t", text: "x", caption: "c" };
`;

describe("the packed package, installed into an empty project with production dependencies only", () => {
  let work = "";
  let project = "";
  let report: PackReport;
  let manifest: Manifest;
  /** The two contracts as the checkout had them when it was packed. */
  const contracts: Record<string, string> = {};

  const node = (args: string[]) => run(process.execPath, args, project);

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "jelou-flow-pack-"));
    manifest = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as Manifest;
    for (const file of ["openapi.yaml", "mock/inspection/openapi.yaml"]) contracts[file] = await readFile(join(ROOT, file), "utf8");
    ({ report } = await packCheckout(work));
    project = await installIntoEmptyProject(work, report, manifest);
    await writeFile(join(project, "import-check.mjs"), IMPORT_CHECK);
    await writeFile(join(project, "send.mjs"), SEND);
  }, 120_000);
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("is built by prepack, so that `npm pack` and `npm publish` of a fresh clone ship a dist/", () => {
    expect(manifest.scripts.prepack).toBe("npm run build");
    expect(manifest.scripts.build).toContain("scripts/build.ts");
  });

  it(`weighs at most ${MAX_UNPACKED_BYTES} bytes unpacked`, () => {
    const biggest = [...report.files].sort((a, b) => b.size - a.size).slice(0, 8);
    const shown = biggest.map((f) => `${f.size} ${f.path}`).join("\n");
    expect(report.unpackedSize, `unpacked ${report.unpackedSize} bytes; the biggest files:\n${shown}`).toBeLessThanOrEqual(MAX_UNPACKED_BYTES);
  });

  it("ships no file that its exports, types or bin point at without shipping it", () => {
    const shipped = new Set(report.files.map((f) => f.path));
    const targets: string[] = [];
    const collect = (value: unknown): void => {
      if (typeof value === "string") targets.push(value.replace(/^\.\//, ""));
      else if (value !== null && typeof value === "object") Object.values(value).forEach(collect);
    };
    collect(manifest.exports);
    collect(manifest.bin);
    expect(targets.filter((target) => !shipped.has(target))).toEqual([]);
  });

  it("imports both entry points and resolves both contracts under the default conditions and every runtime condition its exports declare", async () => {
    const runtime = declaredConditions(manifest.exports).filter((c) => !TYPE_ONLY_CONDITIONS.has(c));
    expect(runtime).toContain("import");
    for (const flags of [[], ...runtime.map((c) => [`--conditions=${c}`])]) {
      const seen = JSON.parse(await node([...flags, "import-check.mjs"]).catch((error: Error) => Promise.reject(new Error(`node ${flags.join(" ")}: ${error.message}`))));
      expect(seen, `node ${flags.join(" ")}`).toEqual({
        client: "function",
        mock: "function",
        openapi: join(project, "node_modules/jelou-flow/openapi.yaml"),
        mockOpenapi: join(project, "node_modules/jelou-flow/mock/inspection/openapi.yaml"),
      });
    }
    for (const [file, text] of Object.entries(contracts)) {
      expect(await readFile(join(project, "node_modules/jelou-flow", file), "utf8"), file).toBe(text);
    }
  });

  it("runs the jelou-flow command's --help from node_modules/.bin", async () => {
    const help = await run(join(project, "node_modules/.bin/jelou-flow"), ["--help"], project);
    expect(help).toMatch(/^Usage: jelou-flow /);
    const mockHelp = await run(join(project, "node_modules/.bin/jelou-flow"), ["mock", "--help"], project);
    expect(mockHelp).toMatch(/^Usage: jelou-flow mock /);
  });

  it("sends one flow message in-process through the mock, which holds it in its inbox", async () => {
    const outcome = JSON.parse(await node(["send.mjs"])) as { status: number; messageId: string; inbox: { id: string }[]; invalidOk: boolean };
    expect(outcome.status).toBe(200);
    expect(outcome.invalidOk).toBe(false);
    expect(outcome.inbox).toEqual([{ id: outcome.messageId, botId: "pack-bot", userId: "593987654321", text: "From the tarball" }]);
  });

  it("types a consumer through its declarations (the types condition), every relative import of which is shipped", async () => {
    await writeFile(join(project, "consumer.ts"), TYPED_CONSUMER);
    const compilerOptions = {
      module: "nodenext",
      moduleResolution: "nodenext",
      target: "es2022",
      strict: true,
      noEmit: true,
      // Checking every .d.ts of hono and @types/node takes 7-20 s; the resolution trace below finds a missing declaration.
      skipLibCheck: true,
      types: ["node"],
      typeRoots: [join(ROOT, "node_modules/@types")],
    };
    await writeFile(join(project, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["consumer.ts"] }));
    const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
    const trace = await node([tsc, "-p", "tsconfig.json", "--traceResolution"]);
    const resolutions = trace.split("======== Resolving module ").slice(1);
    const ours = resolutions.filter((r) => /^'\.\.?\/[^']*' from '[^']*node_modules\/jelou-flow\//.test(r));
    expect(ours.length).toBeGreaterThan(10);
    // A missing declaration resolves to the .js beside it, typed `any` under skipLibCheck: only a .d.ts will do.
    const untyped = ours.filter((r) => !/was successfully resolved to '[^']+\.d\.ts'/.test(r)).map((r) => r.slice(0, r.indexOf(". ========")));
    expect(untyped).toEqual([]);
  });
});

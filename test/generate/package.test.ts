import { execFile } from "node:child_process";
import { access, constants, mkdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const run = promisify(execFile);

describe("npm pack", () => {
  const SHIPPED = ["package.json", "openapi.yaml", "mock/openapi.yaml", "README.md", "LICENSE", "bench/RESULTS.md"];
  let files: string[] = [];

  beforeAll(async () => {
    const { stdout } = await run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT });
    const [pack] = JSON.parse(stdout) as { files: { path: string }[] }[];
    files = (pack?.files ?? []).map((f) => f.path);
  }, 60_000);

  it("ships only dist/, openapi.yaml, mock/openapi.yaml, the README, the figures it links to, the licence and package.json", () => {
    expect(files).toEqual(expect.arrayContaining(["package.json", "openapi.yaml", "README.md", "bench/RESULTS.md"]));
    expect(files.filter((f) => !f.startsWith("dist/") && !SHIPPED.includes(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
  });

  it("ships every file the README links to, so no link of the installed README is broken", async () => {
    const readme = await readFile(path.join(ROOT, "README.md"), "utf8");
    const local = [...readme.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)]
      .map((m) => m[1] as string)
      .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
    expect(local.length).toBeGreaterThan(0);
    expect(local.filter((target) => !files.includes(path.posix.normalize(target)))).toEqual([]);
  });
});

describe("npm run build", () => {
  // Built inside the checkout (test-artifacts/ is ignored by git) so that the output resolves node_modules like dist/ does.
  const out = path.join(ROOT, "test-artifacts", `build-${process.pid}`);

  beforeAll(async () => {
    await mkdir(path.dirname(out), { recursive: true });
    await run(process.execPath, ["--import", "tsx", "scripts/build.ts", "--outDir", out], { cwd: ROOT });
  }, 120_000);
  afterAll(() => rm(out, { recursive: true, force: true }));

  it("writes a client that runs from JavaScript alone, with its declarations", async () => {
    const entry = await import(pathToFileURL(path.join(out, "src/index.js")).href);
    const client = entry.createJelouClient({ clientId: "id", clientSecret: "secret", baseUrl: "http://jelou.test" });
    const dry = await client.sendFlowMessage(
      { botId: "b", userId: "+593 98 765 4321", title: "t", text: "x", caption: "c", parameters: { flow_name: "f", flow_cta: "Go" } },
      { dryRun: true },
    );
    expect(dry.url).toBe("http://jelou.test/v1/bots/b/users/593987654321/flow_message");
    const declarations = await readFile(path.join(out, "src/index.d.ts"), "utf8");
    expect(declarations).toContain("createJelouClient");
    await access(path.join(out, "generated/validators.js"));
    await access(path.join(out, "generated/validators.d.ts"));
  });

  it("rejects an invalid message from the built validators", async () => {
    const entry = await import(pathToFileURL(path.join(out, "src/index.js")).href);
    const result = entry.validateFlowMessage({ botId: "b", userId: "1", title: "", text: "x", caption: "c", parameters: { flow_name: "f", flow_cta: "Go" } });
    expect(result.ok).toBe(false);
  });

  it("makes the jelou-flow bin executable, with its shebang", async () => {
    const packageJson = JSON.parse(await readFile(path.join(ROOT, "package.json"), "utf8")) as { bin: Record<string, string> };
    expect(packageJson.bin["jelou-flow"]).toBe("./dist/src/cli/main.js");
    const bin = path.join(out, "src/cli/main.js");
    await access(bin, constants.X_OK);
    expect((await readFile(bin, "utf8")).startsWith("#!/usr/bin/env node\n")).toBe(true);
  });
});

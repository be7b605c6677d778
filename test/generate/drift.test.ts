import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the generator of the copied checkout, as `npm run generate[:check]` would there. */
function generate(root: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", "scripts/generate.ts", "--root", root, ...args], { cwd: root }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Edits a copied contract: the exact text must be there, so a reworded contract fails this test loudly. */
async function editContract(root: string, from: string, to: string, spec = "openapi.yaml"): Promise<void> {
  const file = path.join(root, spec);
  const text = await readFile(file, "utf8");
  expect(text).toContain(from);
  await writeFile(file, text.replace(from, to));
}

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "jelou-flow-drift-"));
  // Both contracts (the endpoint's, and the mock's inspection API in mock/), what they generate, and package.json (ESM).
  await cp(path.join(ROOT, "openapi.yaml"), path.join(root, "openapi.yaml"));
  await cp(path.join(ROOT, "mock/inspection/openapi.yaml"), path.join(root, "mock/inspection/openapi.yaml"));
  await cp(path.join(ROOT, "package.json"), path.join(root, "package.json"));
  await cp(path.join(ROOT, "scripts"), path.join(root, "scripts"), { recursive: true });
  await cp(path.join(ROOT, "generated"), path.join(root, "generated"), { recursive: true });
  await symlink(path.join(ROOT, "node_modules"), path.join(root, "node_modules"), "dir");
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe("the drift check of generated/", () => {
  it("passes on an unchanged copy of the contract", async () => {
    const run = await generate(root, "--check");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  });

  it("fails, naming the stale file, when a limit changes without regeneration", async () => {
    await editContract(root, "          minLength: 1\n          maxLength: 60\n          examples:\n            - Hello", "          minLength: 1\n          maxLength: 61\n          examples:\n            - Hello");
    const run = await generate(root, "--check");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/generated\/ is stale against the contract: .*generated\/validators\.js/);
    expect(run.stderr).toMatch(/Run `npm run generate`/);
  });

  it("fails on the types too when a field is added, and passes again once regenerated", async () => {
    await editContract(root, "        payload:\n          type: object", "        footer_note:\n          type: string\n          description: A field the generated types do not know yet.\n        payload:\n          type: object");
    const stale = await generate(root, "--check");
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/generated\/openapi\.ts/);

    const write = await generate(root);
    expect(write.code).toBe(0);
    expect(await readFile(path.join(root, "generated/openapi.ts"), "utf8")).toContain("footer_note?: string");
    expect((await generate(root, "--check")).code).toBe(0);
  });

  // Last: the tests above leave the copy consistent only once the one before has regenerated it.
  it("checks the mock's inspection contract too, naming its stale file", async () => {
    const limit = "            maximum: 120000";
    await editContract(root, limit, "            maximum: 120001", "mock/inspection/openapi.yaml");
    const run = await generate(root, "--check");
    await editContract(root, "            maximum: 120001", limit, "mock/inspection/openapi.yaml");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/generated\/mock\/validators\.js/);
    expect((await generate(root, "--check")).code).toBe(0);
  });
});

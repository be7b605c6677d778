import { randomUUID } from "node:crypto";
import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkLinks } from "./check-links.js";
import { anchorsOf, linksOf, parseBlocks, slugOf } from "./markdown.js";
import { processesWith, ROOT, runBlock, type BlockEnvironment } from "./scratch.js";

// The docs tests' own parts, on the fixture pages, so that each check is known to fail when it should.
const BROKEN = "test/docs/fixtures/broken.md";

describe("parseBlocks", () => {
  it("reads each block's language, first line and marker, and reports what breaks the rule", async () => {
    const { blocks, findings } = parseBlocks(await readFile(join(ROOT, BROKEN), "utf8"));
    expect(blocks.map((b) => [b.line, b.lang, b.marker?.kind ?? "none"])).toEqual([
      [21, "ts", "file"],
      [25, "", "none"],
      [30, "json", "invalid"],
      [35, "ts", "invalid"],
      [40, "ts", "exit"],
      [46, "sh", "none"],
      [50, "yaml", "none"],
      [54, "sh", "none"],
    ]);
    expect(blocks[0]).toMatchObject({ marker: { kind: "file", path: "vitest.config.ts" }, code: "export default {};\n" });
    expect(findings).toEqual([
      { line: 25, message: expect.stringContaining("without a language tag") },
      { line: 29, message: expect.stringContaining("unknown marker <!-- prettier-ignore -->") },
      { line: 34, message: "a fragment marker gives no reason" },
      { line: 39, message: "exit: is for sh blocks; this one is ts" },
      { line: 44, message: expect.stringContaining("not on the line right above the fence (line 46)") },
    ]);
  });

  it("reads a fence inside a list item, a tilde fence, and one never closed", () => {
    const { blocks, findings } = parseBlocks("1. Run:\n\n   <!-- exit: 3 -->\n   ```sh\n   false\n   ```\n~~~ts\n```\n~~~\n```sh\nopen");
    expect(blocks).toEqual([
      { line: 4, lang: "sh", code: "false\n", marker: { kind: "exit", code: 3 } },
      { line: 7, lang: "ts", code: "```\n" },
      { line: 10, lang: "sh", code: "open\n" },
    ]);
    expect(findings).toEqual([{ line: 10, message: "this fence is never closed" }]);
  });
});

describe("anchors and links", () => {
  it("slugs headings as GitHub does", () => {
    expect(slugOf("Is the contract still true? `jelou-flow verify`")).toBe("is-the-contract-still-true-jelou-flow-verify");
    expect(slugOf("Retries, and *why* they are what they are")).toBe("retries-and-why-they-are-what-they-are");
    expect(slugOf("`send_flow_message` and __bold__ [linked](x.md)")).toBe("send_flow_message-and-bold-linked");
    expect(slugOf("node:test")).toBe("nodetest");
    expect([...anchorsOf("# A\n## A\n## A\nSetext\n---\n```\n# not a heading\n```\n<a id=\"Here\"></a>")]).toEqual([
      "a",
      "a-1",
      "a-2",
      "setext",
      "here",
    ]);
  });

  it("finds links and images outside code only", () => {
    const links = linksOf("[a](x.md) `[b](y.md)` ![c](p.png \"t\")\n[d]: <z.md#q>\n<img src=\"i.svg\">\n```\n[e](no.md)\n```");
    expect(links).toEqual([
      { line: 1, target: "x.md", image: false },
      { line: 1, target: "p.png", image: true },
      { line: 2, target: "z.md#q", image: false },
      { line: 3, target: "i.svg", image: true },
    ]);
  });

  it("reports each broken link of the fixture page with its line and what is missing, and nothing else", () => {
    expect(checkLinks(ROOT, BROKEN).map((b) => [b.line, b.target, b.problem])).toEqual([
      [16, "missing.md", "there is no test/docs/fixtures/missing.md in the repository"],
      [16, "runs.md#no-such-heading", "test/docs/fixtures/runs.md has no heading or <a id> whose anchor is #no-such-heading"],
      [16, "#nowhere", `${BROKEN} has no heading or <a id> whose anchor is #nowhere`],
      [17, "broken/missing.png", "there is no test/docs/fixtures/broken/missing.png in the repository"],
      [17, "../../../node_modules/vitest/package.json", expect.stringContaining("is ignored by git")],
      [18, "../../../../outside.md", "it leads outside the repository"],
    ]);
  });
});

describe("runBlock", () => {
  const project = join(ROOT, "test-artifacts", `docs-checks-${randomUUID().slice(0, 8)}`);
  const env: BlockEnvironment = { mockUrl: "http://127.0.0.1:9", clientId: "id", clientSecret: "secret", binDir: project };
  afterAll(() => rm(project, { recursive: true, force: true }));

  it("fails a block with its exit code and output, and passes one that ends with its exit: code", async () => {
    await mkdir(project, { recursive: true });
    const marker = `${randomUUID()}/`;
    const failed = await runBlock(project, { line: 1, lang: "sh", code: "echo to stdout\necho to stderr >&2\nexit 3\n" }, env, marker);
    expect(failed).toMatchObject({ ok: false, problem: "ended with exit code 3, expected 0", output: "to stdout\nto stderr\n" });
    const expected = { line: 2, lang: "sh", code: "exit 3\n", marker: { kind: "exit", code: 3 } } as const;
    expect(await runBlock(project, expected, env, marker)).toMatchObject({ ok: true });
    const ts = { line: 3, lang: "ts", code: "const n: number = 1;\nconsole.log(process.env.JELOU_BASE_URL, n);\n" };
    expect(await runBlock(project, ts, env, marker)).toMatchObject({ ok: true, output: "http://127.0.0.1:9 1\n" });
  });

  it("fails a block that leaves a process running, and ends that process", async () => {
    await mkdir(project, { recursive: true });
    const marker = `${randomUUID()}/`;
    const block = { line: 4, lang: "sh", code: "sleep 600 >/dev/null 2>&1 &\necho started\n" };
    const outcome = await runBlock(project, block, env, marker);
    expect(outcome.ok).toBe(false);
    expect(outcome.problem).toMatch(/^left processes running:\n\d+ sleep 600/);
    expect(await processesWith(marker)).toEqual([]);
  });
});

import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMockJelou } from "../../mock/index.js";
import type { MockServer } from "../../mock/index.js";
import { startRedis, type RedisServer } from "../helpers/redis.js";
import { parseBlocks, type CodeBlock, type Finding } from "./markdown.js";
import { createProject, docsPages, reapLeftovers, ROOT, runBlock, writeCliShim } from "./scratch.js";
import type { BlockEnvironment, BlockOutcome } from "./scratch.js";

/**
 * Every code block of the docs, run as the rule for code blocks says (a `<!-- file: -->` block is written, a
 * `<!-- fragment: -->` block is counted, any other `ts` or `sh` block runs): one scratch project per page, the pages'
 * projects side by side, one mock Jelou and (when a block names `redis://`) one Redis for all of them. The runnable
 * fixture page is a page like the others, so that each kind of block is known to pass here.
 */
const RUNNABLE = new Set(["ts", "sh"]);
const CONCURRENCY = Number(process.env.DOCS_CONCURRENCY ?? 3);
const RUN = randomUUID();
const ARTIFACTS = join(ROOT, "test-artifacts", `docs-${RUN.slice(0, 8)}`);

interface Page {
  page: string;
  index: number;
  blocks: CodeBlock[];
  findings: Finding[];
  /** The block outcomes by line, settled as the page's project runs them; `done` once it has finished. */
  outcomes: Map<number, Deferred<BlockOutcome>>;
  done: Deferred<string[]>;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

// DOCS_PAGE=docs/mock.md runs the pages whose path holds that text only (vitest's -t filters the tests, not the runs).
const chosen = [...docsPages(), "test/docs/fixtures/runs.md"].filter((page) => page.includes(process.env.DOCS_PAGE ?? ""));
const pages: Page[] = chosen.map((page, index) => {
  const { blocks, findings } = parseBlocks(readFileSync(join(ROOT, page), "utf8"));
  const outcomes = new Map(blocks.filter((b) => !b.marker || b.marker.kind === "exit").map((b) => [b.line, deferred<BlockOutcome>()]));
  return { page, index, blocks, findings, outcomes, done: deferred<string[]>() };
});

const pageMarker = (page: Page) => `${RUN}/p${page.index}/`;

/** Runs a page's unmarked blocks in order; never rejects (a failure is an outcome). */
async function runPage(page: Page, env: BlockEnvironment): Promise<void> {
  let project: string | undefined;
  try {
    project = await createProject(ARTIFACTS, page.page, page.blocks, env);
  } catch (error) {
    const outcome = { ok: false, problem: `the scratch project could not be made: ${String(error)}`, output: "", ms: 0 };
    for (const pending of page.outcomes.values()) pending.resolve(outcome);
    return page.done.resolve([]);
  }
  for (const block of page.blocks) {
    const pending = page.outcomes.get(block.line);
    if (!pending || !project) continue;
    if (!RUNNABLE.has(block.lang)) {
      const what = block.lang ? `a ${block.lang} block cannot run (only ts and sh blocks run)` : "a block without a language tag";
      pending.resolve({ ok: false, problem: `${what}: mark it <!-- file: PATH --> or <!-- fragment: WHY -->`, output: "", ms: 0 });
      continue;
    }
    pending.resolve(await runBlock(project, block, env, `${pageMarker(page)}L${block.line}/`));
  }
  page.done.resolve(await reapLeftovers(pageMarker(page)));
}

/** Runs the pages at most `CONCURRENCY` at a time, those with the most blocks first (they finish last). */
async function runPages(env: BlockEnvironment): Promise<void> {
  const queue = [...pages].sort((a, b) => b.outcomes.size - a.outcomes.size);
  const lane = async () => {
    for (let page = queue.shift(); page; page = queue.shift()) await runPage(page, env);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
}

let server: MockServer | undefined;
let redis: RedisServer | undefined;
let running: Promise<void> | undefined;

beforeAll(async () => {
  const clientId = "docs-client";
  const clientSecret = "docs-secret";
  server = await createMockJelou({ clientId, clientSecret, env: false }).listen({ port: 0, hostname: "127.0.0.1" });
  if (pages.some((p) => p.blocks.some((b) => b.code.includes("redis://")))) redis = await startRedis({ persistent: true });
  const binDir = join(ARTIFACTS, "bin");
  await mkdir(ARTIFACTS, { recursive: true });
  await writeCliShim(binDir);
  running = runPages({ mockUrl: server.url, clientId, clientSecret, binDir, ...(redis ? { redisUrl: redis.url } : {}) });
});

afterAll(async () => {
  // A failed beforeAll leaves the pages pending: settle them, so that nothing waits on them.
  for (const page of pages) page.done.resolve([]);
  await running;
  await reapLeftovers(`${RUN}/`, 0);
  await server?.close();
  await redis?.stop();
  if (!process.env.DOCS_KEEP_PROJECTS) await rm(ARTIFACTS, { recursive: true, force: true });
}, 120_000);

const firstLine = (block: CodeBlock) => {
  const line = block.code.split("\n").find((l) => l.trim() !== "")?.trim() ?? "";
  return line.length > 70 ? `${line.slice(0, 67)}...` : line;
};

for (const page of pages) {
  describe(page.page, () => {
    const fragments = page.blocks.filter((b) => b.marker?.kind === "fragment");
    const files = page.blocks.filter((b) => b.marker?.kind === "file").length;
    it(`${fragments.length} fragments, ${files} files, ${page.outcomes.size} blocks run; every block follows the rule`, () => {
      for (const block of fragments) {
        console.log(`${page.page}:${block.line} fragment (${block.marker?.kind === "fragment" ? block.marker.why : ""})`);
      }
      const problems = page.findings.map((f) => `${page.page}:${f.line} ${f.message}`);
      expect(problems, "blocks that break the rule for code blocks").toEqual([]);
    });

    for (const block of page.blocks) {
      const pending = page.outcomes.get(block.line);
      if (!pending) continue;
      it(`${page.page}:${block.line} ${firstLine(block)}`, async () => {
        const outcome = await pending.promise;
        if (!outcome.ok) {
          const output = outcome.output.trim() ? `\n--- its output ---\n${outcome.output}` : " (no output)";
          throw new Error(`${page.page}:${block.line} (${block.lang || "untagged"}) ${outcome.problem}${output}`);
        }
      }, 600_000);
    }

    it("leaves no process of its own behind", async () => {
      expect(await page.done.promise, "processes the page's blocks started and left running").toEqual([]);
    }, 600_000);
  });
}

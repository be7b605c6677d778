/**
 * Before and after: `node --import tsx bench/compare.ts <commit>` runs an earlier commit's mock and client beside this checkout's,
 * in the same rounds (servers A B B A, client blocks interleaved), so that an optimisation is judged by ratios of one
 * run. The earlier commit is extracted with `git archive` and compiled like this checkout; nothing in the working tree
 * changes. Prints a markdown table for bench/RESULTS.md's notes.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { loadavg } from "node:os";
import { measureClients, pairedRatio } from "./client-cost.js";
import { measureInProcess } from "./in-process.js";
import { compileCheckout, compileTree } from "./lib/compile.js";
import { ROOT, startFixtureServer, startMockCli, type ServerProcess } from "./lib/processes.js";
import { fmt, median, ratio } from "./lib/stats.js";
import { measureMemory, timeStart } from "./startup-memory.js";
import { measureTargets } from "./throughput.js";

const commit = process.argv[2];
if (commit === undefined) {
  process.stderr.write("usage: node --import tsx bench/compare.ts <commit>\n");
  process.exit(2);
}
const sha = execFileSync("git", ["rev-parse", "--short", commit], { cwd: ROOT, encoding: "utf8" }).trim();
const source = `${ROOT}node_modules/.cache/jelou-flow-src-${sha}/`;
const before = `${ROOT}node_modules/.cache/jelou-flow-bench-${sha}/`;
rmSync(source, { recursive: true, force: true });
mkdirSync(source, { recursive: true });
execFileSync("sh", ["-c", `git archive ${sha} src mock generated package.json | tar -x -C "${source}"`], { cwd: ROOT });
compileTree(source, before);
compileCheckout();
const load0 = loadavg();

const rows: string[] = [];
const row = (what: string, old: string, now: string, change: string) => rows.push(`| ${what} | ${old} | ${now} | ${change} |`);

const servers: ServerProcess[] = [];
try {
  const hono = await startFixtureServer("hono");
  servers.push(hono);
  const oldMock = await startFixtureServer("mock", ["2000000"], before);
  servers.push(oldMock);
  const newMock = await startFixtureServer("mock", ["2000000"]);
  servers.push(newMock);
  const [h, o, n] = await measureTargets(
    [
      { name: "hono", url: hono.url },
      { name: "before", url: oldMock.url },
      { name: "after", url: newMock.url },
    ],
    { connections: 10, durationSeconds: 4, rounds: 4, warmupSeconds: 2 },
  );
  if (h === undefined || o === undefined || n === undefined) throw new Error("missing server figures");
  row("mock req/s (vs plain Hono, same rounds)", `${fmt(o.rps)} (${ratio(o.rps, h.rps)})`, `${fmt(n.rps)} (${ratio(n.rps, h.rps)})`, ratio(n.rps, o.rps));
} finally {
  await Promise.all(servers.map((s) => s.stop()));
}

const { createJelouClient: oldClient } = (await import(`${before}src/index.js`)) as typeof import("../src/index.js");
const clients = await measureClients({ warmupCalls: 3000, callsPerBlock: 1000, rounds: 4 }, [{ name: "before", create: oldClient }]);
const bare = clients.find((c) => c.name === "bare openapi-fetch");
const oldSend = clients.find((c) => c.name === "before");
const newSend = clients.find((c) => c.name.startsWith("sendFlowMessage"));
if (bare && oldSend && newSend) {
  row(
    "sendFlowMessage µs/call (vs bare openapi-fetch, same blocks)",
    `${fmt(oldSend.microsPerCall)} (${ratio(pairedRatio(oldSend, bare), 1)})`,
    `${fmt(newSend.microsPerCall)} (${ratio(pairedRatio(newSend, bare), 1)})`,
    ratio(pairedRatio(newSend, oldSend), 1),
  );
}

const [viaMock, viaMsw, oldInProcess] = await measureInProcess({ warmupCalls: 3000, callsPerBlock: 1000, rounds: 4 }, [
  { name: "before", root: before },
]);
if (viaMock && viaMsw && oldInProcess) {
  row(
    "in-process send µs/call (vs MSW handler, same blocks)",
    `${fmt(oldInProcess.microsPerCall)} (${ratio(pairedRatio(oldInProcess, viaMsw), 1)})`,
    `${fmt(viaMock.microsPerCall)} (${ratio(pairedRatio(viaMock, viaMsw), 1)})`,
    ratio(pairedRatio(viaMock, oldInProcess), 1),
  );
}

const starts = { before: [] as number[], after: [] as number[] };
for (let i = 0; i < 5; i++) {
  starts.before.push(await timeStart(() => startMockCli([], before)));
  starts.after.push(await timeStart(() => startMockCli()));
}
const [sb, sa] = [median(starts.before), median(starts.after)];
row("`jelou-flow mock` start to first answer, ms", fmt(sb), fmt(sa), ratio(sa, sb));

const memBefore = await measureMemory(100_000, 2, before);
const memAfter = await measureMemory(100_000, 2);
row("RSS idle, MB", fmt(memBefore.idleMb, 1), fmt(memAfter.idleMb, 1), ratio(memAfter.idleMb, memBefore.idleMb));
row("RSS holding 100,000 messages, MB", fmt(memBefore.fullMb, 1), fmt(memAfter.fullMb, 1), ratio(memAfter.fullMb, memBefore.fullMb));

const dirty = execFileSync("git", ["status", "--porcelain", "--", "src", "mock", "generated"], { cwd: ROOT, encoding: "utf8" }).trim();
process.stdout.write(
  `\nBefore: ${sha}; after: ${execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim()}${dirty ? " plus uncommitted changes" : ""}; ` +
    `load average ${load0.map((l) => l.toFixed(2)).join(", ")} before, ${loadavg().map((l) => l.toFixed(2)).join(", ")} after; ${new Date().toISOString()}\n\n` +
    `| Measure | Before | After | After / before |\n|---|---|---|---|\n${rows.join("\n")}\n`,
);

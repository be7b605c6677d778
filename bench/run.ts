/**
 * `npm run bench`: every figure as a median of several runs and as a ratio to its reference measured in the same run,
 * printed as one table and written to bench/RESULTS.md. Not part of `npm test`: figures are never asserted.
 *
 * `npm run bench -- --quick` runs each part briefly, to check the bench itself works (its figures mean little).
 * The queue's part (bench/queue.ts, with Redis and worker processes) runs last, given `--quick` when this run was.
 */
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { measureClients } from "./client-cost.js";
import { measureInProcess } from "./in-process.js";
import { compileCheckout } from "./lib/compile.js";
import { nodeArgs, ROOT } from "./lib/processes.js";
import { renderResults, writeResults, type BenchFigures } from "./report.js";
import { measureBulk, measureMemory, measureStartup } from "./startup-memory.js";
import { measureServers } from "./throughput.js";

const quick = process.argv.includes("--quick");
const RESULTS = fileURLToPath(new URL("RESULTS.md", import.meta.url));

function step(text: string): void {
  process.stderr.write(`\n${text}\n`);
}

const started = performance.now();
const loadBefore = loadavg();
step("Compiling the checkout (start-up and memory are measured on plain JavaScript, as published)…");
compileCheckout();

const load = quick
  ? { connections: 10, durationSeconds: 1, rounds: 1, warmupSeconds: 1 }
  : { connections: 10, durationSeconds: 4, rounds: 3, warmupSeconds: 2 };
step(`Servers: ${load.rounds} rounds of ${load.durationSeconds} s each…`);
const servers = await measureServers(load);

step("Client cost per send…");
const clients = await measureClients(
  quick ? { warmupCalls: 200, callsPerBlock: 100, rounds: 1 } : { warmupCalls: 3000, callsPerBlock: 1000, rounds: 8 },
);

step("In-process send, the mock's fetch beside MSW…");
const inProcess = await measureInProcess(
  quick ? { warmupCalls: 200, callsPerBlock: 100, rounds: 1 } : { warmupCalls: 3000, callsPerBlock: 1000, rounds: 8 },
);

const startupRuns = quick ? 1 : 5;
step(`Start to first answer, ${startupRuns} times each…`);
const startup = await measureStartup(startupRuns);

step("Memory of the mock…");
const memory = await measureMemory(quick ? 10_000 : 100_000, quick ? 1 : 3);

step("Bulk sender…");
const bulk = await measureBulk(quick ? 200 : 2000, 4, quick ? 1 : 3);

const figures: BenchFigures = {
  load,
  servers,
  clients,
  inProcess,
  startup,
  startupRuns,
  memory,
  bulk,
  loadBefore,
  loadAfter: loadavg(),
  seconds: (performance.now() - started) / 1000,
};
const markdown = renderResults(figures);
process.stdout.write(`\n${markdown}\n`);
if (quick) step("A --quick run: bench/RESULTS.md is left as it was.");
else {
  writeResults(RESULTS, markdown);
  step(`Written to ${RESULTS}`);
}

step("The queue (bench/queue.ts: Redis, queue workers in processes of their own)…");
const queue = spawnSync(process.execPath, nodeArgs("bench/queue.ts", quick ? ["--quick"] : []), { cwd: ROOT, stdio: "inherit" });
process.exitCode = queue.status ?? 1;

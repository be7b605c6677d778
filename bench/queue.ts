/**
 * The queue's targets, in one run: against the mock over HTTP answering after 50 ms (`--latency 50`) with no rate
 * limit, and the same concurrency per worker, three queue workers against one (target: at least 2.5x the sends a
 * second), and one queue worker against the file-journal bulk sender (target: at least 0.7x).
 *
 *   node --import tsx bench/queue.ts            # prints a table; exits 1 when a target is missed
 *   node --import tsx bench/queue.ts --json     # one JSON line
 *   node --import tsx bench/queue.ts --quick    # a tenth of the sends, to check the bench works; exits 0 on a miss
 *
 * Each worker is a process of its own (this file, run as `bench/queue.ts worker URL CONCURRENCY`), started before the
 * campaign is released: the campaign is enqueued paused, and the clock starts when it is resumed.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue } from "bullmq";
import { createJelouClient, sendFlowMessages } from "../src/index.js";
import { campaignStatus, enqueueCampaign, runCampaignWorker } from "../src/queue/index.js";
import { startProcessGroup, type ProcessGroup } from "../test/helpers/process-group.js";
import { startRedis } from "../test/helpers/redis.js";
import { nodeArgs, ROOT, startMockCli } from "./lib/processes.js";
import { BOT_ID, CLIENT_ID, CLIENT_SECRET, flowMessage } from "./lib/workload.js";

const CONCURRENCY = 4; // the default of `bulk --concurrency` and of `worker --concurrency`
const LATENCY_MS = 50;
const quick = process.argv.includes("--quick");
const ONE = quick ? 80 : 800;
const THREE = quick ? 240 : 2_400;

const rows = (n: number, from: number) => Array.from({ length: n }, (_, i) => ({ userId: String(593_900_000_000 + from + i) }));

if (process.argv[2] === "worker") {
  const stop = new AbortController();
  process.once("SIGTERM", () => stop.abort());
  await runCampaignWorker({ queue: process.argv[3]!, concurrency: Number(process.argv[4]), signal: stop.signal });
  process.exit(0);
}

// Persistent as the workers require (appendonly yes, appendfsync always): what a campaign runs on.
const redis = await startRedis({ persistent: true });
const mock = await startMockCli(["--latency", String(LATENCY_MS), "--max-messages", "20000"], false);
const env = { JELOU_CLIENT_ID: CLIENT_ID, JELOU_CLIENT_SECRET: CLIENT_SECRET, JELOU_BASE_URL: mock.url };
const groups: ProcessGroup[] = [];

/** Sends a second of `workers` queue workers on a campaign of `n` recipients, from its release to its last outcome. */
async function queueRun(campaign: string, workers: number, n: number, from: number): Promise<number> {
  await enqueueCampaign([], { queue: redis.url, campaign, template: flowMessage(), botId: BOT_ID });
  const queue = new Queue(campaign, { connection: { url: redis.url }, prefix: "jelou-flow" });
  await queue.pause();
  const args = nodeArgs("bench/queue.ts", ["worker", redis.url, String(CONCURRENCY)]);
  const start = () => startProcessGroup("queue worker", process.execPath, args, { cwd: ROOT, env });
  const started = Array.from({ length: workers }, start);
  groups.push(...started);
  await new Promise((r) => setTimeout(r, 6_000)); // every worker loaded and watching the campaign
  await enqueueCampaign(rows(n, from), { queue: redis.url, campaign, template: flowMessage(), botId: BOT_ID });
  const t0 = performance.now();
  await queue.resume();
  while (!(await campaignStatus({ queue: redis.url, campaign })).done) await new Promise((r) => setTimeout(r, 20));
  const seconds = (performance.now() - t0) / 1000;
  await queue.close();
  await Promise.all(started.map((g) => g.stop()));
  const { counts } = await campaignStatus({ queue: redis.url, campaign });
  if (counts.sent !== n) throw new Error(`${campaign}: ${counts.sent} of ${n} sent`);
  return n / seconds;
}

/** Sends a second of the file-journal bulk sender, from the end of its check to its last outcome. */
async function fileRun(n: number, from: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), "jelou-bench-queue-"));
  try {
    const client = createJelouClient({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, baseUrl: mock.url, env: {} });
    let t0 = 0;
    let sent = 0;
    const results = sendFlowMessages(client, rows(n, from), {
      template: flowMessage(),
      botId: BOT_ID,
      concurrency: CONCURRENCY,
      journal: join(dir, "journal.jsonl"),
      onPlan: () => (t0 = performance.now()),
    });
    for await (const r of results) if (r.status === "sent") sent++;
    if (sent !== n) throw new Error(`file bulk sender: ${sent} of ${n} sent`);
    return n / ((performance.now() - t0) / 1000);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

try {
  const file = await fileRun(ONE, 0);
  const one = await queueRun("bench-one", 1, ONE, 10_000);
  const three = await queueRun("bench-three", 3, THREE, 20_000);
  const figures = {
    concurrencyPerWorker: CONCURRENCY,
    latencyMs: LATENCY_MS,
    fileSendsPerSecond: Math.round(file),
    oneWorkerSendsPerSecond: Math.round(one),
    threeWorkersSendsPerSecond: Math.round(three),
    threeOverOne: Number((three / one).toFixed(2)),
    oneOverFile: Number((one / file).toFixed(2)),
  };
  const met = figures.threeOverOne >= 2.5 && figures.oneOverFile >= 0.7;
  if (process.argv.includes("--json")) console.log(JSON.stringify({ ...figures, met }));
  else {
    console.log(`Against the mock over HTTP (--latency ${LATENCY_MS}), ${CONCURRENCY} sends in flight per worker, no rate limit`);
    console.log("| sender                      | sends/s | target              |");
    console.log("|-----------------------------|--------:|---------------------|");
    console.log(`| file-journal bulk sender    | ${String(figures.fileSendsPerSecond).padStart(7)} |                     |`);
    const row = (name: string, perSecond: number, target: string) =>
      `| ${name.padEnd(27)} | ${String(perSecond).padStart(7)} | ${target.padEnd(19)} |`;
    console.log(row("one queue worker", figures.oneWorkerSendsPerSecond, `${figures.oneOverFile}x file (>= 0.7)`));
    console.log(row("three queue workers", figures.threeWorkersSendsPerSecond, `${figures.threeOverOne}x one (>= 2.5)`));
    console.log(met ? "Targets met." : "A target was missed.");
  }
  process.exitCode = met || quick ? 0 : 1;
} finally {
  await Promise.all(groups.map((g) => g.stop()));
  await mock.stop();
  await redis.stop();
}

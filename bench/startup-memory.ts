/**
 * Start to first answer (the mock's command line, the Prism mock, `createMockJelou()` in-process, and a bare node:http
 * server started the same way as the floor), the mock's memory, and the bulk sender: each measured in fresh processes.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import autocannon from "autocannon";
import { nodeArgs, ROOT, startFixtureServer, startMockCli, startQuietPrism, type Compiled } from "./lib/processes.js";
import { median, sleep } from "./lib/stats.js";
import { flowMessage, SEND_HEADERS, SEND_PATH } from "./lib/workload.js";

const run = promisify(execFile);

/** Runs a compiled bench/fixtures script in a fresh Node process and parses the JSON line it prints. */
async function fixture<T>(file: string, args: string[]): Promise<T> {
  const { stdout } = await run(process.execPath, nodeArgs(`bench/fixtures/${file}`, args, { compiled: true }), {
    cwd: ROOT,
    maxBuffer: 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split("\n").pop() ?? "") as T;
}

export async function timeStart(start: () => Promise<{ stop(): Promise<void> }>): Promise<number> {
  const t0 = process.hrtime.bigint();
  const server = await start();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  await server.stop();
  return ms;
}

export interface StartupFigures {
  /** A bare node:http server process, compiled: the floor of any server process. */
  bareMs: number;
  /** `jelou-flow mock` compiled, as the published package runs. */
  mockCliMs: number;
  /** `jelou-flow mock` from source through tsx, as `npm run mock` runs. */
  mockCliTsxMs: number;
  prismMockMs: number;
  inProcessColdMs: number;
  inProcessCreateMs: number;
}

/**
 * Times each start `runs` times, interleaved, and keeps the medians.
 *
 * @param runs how many starts of each
 */
export async function measureStartup(runs: number): Promise<StartupFigures> {
  const samples: Record<keyof StartupFigures, number[]> = {
    bareMs: [],
    mockCliMs: [],
    mockCliTsxMs: [],
    prismMockMs: [],
    inProcessColdMs: [],
    inProcessCreateMs: [],
  };
  for (let i = 0; i < runs; i++) {
    samples.bareMs.push(await timeStart(() => startFixtureServer("bare")));
    samples.mockCliMs.push(await timeStart(() => startMockCli()));
    samples.mockCliTsxMs.push(await timeStart(() => startMockCli([], false)));
    samples.prismMockMs.push(await timeStart(() => startQuietPrism({ mode: "mock" })));
    const inProcess = await fixture<{ coldMs: number; createMs: number }>("in-process-start.ts", []);
    samples.inProcessColdMs.push(inProcess.coldMs);
    samples.inProcessCreateMs.push(inProcess.createMs);
  }
  const pick = (key: keyof StartupFigures) => median(samples[key]);
  return {
    bareMs: pick("bareMs"),
    mockCliMs: pick("mockCliMs"),
    mockCliTsxMs: pick("mockCliTsxMs"),
    prismMockMs: pick("prismMockMs"),
    inProcessColdMs: pick("inProcessColdMs"),
    inProcessCreateMs: pick("inProcessCreateMs"),
  };
}

export interface MemoryFigures {
  /** A bare node:http server process, idle. */
  bareMb: number;
  /** `jelou-flow mock` idle. */
  idleMb: number;
  /** The same process once it holds `messages` messages received over HTTP. */
  fullMb: number;
  messages: number;
}

/**
 * The RSS of `jelou-flow mock --max-messages count` (compiled) idle, then after `count` distinct sends over HTTP, read
 * from /proc with no forced garbage collection: what a user's process would show. Medians of `runs` fresh processes.
 *
 * @param count messages retained
 * @param runs how many processes
 * @param compiled which compiled tree runs the mock (default this checkout's)
 * @throws Error when the mock does not hold every message
 */
export async function measureMemory(count: number, runs: number, compiled: Compiled = true): Promise<MemoryFigures> {
  const all: MemoryFigures[] = [];
  // Each send gets a distinct order id, so no two stored bodies are alike.
  const body = JSON.stringify({ ...flowMessage(), payload: { orderId: "[<id>]" } });
  for (let i = 0; i < runs; i++) {
    const bare = await startFixtureServer("bare");
    await sleep(300);
    const bareMb = bare.rssMb();
    await bare.stop();
    const mock = await startMockCli(["--max-messages", String(count)], compiled);
    try {
      await sleep(300);
      const idleMb = mock.rssMb();
      const result = await autocannon({
        url: `${mock.url}${SEND_PATH}`,
        method: "POST",
        headers: SEND_HEADERS,
        body,
        idReplacement: true,
        connections: 10,
        amount: count,
      });
      const health = (await (await fetch(`${mock.url}/__mock/health`)).json()) as { inbox: { messages: number; evicted: number } };
      if (result["2xx"] !== count || health.inbox.messages !== count) {
        throw new Error(`memory: ${result["2xx"]} answered 2xx and the inbox holds ${health.inbox.messages}, not ${count}`);
      }
      await sleep(300);
      all.push({ bareMb, idleMb, fullMb: mock.rssMb(), messages: count });
    } finally {
      await mock.stop();
    }
  }
  const pick = (key: "bareMb" | "idleMb" | "fullMb") => median(all.map((m) => m[key]));
  return { bareMb: pick("bareMb"), idleMb: pick("idleMb"), fullMb: pick("fullMb"), messages: count };
}
interface BulkPhase {
  perSecond: number;
  cpuMicrosPerSend: number;
}

export interface BulkFigures {
  bulk: BulkPhase;
  loop: BulkPhase;
  rows: number;
  concurrency: number;
}

/**
 * The bulk sender against the mock (in its own process), unlimited rate, with the plain client loop as reference;
 * `runs` fresh processes alternating which goes first.
 *
 * @param rows recipients per phase
 * @param concurrency sends in flight (the command line's default is 4)
 * @param runs how many processes
 */
export async function measureBulk(rows: number, concurrency: number, runs: number): Promise<BulkFigures> {
  const mock = await startFixtureServer("mock", ["2000000"]);
  try {
    const all: { bulk: BulkPhase; loop: BulkPhase }[] = [];
    for (let i = 0; i < runs; i++) {
      all.push(await fixture("bulk.ts", [mock.url, String(rows), String(concurrency), i % 2 === 0 ? "1" : "0"]));
    }
    const phase = (key: "bulk" | "loop"): BulkPhase => ({
      perSecond: median(all.map((a) => a[key].perSecond)),
      cpuMicrosPerSend: median(all.map((a) => a[key].cpuMicrosPerSend)),
    });
    return { bulk: phase("bulk"), loop: phase("loop"), rows, concurrency };
  } finally {
    await mock.stop();
  }
}

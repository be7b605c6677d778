/**
 * Server throughput and latency on loopback: the same request, the same connections, one autocannon run per server per
 * round, the order reversed every other round (A B C, C B A, ...) so that warming up or a noisy neighbour favours no one.
 */
import autocannon from "autocannon";
import type { PrismServer } from "../test/helpers/prism.js";
import { startFixtureServer, startQuietPrism, type ServerProcess } from "./lib/processes.js";
import { median } from "./lib/stats.js";
import { BODY_TEXT, SEND_HEADERS, SEND_PATH } from "./lib/workload.js";

export interface LoadSettings {
  connections: number;
  durationSeconds: number;
  rounds: number;
  warmupSeconds: number;
}

export interface ServerFigures {
  name: string;
  /** Median requests per second over the rounds. */
  rps: number;
  /** Mean latency from Little's law (connections / req/s), in ms: autocannon only reports whole milliseconds. */
  meanLatencyMs: number;
  /** Median of autocannon's 99th percentile, whole ms. */
  p99Ms: number;
  /** Answers other than 2xx, and connection errors, over all rounds: any is a flaw in the comparison. */
  non2xx: number;
  errors: number;
  runs: number[];
}

/** A server to load, by name and base URL. */
export interface Target {
  name: string;
  url: string;
}

function load(url: string, connections: number, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url: `${url}${SEND_PATH}`,
    method: "POST",
    headers: SEND_HEADERS,
    body: BODY_TEXT,
    connections,
    duration: seconds,
  });
}

/**
 * Starts the eight servers, measures them round by round, stops them.
 *
 * @param settings connections, seconds per run, rounds, warm-up seconds
 * @returns one row per server, the floor first
 */
export async function measureServers(settings: LoadSettings): Promise<ServerFigures[]> {
  const processes: ServerProcess[] = [];
  const prisms: PrismServer[] = [];
  try {
    const bare = await startFixtureServer("bare");
    processes.push(bare);
    const hono = await startFixtureServer("hono");
    processes.push(hono);
    const honoBody = await startFixtureServer("hono-body");
    processes.push(honoBody);
    const inline = await startFixtureServer("inline", ["2000000"]);
    processes.push(inline);
    // A retention large enough that nothing is evicted during the bench: recording is part of the work measured.
    const mock = await startFixtureServer("mock", ["2000000"]);
    processes.push(mock);
    const prismMock = await startQuietPrism({ mode: "mock" });
    prisms.push(prismMock);
    const prismProxy = await startQuietPrism({ mode: "proxy", upstream: mock.url });
    prisms.push(prismProxy);
    const targets: Target[] = [
      { name: "bare node:http answering {} (floor)", url: bare.url },
      { name: "plain Hono on @hono/node-server answering {}", url: hono.url },
      { name: "Hono reading and parsing the body, answering {}", url: honoBody.url },
      { name: "node:http reading, validating and recording inline, nothing else (the least a checking mock does)", url: inline.url },
      { name: "mock Jelou (auth, validation, recording), as `jelou-flow mock` and `listen()` serve it", url: mock.url },
      { name: "Prism mock (-v error)", url: prismMock.url },
      { name: "Prism proxy (--errors) in front of the mock", url: prismProxy.url },
    ];
    return await measureTargets(targets, settings);
  } finally {
    await Promise.all([...prisms.map((p) => p.stop()), ...processes.map((p) => p.stop())]);
  }
}

/**
 * Loads servers already running, round by round, the order reversed every other round, after a warm-up of each.
 *
 * @param targets the servers
 * @param settings connections, seconds per run, rounds, warm-up seconds
 * @returns one row per target, in their order
 */
export async function measureTargets(targets: readonly Target[], settings: LoadSettings): Promise<ServerFigures[]> {
  for (const target of targets) await load(target.url, settings.connections, settings.warmupSeconds);
  const results = new Map<string, autocannon.Result[]>(targets.map((t) => [t.name, []]));
  for (let round = 0; round < settings.rounds; round++) {
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    for (const target of order) {
      process.stderr.write(`  ${target.name}: round ${round + 1}/${settings.rounds}\n`);
      results.get(target.name)?.push(await load(target.url, settings.connections, settings.durationSeconds));
    }
  }
  return targets.map(({ name }) => {
    const runs = results.get(name) ?? [];
    const rps = median(runs.map((r) => r.requests.average));
    return {
      name,
      rps,
      meanLatencyMs: (settings.connections / rps) * 1000,
      p99Ms: median(runs.map((r) => r.latency.p99)),
      non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
      errors: runs.reduce((n, r) => n + r.errors, 0),
      runs: runs.map((r) => r.requests.average),
    };
  });
}

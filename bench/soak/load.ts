/**
 * The load soak: `connections` keep-alive connections send valid flow messages to an HTTP mock Jelou for a fixed time
 * (and at most `maxRequests`), each connection waiting for its answer before the next send, so that when the time is up
 * every request sent has been answered and can be accounted for: the 200s must equal what the inbox recorded plus what
 * it evicted.
 */
import { Agent, request } from "node:http";
import { BODY_TEXT, SEND_HEADERS, userIdFor, BOT_ID } from "../lib/workload.js";

export interface LoadSoakOptions {
  /** The mock's base URL (127.0.0.1). */
  url: string;
  connections: number;
  durationMs: number;
  /** A bound on the number of requests, whatever the time. */
  maxRequests: number;
}

export interface LoadSoakResult {
  requests: number;
  /** Answers by status. */
  statuses: Record<number, number>;
  /** Requests that got no answer (reset, refused), with the first few messages. */
  errors: number;
  errorSamples: string[];
  /** The inbox's counters after the run, less what they were before it. */
  held: number;
  evicted: number;
  received: number;
  seconds: number;
}

interface InboxCounters {
  messages: number;
  evicted: number;
  received: number;
}

async function counters(url: string): Promise<InboxCounters> {
  const health = (await (await fetch(`${url}/__mock/health`)).json()) as { inbox: InboxCounters };
  return health.inbox;
}

function post(agent: Agent, url: URL, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: "POST",
        agent,
        headers: { ...SEND_HEADERS, "content-length": Buffer.byteLength(BODY_TEXT) },
      },
      (incoming) => {
        incoming.resume();
        incoming.on("end", () => resolve(incoming.statusCode ?? 0));
        incoming.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end(BODY_TEXT);
  });
}

/**
 * Runs the load and reads the inbox counters from `GET /__mock/health`.
 *
 * @param options where, how many connections, for how long, at most how many requests
 * @returns what was sent, answered and recorded; the caller asserts
 */
export async function runLoadSoak(options: LoadSoakOptions): Promise<LoadSoakResult> {
  const url = new URL(options.url);
  if (url.hostname !== "127.0.0.1") throw new Error(`the soak runs on loopback only, not ${url.hostname}`);
  const before = await counters(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const statuses: Record<number, number> = {};
  const errorSamples: string[] = [];
  let errors = 0;
  let sent = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  const connection = async () => {
    while (performance.now() < deadline && sent < options.maxRequests) {
      const n = sent++;
      try {
        const status = await post(agent, url, `/v1/bots/${BOT_ID}/users/${userIdFor(n)}/flow_message`);
        statuses[status] = (statuses[status] ?? 0) + 1;
      } catch (error) {
        errors++;
        if (errorSamples.length < 5) errorSamples.push(String(error));
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.connections }, connection));
  } finally {
    agent.destroy();
  }
  const seconds = (performance.now() - started) / 1000;
  const after = await counters(options.url);
  return {
    requests: sent,
    statuses,
    errors,
    errorSamples,
    held: after.messages - before.messages,
    evicted: after.evicted - before.evicted,
    received: after.received - before.received,
    seconds,
  };
}

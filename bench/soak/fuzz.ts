/**
 * The fuzz soak: each generated request goes to the mock directly and through a Prism proxy (`--errors
 * --validate-request=false`) in front of it. Directly, the mock must never answer 5xx and every error must be a JelouError
 * of the contract; through Prism, every answer the mock gives is checked against openapi.yaml, and one that breaks it
 * comes back as a 500. Afterwards the mock must still answer its health check.
 */
import { request } from "node:http";
import { validateJelouError } from "../../generated/validators.js";
import { fuzzCases, type FuzzCase } from "./fuzz-cases.js";

export interface FuzzSoakOptions {
  /** The mock's base URL (127.0.0.1). */
  mockUrl: string;
  /** A Prism proxy in front of it, started with --errors and --validate-request=false. */
  proxyUrl: string;
  cases: number;
  seed: number;
  /** Stop early (and say so) when this time is up. */
  durationMs: number;
}

export interface FuzzSoakResult {
  sent: number;
  byKind: Record<string, number>;
  statuses: Record<number, number>;
  /** What broke a rule, one line each. */
  failures: string[];
  /**
   * Requests Prism itself failed on (its body parser throws on a malformed Content-Type; forwarding an oversized body
   * fails when the mock has already answered 413 and closed), answering its own 500: not the mock's answer, which the
   * direct check covers.
   */
  prismOwnErrors: number;
  timedOut: boolean;
}

interface Answer {
  status: number;
  contentType: string;
  body: string;
  /** Set on every answer of the mock, never on Prism's own. */
  requestId: string | undefined;
}

/** The 500s Prism's HTTP server (micri) answers when Prism itself throws: JSON at the info log level, text at error. */
const PRISM_OWN_ERRORS = new Set(['{"error":{"code":"internal_server_error","message":"Internal Server Error"}}', "Internal Server Error"]);

/** Sends a case on a connection of its own; resolves with the answer even if the server closes while the body is sent. */
function send(base: string, c: FuzzCase): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    let answered = false;
    const outgoing = request(
      { host: url.hostname, port: url.port, method: c.method, path: c.path, headers: c.headers, agent: false, timeout: 15_000 },
      (incoming) => {
        answered = true;
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("end", () =>
          resolve({
            status: incoming.statusCode ?? 0,
            contentType: String(incoming.headers["content-type"] ?? ""),
            body: Buffer.concat(chunks).toString(),
            requestId: incoming.headers["x-request-id"] as string | undefined,
          }),
        );
        incoming.on("error", reject);
      },
    );
    outgoing.on("timeout", () => outgoing.destroy(new Error("no answer in 15 s")));
    outgoing.on("error", (error) => {
      if (!answered) reject(error);
    });
    outgoing.end(c.body);
  });
}

function describe(c: FuzzCase): string {
  const body = c.body === undefined ? "" : ` body ${c.body.length} B ${JSON.stringify(c.body.subarray(0, 60).toString())}`;
  return `${c.kind}: ${c.method} ${c.path.slice(0, 100)} ${JSON.stringify(c.headers).slice(0, 160)}${body}`;
}

/** The mock's own answer: below 500, and JSON of the contract unless it is the inbox page. */
function checkDirect(c: FuzzCase, answer: Answer): string | undefined {
  if (answer.status >= 500) return `mock answered ${answer.status} ${answer.body.slice(0, 200)}`;
  const isPage = c.method === "GET" && answer.status === 200 && !c.path.startsWith("/v1/");
  if (isPage || c.method === "HEAD" || answer.status === 204) return undefined;
  if (!answer.contentType.startsWith("application/json")) return `mock answered ${answer.status} as ${answer.contentType || "no content type"}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    return `mock answered ${answer.status} with a body that is not JSON: ${answer.body.slice(0, 100)}`;
  }
  if (answer.status === 200) return JSON.stringify(parsed) === "{}" ? undefined : `200 with ${answer.body.slice(0, 100)}`;
  return validateJelouError(parsed) ? undefined : `mock's ${answer.status} is not a JelouError: ${answer.body.slice(0, 200)}`;
}

/**
 * Through Prism: a 500 of violations means the mock's answer broke openapi.yaml; Prism's own failures are counted apart.
 * One of them needs the case: the mock answers 413 to a body over its limit and closes the connection (as servers do)
 * while Prism may still be forwarding the body, and Prism then answers its own 500 `FetchError` (write EPIPE).
 */
function checkProxied(answer: Answer, tooBig: boolean, result: FuzzSoakResult): string | undefined {
  if (answer.status < 500) return undefined;
  const ownError = PRISM_OWN_ERRORS.has(answer.body) || (tooBig && answer.body.includes('"type":"FetchError"'));
  if (answer.requestId === undefined && ownError) {
    result.prismOwnErrors++;
    return undefined;
  }
  return `prism answered ${answer.status}: ${answer.body.slice(0, 400)}`;
}

/**
 * Sends the cases and collects what broke a rule.
 *
 * @param options the mock, the proxy, how many cases, the seed, the time bound
 * @returns counts and failures; the caller asserts
 */
export async function runFuzzSoak(options: FuzzSoakOptions): Promise<FuzzSoakResult> {
  for (const base of [options.mockUrl, options.proxyUrl]) {
    if (new URL(base).hostname !== "127.0.0.1") throw new Error(`the soak runs on loopback only, not ${base}`);
  }
  const result: FuzzSoakResult = { sent: 0, byKind: {}, statuses: {}, failures: [], prismOwnErrors: 0, timedOut: false };
  const deadline = performance.now() + options.durationMs;
  for (const c of fuzzCases(options.cases, options.seed)) {
    if (performance.now() > deadline) {
      result.timedOut = true;
      break;
    }
    result.sent++;
    result.byKind[c.kind] = (result.byKind[c.kind] ?? 0) + 1;
    const tooBig = c.body !== undefined && c.body.length > 1024 * 1024;
    // Prism overflows its stack on deeply nested JSON and can die of it: those go to the mock alone.
    const targets = c.kind === "deep body" ? ([["mock", options.mockUrl]] as const) : ([["mock", options.mockUrl], ["prism proxy", options.proxyUrl]] as const);
    for (const [where, base] of targets) {
      let answer: Answer;
      try {
        answer = await send(base, c);
      } catch (error) {
        // A body over the limit is answered 413 and the connection closed: the write may fail before the answer is read.
        if (!tooBig) result.failures.push(`${where}: no answer (${String(error)}) to ${describe(c)}`);
        continue;
      }
      result.statuses[answer.status] = (result.statuses[answer.status] ?? 0) + 1;
      const problem = where === "mock" ? checkDirect(c, answer) : checkProxied(answer, tooBig, result);
      if (problem !== undefined) result.failures.push(`${where}: ${problem} to ${describe(c)}`);
    }
  }
  const health = await fetch(`${options.mockUrl}/__mock/health`);
  if (health.status !== 200) result.failures.push(`the mock's health check answered ${health.status} after the fuzz`);
  await health.body?.cancel();
  return result;
}

import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { startProcessGroup, type ProcessGroup } from "./process-group.js";
import { waitUntilAnswering } from "./readiness.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The pinned Prism of this checkout. Never `npx prism`: npx's pid is not the server's, and killing it leaves Prism running. */
const PRISM_BIN = `${ROOT}node_modules/.bin/prism`;
/** The contract every Prism here is built from. */
export const OPENAPI_PATH = `${ROOT}openapi.yaml`;

/** A running Prism: its base URL, its recent output for failing tests, and how to stop its whole process group. */
export interface PrismServer {
  readonly url: string;
  readonly process: ProcessGroup;
  logs(): string;
  stop(): Promise<void>;
}

/** Prism's log level: `info` (the default) is what a failing test's report needs; `error` for load work, where info halves throughput. */
export type PrismLogLevel = "info" | "error";

export type PrismOptions =
  | { mode: "mock"; spec?: string; logLevel?: PrismLogLevel }
  | {
      mode: "proxy";
      logLevel?: PrismLogLevel;
      /** The server Prism forwards to, such as the mock Jelou's URL. */
      upstream: string;
      spec?: string;
      /**
       * `false` forwards invalid requests to the upstream instead of answering them itself, so that the upstream's error
       * answers are checked against the contract too. Security is still enforced by Prism either way.
       */
      validateRequest?: boolean;
    };

/** A port free right now on 127.0.0.1, for a Prism that will not print the port it got. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function prismArgs(options: PrismOptions, port: number): string[] {
  const spec = options.spec ?? OPENAPI_PATH;
  // Info logging (Prism's default) is what a failing test's report needs; it costs throughput, which these tests do not.
  const common = ["-p", String(port), "-h", "127.0.0.1", "-v", options.logLevel ?? "info"];
  if (options.mode === "mock") return ["mock", spec, ...common];
  // --errors turns an answer that breaks the contract into a 500 carrying the violations, instead of a log line.
  const args = ["proxy", spec, options.upstream, "--errors", ...common];
  if (options.validateRequest === false) args.push("--validate-request=false");
  return args;
}

/**
 * Starts `prism mock` or `prism proxy` on a free loopback port and resolves once it answers HTTP.
 *
 * @param options `{ mode: "mock" }`, or `{ mode: "proxy", upstream, validateRequest? }`
 * @throws Error with Prism's output when it exits or does not answer within 20 s
 * @example
 * ```ts
 * const prism = await startPrism({ mode: "proxy", upstream: mockUrl });
 * try { await fetch(`${prism.url}/v1/bots/b/users/593987654321/flow_message`, init); } finally { await prism.stop(); }
 * ```
 */
export async function startPrism(options: PrismOptions): Promise<PrismServer> {
  const name = options.mode === "mock" ? "prism mock" : `prism proxy${options.validateRequest === false ? " (responses only)" : ""}`;
  // Port 0: the system picks a free port and Prism prints it, so no other process can take it between choice and bind.
  // At the error level Prism prints nothing when it listens, so a port is chosen for it instead.
  const quiet = options.logLevel === "error";
  const port = quiet ? await freePort() : 0;
  const group = startProcessGroup(name, PRISM_BIN, prismArgs(options, port), { cwd: ROOT });
  try {
    const url = quiet
      ? `http://127.0.0.1:${port}`
      : ((await group.waitForOutput(/Prism is listening on (http:\/\/[\w.:[\]-]+)/))[1] ?? "");
    await waitUntilAnswering(`${url}/__prism_readiness_probe`, { group });
    return { url, process: group, logs: () => group.logs(), stop: () => group.stop() };
  } catch (error) {
    await group.stop();
    throw error;
  }
}

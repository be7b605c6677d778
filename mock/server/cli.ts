import { Command, CommanderError, InvalidArgumentError } from "commander";
import type { MockContext } from "./context.js";
import { INSPECTION_PREFIX } from "../inspection/inspection-routes.js";
import { SEND_PATH } from "../send/flow-message-route.js";
import { createMockJelou } from "../create-mock-jelou.js";
import { MAX_RETAINED_BYTES } from "../inbox/inbox.js";
import type { MockJelouOptions } from "../types.js";

/** Where `runMockCli` writes and what stops it; the defaults are the process's streams and signals. */
export interface MockCliIo {
  /** Receives the start banner, the request log with `--verbose`, and the stop notice (default: `process.stdout`). */
  stdout?: (text: string) => void;
  /** Receives usage errors, failures and warnings (default: `process.stderr`). */
  stderr?: (text: string) => void;
  /** Stops the server when aborted, as Ctrl-C does. */
  signal?: AbortSignal;
  /** Called once the server listens, with its base URL (tests and scripts use it instead of parsing the output). */
  onListening?: (url: string) => void;
  /** Where `PORT`, `JELOU_CLIENT_ID` and `JELOU_CLIENT_SECRET` are read (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
}

const EXIT_OK = 0;
const EXIT_UNEXPECTED = 1;
const EXIT_USAGE = 2;

function wholeNumber(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min) throw new InvalidArgumentError(`must be a whole number of at least ${min}.`);
    return n;
  };
}

function probability(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !(n >= 0 && n <= 1)) throw new InvalidArgumentError("must be a number from 0 to 1.");
  return n;
}

function program(write: (text: string) => void, writeErr: (text: string) => void, env: MockCliIo["env"] & object): Command {
  const defaultPort = env.PORT !== undefined && /^\d+$/.test(env.PORT) ? Number(env.PORT) : 4010;
  return new Command("jelou-flow mock")
    .description("Run a mock Jelou for the flow_message endpoint, with an inbox to read back what was sent.")
    .option("--port <port>", "port to listen on (0 for any free port)", wholeNumber(0), defaultPort)
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option(
      "--allow-host <name>",
      "admit this Host name on the inbox and /__mock/ besides localhost and loopback IPs (a container or LAN name; repeatable)",
      (name: string, names: string[]) => [...names, name],
      [] as string[],
    )
    .option("--client-id <id>", "the client id to accept (default JELOU_CLIENT_ID; none: any)")
    .option("--client-secret <secret>", "the client secret to accept (default JELOU_CLIENT_SECRET)")
    .option("--bots <file>", "JSON file of the bots, providers and Flows to check sends against")
    .option("--max-messages <n>", "messages kept before the oldest is evicted", wholeNumber(1), 1000)
    .option("--max-rejections <n>", "rejected requests kept", wholeNumber(1), 1000)
    .option("--max-retained-bytes <n>", "bytes of message bodies kept before eviction", wholeNumber(1), MAX_RETAINED_BYTES)
    .option("--body-limit <bytes>", "largest body accepted", wholeNumber(1), 1024 * 1024)
    .option("--latency <ms>", "milliseconds added before each send is handled", wholeNumber(0), 0)
    .option("--chaos <probability>", "fail this share of sends at random (429, 500, 503)", probability)
    .option("--chaos-seed <n>", "seed of the chaos, for reproducible runs", wholeNumber(0), 1)
    .option("--webhook <url>", "POST simulated Flow replies here, signed (X-Jelou-Signature: sha256=<hex>)")
    .option("--webhook-secret <secret>", "the HMAC-SHA256 key of X-Jelou-Signature (with --webhook)")
    .option(
      "--upstream <url>",
      "forward each send that passes the mock's checks to this Jelou (https:, or http: on loopback), " +
        "with the caller's credentials",
    )
    .option("--verbose", "print one line per send (phone numbers masked)", false)
    .exitOverride()
    .configureOutput({ writeOut: write, writeErr: writeErr })
    .helpOption("-h, --help", "show this help");
}

type Flags = Record<
  "port" | "maxMessages" | "maxRejections" | "maxRetainedBytes" | "bodyLimit" | "latency" | "chaosSeed",
  number
> &
  Partial<Record<"clientId" | "clientSecret" | "bots" | "webhook" | "webhookSecret" | "upstream", string>> & {
    host: string;
    allowHost: string[];
    chaos?: number;
    verbose: boolean;
  };

/**
 * `jelou-flow mock`: starts the mock Jelou over HTTP, prints where to point the client, where to read the inbox and
 * which credentials pass, and serves until Ctrl-C (SIGINT) or SIGTERM, then closes cleanly.
 *
 * @param argv the arguments after `mock`, such as `["--port", "4010", "--bots", "bots.json"]`
 * @param io output writers, an optional stop signal and the environment (defaults: stdout, stderr, process signals,
 *   process.env)
 * @returns the exit code: 0 after a clean stop or `--help`, 1 when it cannot start (port taken), 2 for wrong flags
 * @throws `Error` only what commander throws that is not a usage error (none is known): wrong flags are exit code 2
 * @example
 * ```ts
 * import { runMockCli } from "jelou-flow/mock";
 * process.exitCode = await runMockCli(process.argv.slice(2));
 * ```
 */
export async function runMockCli(argv: readonly string[], io: MockCliIo = {}): Promise<number> {
  const out = io.stdout ?? ((text: string) => void process.stdout.write(text));
  const err = io.stderr ?? ((text: string) => void process.stderr.write(text));
  const env = io.env ?? process.env;
  const command = program(out, err, env);
  let flags: Flags;
  try {
    command.parse([...argv], { from: "user" });
    flags = command.opts<Flags>();
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    throw error;
  }

  if ((flags.webhook === undefined) !== (flags.webhookSecret === undefined)) {
    err("jelou-flow mock: --webhook and --webhook-secret go together: the receiver verifies each reply with the secret.\n");
    return EXIT_USAGE;
  }
  const options: MockJelouOptions = {
    maxMessages: flags.maxMessages,
    maxRejections: flags.maxRejections,
    maxRetainedBytes: flags.maxRetainedBytes,
    bodyLimitBytes: flags.bodyLimit,
    latencyMs: flags.latency,
    allowedHosts: flags.allowHost,
    // The flags, else this command's environment: createMockJelou is told not to read process.env itself.
    env: false,
    clientId: flags.clientId ?? env.JELOU_CLIENT_ID,
    clientSecret: flags.clientSecret ?? env.JELOU_CLIENT_SECRET,
    bots: flags.bots,
    upstream: flags.upstream,
  };
  if (flags.verbose) options.logger = (line) => out(`${line}\n`);
  if (flags.webhook !== undefined) options.webhook = { url: flags.webhook, secret: flags.webhookSecret as string };

  let mock;
  try {
    mock = createMockJelou(options);
    if (flags.chaos !== undefined) mock.faults.chaos({ probability: flags.chaos, seed: flags.chaosSeed });
  } catch (error) {
    err(`jelou-flow mock: ${(error as Error).message}\n`);
    return EXIT_USAGE;
  }

  let server;
  try {
    server = await mock.listen({ port: flags.port, hostname: flags.host });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === "EADDRINUSE" ? ` Port ${flags.port} is taken: pass --port 0 for any free port, or another port.` : "";
    err(`jelou-flow mock: cannot listen on ${flags.host}:${flags.port}: ${(error as Error).message}.${hint}\n`);
    return EXIT_UNEXPECTED;
  }

  out(`${describeMock(server.url, mock.context).join("\n")}\n`);
  if (flags.host !== "127.0.0.1" && flags.host !== "localhost" && flags.host !== "::1") {
    err(`Warning: listening on ${flags.host}; the inspection API under /__mock/ takes no credentials.\n`);
  }
  if (mock.replies.webhookUrl !== undefined) out(`Flow replies are POSTed, signed, to ${mock.replies.webhookUrl}\n`);
  out("Press Ctrl-C to stop.\n");
  io.onListening?.(server.url);

  await new Promise<void>((resolve) => {
    const stop = () => {
      for (const signal of ["SIGINT", "SIGTERM"] as const) process.off(signal, stop);
      io.signal?.removeEventListener("abort", stop);
      resolve();
    };
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, stop);
    if (io.signal?.aborted) stop();
    else io.signal?.addEventListener("abort", stop, { once: true });
  });
  out("Stopping the mock Jelou…\n");
  await server.close();
  const { received, rejected } = mock.inbox.stats();
  out(`Stopped. It accepted ${received} and rejected ${rejected} requests.\n`);
  return EXIT_OK;
}

/**
 * The lines printed when the mock starts: where to point the client, where to read the inbox, which credentials pass,
 * and in relay mode the upstream. The secret is never printed.
 *
 * @param url the base URL the mock listens on
 * @param ctx the mock's shared state
 * @returns the lines, without trailing newlines
 * @example
 * ```ts
 * const server = await mock.listen({ port: 4010 });
 * console.log(describeMock(server.url, mock.context).join("\n"));
 * ```
 */
export function describeMock(url: string, ctx: MockContext): string[] {
  const credentials = ctx.credentialsConfigured
    ? `Basic base64(clientId:clientSecret) with client id "${ctx.clientId}" and the secret it was given (not shown)`
    : ctx.upstream === undefined
      ? "any well-formed Basic base64(clientId:clientSecret) passes (no credentials configured)"
      : "any well-formed Basic base64(clientId:clientSecret) passes, forwarded for the upstream to judge";
  const bots =
    ctx.registry === undefined
      ? "any bot, any Flow (no registry; pass --bots FILE to check them)"
      : `${Object.keys(ctx.registry.snapshot.bots).length} bots from the registry (${url}${INSPECTION_PREFIX}/bots)`;
  const lines = [
    `Mock Jelou listening on ${url}`,
    `  Base URL     ${url}   (createJelouClient({ baseUrl }) or JELOU_BASE_URL)`,
    `  Send         POST ${url}${SEND_PATH}`,
    `  Inbox page   ${url}/   (open it in a browser)`,
    `  Inbox API    ${url}${INSPECTION_PREFIX}/messages   (also /messages/latest, /messages/wait, /rejections, /faults, /health)`,
    `  Credentials  ${credentials}`,
    `  Bots         ${bots}`,
  ];
  const relay = ctx.upstream?.href;
  if (relay !== undefined) lines.push(`  Upstream     ${relay}   (relay mode: sends that pass are forwarded once)`);
  return lines;
}

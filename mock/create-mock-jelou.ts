import type { Hono } from "hono";
import { createMockApp } from "./server/app.js";
import { resolveCredentials } from "./send/credentials.js";
import { createCredentialCheck } from "./send/flow-message-route.js";
import { IdSource } from "./inbox/bounded-log.js";
import type { MockContext, MockEnv } from "./server/context.js";
import { Faults } from "./faults/faults.js";
import { Inbox, MAX_RETAINED_BYTES } from "./inbox/inbox.js";
import { listenHttp } from "./server/listen.js";
import { allowedHostSet } from "./server/origin.js";
import { Registry } from "./send/registry.js";
import { parseUpstream } from "./send/relay.js";
import { createFlowReplies, type FlowReplies } from "./replies/flow-replies.js";
import type { ListenOptions, MockJelouOptions, MockServer } from "./types.js";

const DEFAULT_BODY_LIMIT = 1024 * 1024;
const IN_PROCESS_ORIGIN = "http://mock-jelou.local";

/** A mock Jelou: one Hono app, usable in-process through `fetch` or over HTTP through `listen`. */
export interface MockJelou {
  /** The Hono app; mount it in your own server, or call `app.fetch`. */
  app: Hono<MockEnv>;
  /**
   * Runs a request through the app in-process, with the semantics of `fetch`: a relative URL is accepted, an aborted
   * signal rejects with its reason, and a `drop` fault rejects with a network error. Pass it to
   * `createJelouClient({ fetch: mock.fetch })`.
   *
   * @param input a Request, an absolute URL, or a path such as `/__mock/messages` (nothing is contacted either way)
   * @param init as for `fetch`: method, headers, body, signal
   * @returns the mock's answer
   * @throws `TypeError` rejects with `fetch failed` (cause `UND_ERR_SOCKET`) when a `drop` fault loses the answer, and
   *   with the Request constructor's TypeError for a URL it cannot parse
   * @throws `unknown` rejects with the signal's reason when `init.signal` aborts
   * @example
   * ```ts
   * const client = createJelouClient({ clientId: "id", clientSecret: "secret", fetch: mock.fetch });
   * const inbox = await (await mock.fetch("/__mock/messages?limit=1")).json();
   * ```
   */
  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response>;
  /** What the mock received. */
  inbox: Inbox;
  /** Scripted faults, chaos and latency. */
  faults: Faults;
  /** Simulated Flow replies: `replies.reply(id, answers)` does what the page's "Complete flow" form does. */
  replies: FlowReplies;
  /** The shared state the routes use, for routes mounted on top of the mock. */
  context: MockContext;
  /**
   * Serves the app over HTTP, on 127.0.0.1 and a free port by default. May be called again for another server. A
   * server's `close` ends the page's event streams and pending long-polls that came through it (not those of another
   * server, nor in-process waits), and cancels the mock's webhook deliveries when no other server of it is still open.
   *
   * @param options `port` (default 0: any free port) and `hostname` (default `127.0.0.1`)
   * @returns the server: its `url` for the client's `baseUrl`, its `port`, and `close`
   * @throws `Error` rejects with Node's error when it cannot listen: `code` `EADDRINUSE` (the port is taken),
   *   `EACCES` (a privileged port), `EADDRNOTAVAIL` (a hostname not of this machine)
   * @example
   * ```ts
   * const server = await mock.listen({ port: 4010 });
   * const client = createJelouClient({ clientId: "id", clientSecret: "secret", baseUrl: server.url });
   * await server.close();
   * ```
   */
  listen(options?: ListenOptions): Promise<MockServer>;
}

/** Where relative URLs given to the in-process `fetch` are resolved; never contacted. */
function toRequest(input: Request | string | URL, init: RequestInit | undefined): Request {
  if (input instanceof Request) return init === undefined ? input : new Request(input, init);
  // A path is appended, not resolved: `//x` would otherwise be read as a URL of host `x`.
  const url = typeof input === "string" && input.startsWith("/") ? `${IN_PROCESS_ORIGIN}${input}` : input;
  return new Request(new URL(url, IN_PROCESS_ORIGIN), init);
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name} must be a whole number of at least 1, not ${value}.`);
  return n;
}

/**
 * Creates a mock Jelou: it validates every send against openapi.yaml, checks credentials and the optional bot
 * registry, records what it accepts in a bounded inbox, and fails on command.
 *
 * @param options credentials, bot registry, retention, body limit, latency, logger, webhook, allowed hosts, upstream
 * @returns the mock
 * @throws `TypeError` when only one of client id and secret is given, the client id holds ':', the registry is not
 *   valid, the webhook URL or secret is unusable, an `allowedHosts` entry is not a plain hostname, or `upstream` is
 *   neither `https:` nor `http:` on loopback, or holds credentials, a query or a fragment
 * @throws `Error` when the `bots` file cannot be read or is not JSON
 * @throws `RangeError` when a size option is not a whole number of at least 1
 * @throws {@link FaultSpecError} when `latencyMs` is not a whole number of at least 0 (its `problems` name the field)
 * @example
 * ```ts
 * import { createMockJelou } from "jelou-flow/mock";
 * import { createJelouClient } from "jelou-flow";
 *
 * const mock = createMockJelou({ clientId: "id", clientSecret: "secret" });
 * const client = createJelouClient({ clientId: "id", clientSecret: "secret", fetch: mock.fetch });
 * await client.sendFlowMessage({ botId: "bot-1", userId: "593987654321", title: "Hi", text: "Tap below",
 *   caption: "Jelou", parameters: { flow_name: "welcome_flow", flow_cta: "Start" } });
 * mock.inbox.get("latest"); // { id, botId: "bot-1", userId: "593987654321", body: { ... }, clientId: "id", ... }
 * ```
 */
export function createMockJelou(options: MockJelouOptions = {}): MockJelou {
  const credentials = resolveCredentials(options, options.env ?? true);
  // In relay mode a configured pair still gates the relay (only it is forwarded); without one, the upstream judges.
  const upstream = options.upstream === undefined ? undefined : parseUpstream(options.upstream);
  const registry = options.bots === undefined ? undefined : new Registry(options.bots);
  const inbox = new Inbox(
    positive("maxMessages", options.maxMessages, 1000),
    positive("maxRejections", options.maxRejections, 1000),
    positive("maxRetainedBytes", options.maxRetainedBytes, MAX_RETAINED_BYTES),
  );
  const context: MockContext = {
    inbox,
    faults: new Faults(options.latencyMs ?? 0),
    registry,
    checkAuth: createCredentialCheck(credentials),
    credentialsConfigured: credentials !== undefined,
    clientId: credentials?.clientId,
    bodyLimitBytes: positive("bodyLimitBytes", options.bodyLimitBytes, DEFAULT_BODY_LIMIT),
    log: options.logger,
    requestIds: new IdSource(),
    startedAt: new Date(),
    dropped: new WeakSet(),
    replies: createFlowReplies(options.webhook === undefined ? { inbox } : { inbox, webhook: options.webhook }),
    servers: new Map(),
    allowedHosts: allowedHostSet(options.allowedHosts),
    upstream,
  };
  const app = createMockApp(context);
  if (credentials === undefined) {
    const judge = upstream === undefined ? "" : ", and the upstream judges it";
    options.logger?.(`No credentials configured: any well-formed Basic base64(clientId:clientSecret) passes${judge}.`);
  }

  async function fetch(input: Request | string | URL, init?: RequestInit): Promise<Response> {
    const request = toRequest(input, init);
    const { signal } = request;
    signal.throwIfAborted();
    const response = await new Promise<Response>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      Promise.resolve(app.fetch(request))
        .then(resolve, reject)
        .finally(() => signal.removeEventListener("abort", onAbort));
    });
    if (!context.dropped.has(response)) return response;
    // undici's error for a connection closed without an answer.
    throw new TypeError("fetch failed", { cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }) });
  }

  return {
    app,
    fetch,
    inbox,
    faults: context.faults,
    replies: context.replies,
    context,
    listen: (listenOptions) => listenHttp(app, context, listenOptions),
  };
}

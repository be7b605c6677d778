/**
 * The public types of the mock Jelou. Shapes that cross the wire come from `mock/openapi.yaml` through the generated
 * types, so the inspection API and these types cannot drift apart.
 */
import type { components } from "../generated/mock/openapi.js";
import type { FlowMessageBody } from "../src/contract/index.js";

type MockSchemas = components["schemas"];

/** A flow message the mock accepted: who sent what to whom, when, with which client id (never the secret). */
export type InboxMessage = Omit<MockSchemas["InboxMessage"], "body"> & { body: FlowMessageBody };

/** A request the mock refused, with the status, code and field problems it answered. */
export type InboxRejection = MockSchemas["InboxRejection"];

/** The inbox counters: held, received, evicted (oldest first when full). */
export type InboxStats = MockSchemas["InboxStats"];

/** The bots the mock knows: provider, Flow slugs, allowed client ids. */
export type BotRegistry = MockSchemas["BotRegistry"];

/** One bot of a {@link BotRegistry}. */
export type BotEntry = MockSchemas["BotEntry"];

/** What a scripted fault does: `rate_limit` (429), `server_error` (500), `unavailable` (503), `hang`, `drop`. */
export type FaultKind = MockSchemas["FaultKind"];

/** A fault to script for the next matching requests. */
export type FaultSpec = MockSchemas["FaultSpec"];

/** A scripted fault and how many uses it has left. */
export type Fault = MockSchemas["Fault"];

/** Seeded random failures: probability, seed, and the kinds drawn from. */
export type ChaosSettings = MockSchemas["ChaosSettings"];

/** Whether chaos is on, with its settings and counters. */
export type ChaosState = MockSchemas["ChaosState"];

/** Which messages to list or wait for. Every filter given must match. */
export interface InboxFilter {
  botId?: string;
  userId?: string;
  /** `botId:userId`. */
  conversation?: string;
  /** `parameters.flow_name` of the message. */
  flowName?: string;
  /** An ISO 8601 time or `Date` (at or after it), or an id from this inbox (after that entry). */
  since?: string | Date;
  /** At most this many, the newest. */
  limit?: number;
}

/** Which rejections to list. */
export type RejectionFilter = Omit<InboxFilter, "flowName">;

/** What {@link Inbox.subscribe} listeners receive. */
export type InboxEvent =
  | { type: "message"; message: InboxMessage }
  | { type: "rejection"; rejection: InboxRejection }
  | { type: "cleared" };

/** Options of {@link createMockJelou}. */
export interface MockJelouOptions {
  /** The client id to accept; with `clientSecret`. Default: `JELOU_CLIENT_ID`, else any well-formed credentials. */
  clientId?: string;
  /** The client secret to accept; with `clientId`. Default: `JELOU_CLIENT_SECRET`. */
  clientSecret?: string;
  /** Known bots, or the path of a JSON file holding them. Without it, every bot exists and has every Flow. */
  bots?: BotRegistry | string;
  /** How many messages the inbox holds before evicting the oldest (default 1000). */
  maxMessages?: number;
  /** How many rejections are kept (default 1000). */
  maxRejections?: number;
  /** How many bytes of message bodies the inbox holds before evicting the oldest (default 128 MiB, 134217728). */
  maxRetainedBytes?: number;
  /** The largest body accepted, in bytes (default 1 MB, 1048576). */
  bodyLimitBytes?: number;
  /** Milliseconds added before every flow_message request is handled (default 0). */
  latencyMs?: number;
  /** Receives one line per flow_message request answered, and notices. Phone numbers are masked; secrets never appear. */
  logger?: (line: string) => void;
  /**
   * Read the credentials from `JELOU_CLIENT_ID` / `JELOU_CLIENT_SECRET` when the options give none (default true).
   * Tests that must not depend on the environment pass false.
   */
  env?: boolean;
  /**
   * Where simulated Flow replies are POSTed, signed with `secret` in `X-Jelou-Signature: sha256=<hex>`, retried with
   * backoff up to `maxAttempts` times (default 4). Without it, replies are recorded and shown on the page only.
   */
  webhook?: WebhookOptions;
  /**
   * Host names, besides loopback IPs, `localhost`, `*.localhost` and the hostname listened on, by which requests over
   * HTTP may reach the inspection API under `/__mock/` and the inbox page (the send route takes any Host): a container
   * or LAN name such as `jelou-mock`. Any other Host gets 403 `forbidden_host`, which closes DNS rebinding. Without a
   * port; compared case-insensitively.
   */
  allowedHosts?: string[];
}

/** Where {@link MockJelou.listen} serves. */
export interface ListenOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default `127.0.0.1`. */
  hostname?: string;
}

/** A running HTTP server of the mock. */
export interface MockServer {
  /** The base URL to give the client, such as `http://127.0.0.1:4010`. */
  url: string;
  /** The port listened on. */
  port: number;
  /**
   * Stops taking connections, ends the inbox page's event streams, answers pending long-polls 204, closes each
   * connection as its answer finishes, and after a second cuts whatever is still in flight (a long `hang`). Resolves
   * once every connection is closed; calling it again returns the same promise.
   *
   * @returns a promise that never rejects
   * @example
   * ```ts
   * const server = await mock.listen();
   * afterAll(() => server.close());
   * ```
   */
  close(): Promise<void>;
}

/** Where the mock POSTs reply events. */
export interface WebhookOptions {
  url: string;
  /** The HMAC-SHA256 key of `X-Jelou-Signature`. */
  secret: string;
  /** Attempts per event, the first included. @default 4 */
  maxAttempts?: number;
  /** The wait before the first retry, doubled for each later one, capped at 5 s. @default 250 */
  backoffMs?: number;
  /** How long one attempt may take. @default 5000 */
  timeoutMs?: number;
}

/** The mock's public types; what crosses the wire is generated from mock/inspection/openapi.yaml, so the two cannot drift. */
import type { components } from "../generated/mock/openapi.js";
import type { FlowMessageBody } from "../src/contract/index.js";

type MockSchemas = components["schemas"];

/**
 * A flow message the mock accepted: who sent what to whom, when, with which client id (never the secret).
 * @interface
 */
export type InboxMessage = Omit<MockSchemas["InboxMessage"], "body"> & {
  /** The body as it was sent: title, text, caption, parameters and payload. */
  body: FlowMessageBody;
};

/**
 * In relay mode, what the upstream answered a message (status, body, contract check) or why it gave no answer.
 * @useDeclaredType
 */
export type InboxUpstream = NonNullable<InboxMessage["upstream"]>;

/**
 * A request the mock refused, with the status, code and field problems it answered.
 * @interface
 */
export type InboxRejection = MockSchemas["InboxRejection"];

/**
 * The inbox counters: held, received, evicted (oldest first when full).
 * @interface
 */
export type InboxStats = MockSchemas["InboxStats"];

/**
 * The bots the mock knows: provider, Flow slugs, allowed client ids.
 * @interface
 */
export type BotRegistry = MockSchemas["BotRegistry"];

/**
 * One bot of a {@link BotRegistry}.
 * @interface
 */
export type BotEntry = MockSchemas["BotEntry"];

/**
 * What a scripted fault does: `rate_limit` (429), `server_error` (500), `unavailable` (503), `hang`, `drop`.
 * @useDeclaredType
 */
export type FaultKind = MockSchemas["FaultKind"];

/**
 * A fault to script for the next matching requests.
 * @interface
 */
export type FaultSpec = MockSchemas["FaultSpec"];

/**
 * A scripted fault and how many uses it has left.
 * @interface
 */
export type Fault = MockSchemas["Fault"];

/**
 * Seeded random failures: probability, seed, and the kinds drawn from.
 * @interface
 */
export type ChaosSettings = MockSchemas["ChaosSettings"];

/**
 * Whether chaos is on, with its settings and counters.
 * @interface
 */
export type ChaosState = MockSchemas["ChaosState"];

/** Which messages to list or wait for. Every filter given must match. */
export interface InboxFilter {
  /** Only messages to this bot. */
  botId?: string;
  /** Only messages to this recipient, in international form without `+` (`593987654321`). */
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
  | {
      /** A message was accepted. */
      type: "message";
      /** The message, as the inbox lists it. */
      message: InboxMessage;
    }
  | {
      /** A request was refused. */
      type: "rejection";
      /** The refused request and the answer it got. */
      rejection: InboxRejection;
    }
  | {
      /** The inbox was emptied. */
      type: "cleared";
    };

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
  /** Bytes of message bodies (and upstream answers) the inbox holds before evicting the oldest (default 128 MiB, 134217728). */
  maxRetainedBytes?: number;
  /** The largest body accepted, in bytes (default 1 MB, 1048576). */
  bodyLimitBytes?: number;
  /** Milliseconds added before every flow_message request is handled (default 0). */
  latencyMs?: number;
  /** Receives one line per flow_message request answered, and notices. Phone numbers are masked; secrets never appear. */
  logger?: (line: string) => void;
  /** Read `JELOU_CLIENT_ID` / `JELOU_CLIENT_SECRET` when the options give no credentials (default true; tests pass false). */
  env?: boolean;
  /** Where simulated Flow replies are POSTed, signed and retried; without it they are recorded and shown on the page only. */
  webhook?: WebhookOptions;
  /**
   * Host names (without port) besides loopback IPs, `localhost`, `*.localhost` and the listened hostname by which the
   * inspection API and the page may be reached over HTTP, such as `jelou-mock`; any other gets 403 `forbidden_host`.
   */
  allowedHosts?: string[];
  /**
   * Relay mode: forward each send that passes the mock's checks, once, with the caller's credentials, to this Jelou
   * (`https:`, or `http:` on loopback), answer with its answer, and record it on the message (`upstream`).
   */
  upstream?: string;
}

/** Where {@link MockJelou.listen} serves: `port` (default 0, any free port) and `hostname` (default `127.0.0.1`). */
export interface ListenOptions {
  /** The port to listen on; 0 picks a free one. */
  port?: number;
  /** The address to listen on; `0.0.0.0` to be reached from other machines or containers. */
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
  /** Where each reply event is POSTed, as JSON. */
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

/** What {@link Inbox.query} returns: the body of `GET /__mock/messages`. */
export type MessagePage = {
  /** The matching messages, newest first. */
  messages: InboxMessage[];
  /** How many messages matched, before `limit`. */
  total: number;
  /**
   * Present when the page reached its byte budget (the newest message is always included): how many matching messages
   * within `limit` were left out. Their ids are in `omittedIds`; read each with {@link Inbox.get}.
   */
  omitted?: number;
  /** The ids of the messages counted in `omitted`, newest first. */
  omittedIds?: string[];
};

/** What {@link Inbox.queryRejections} returns: the body of `GET /__mock/rejections`. */
export type RejectionPage = {
  /** The matching rejections, newest first. */
  rejections: InboxRejection[];
  /** How many rejections matched, before `limit`. */
  total: number;
  /**
   * Present when the page reached its byte budget (the newest rejection is always included): how many matching
   * rejections within `limit` were left out, the oldest ones. Narrow the filter or use `since` to list them.
   */
  omitted?: number;
};

/** A message to record: `conversation` may be left out, it is always `botId:userId`. */
export type NewInboxMessage = Omit<InboxMessage, "id" | "receivedAt" | "conversation"> & {
  /** Ignored when given: the inbox always records `botId:userId`. */
  conversation?: string;
};

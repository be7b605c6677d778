import type { HttpBindings } from "@hono/node-server";
import type { AuthResult } from "../send/credentials.js";
import type { IdSource } from "../inbox/bounded-log.js";
import type { Faults } from "../faults/faults.js";
import type { Inbox } from "../inbox/inbox.js";
import type { Registry } from "../send/registry.js";
import type { FlowReplies } from "../replies/flow-replies.js";

/** What the routes of the mock share, for routes mounted on top of it. */
export interface MockContext {
  /** What the mock received, the same as the mock's `inbox`. */
  inbox: Inbox;
  /** Scripted faults, chaos and latency, the same as the mock's `faults`. */
  faults: Faults;
  /** Undefined when the mock has no registry: every bot exists and has every Flow. */
  registry: Registry | undefined;
  /**
   * Checks an `Authorization` header against the configured credentials, in constant time.
   * @param header the header's value, or undefined when it is missing
   * @returns whether it passes, the client id when it may be named, and why it does not pass
   * @example ctx.checkAuth(`Basic ${btoa("id:secret")}`); // { ok: true, clientId: "id" }
   */
  checkAuth(header: string | undefined): AuthResult;
  /** True when a client id and secret were configured; false when any well-formed pair passes. */
  credentialsConfigured: boolean;
  /** The client id configured, if any, for the start banner (the secret is never kept here). */
  clientId: string | undefined;
  /** The largest request body accepted, in bytes (the `bodyLimitBytes` option). */
  bodyLimitBytes: number;
  /** The `logger` option: one line per `flow_message` request answered, and notices; undefined when none was given. */
  log: ((line: string) => void) | undefined;
  /**
   * Ids of requests, for the X-Request-Id header.
   * @internal
   */
  requestIds: IdSource;
  /** When the mock was created. */
  startedAt: Date;
  /** Answers that the in-process `fetch` must turn into a network error (a `drop` fault without a socket). */
  dropped: WeakSet<Response>;
  /** Simulated Flow replies, the same as the mock's `replies`. */
  replies: FlowReplies;
  /**
   * The mock's HTTP servers by Node server, from `listen()` until closed.
   * @internal
   */
  servers: Map<object, ServerScope>;
  /** Relay mode: where each send that passes the mock's checks is forwarded (see mock/send/relay.ts). */
  upstream?: URL;
  /** Host names admitted besides loopback, localhost and the listened hostname (`allowedHosts`), normalised. */
  allowedHosts: ReadonlySet<string>;
}

/** The Hono environment of the mock's app: over HTTP, @hono/node-server's Node request and response; in-process none. */
export interface MockEnv {
  /** Over HTTP, `incoming` and `outgoing`, the Node request and response; in-process, none. */
  Bindings: Partial<HttpBindings>;
}

/** One HTTP server of a mock: closing it ends only what came through it. */
export interface ServerScope {
  /** Besides IP literals and localhost, the only Host a browser may name (see origin.ts). */
  hostname: string;
  /** True from `close()` on: what comes through it then is ended at once. */
  closing: boolean;
  /** Ends the long-lived answers it is serving; each removes itself when it ends on its own. */
  onClose: Set<() => void>;
}

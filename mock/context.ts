import type { HttpBindings } from "@hono/node-server";
import type { AuthResult } from "./auth.js";
import type { IdSource } from "./bounded-log.js";
import type { Faults } from "./faults.js";
import type { Inbox } from "./inbox.js";
import type { Registry } from "./registry.js";
import type { FlowReplies } from "./replies/flow-replies.js";

/**
 * What every route of the mock shares. Routes added to the app (the inbox page, simulated replies) receive it too.
 */
export interface MockContext {
  inbox: Inbox;
  faults: Faults;
  /** Undefined when the mock has no registry: every bot exists and has every Flow. */
  registry: Registry | undefined;
  /**
   * Checks an `Authorization` header against the configured credentials, in constant time.
   *
   * @param header the header's value, or undefined when it is missing
   * @returns whether it passes, the client id when it may be named, and why it does not pass
   * @example
   * ```ts
   * ctx.checkAuth(`Basic ${btoa("id:secret")}`); // { ok: true, clientId: "id" }
   * ctx.checkAuth(undefined); // { ok: false, reason: "missing" }
   * ```
   */
  checkAuth(header: string | undefined): AuthResult;
  /** True when a client id and secret were configured; false when any well-formed pair passes. */
  credentialsConfigured: boolean;
  /** The client id configured, if any, for the start banner (the secret is never kept here). */
  clientId: string | undefined;
  bodyLimitBytes: number;
  log: ((line: string) => void) | undefined;
  /** Ids of requests, for the X-Request-Id header. */
  requestIds: IdSource;
  startedAt: Date;
  /** Answers that the in-process `fetch` must turn into a network error (a `drop` fault without a socket). */
  dropped: WeakSet<Response>;
  /** Simulated Flow replies: the reply route, the inbox page and the webhook use them. */
  replies: FlowReplies;
  /**
   * The HTTP servers of the mock, by Node server, from `listen()` until they have closed: what each must end when it
   * closes (its long-polls and event streams, see server-scope.ts) and the hostname it listens on.
   */
  servers: Map<object, ServerScope>;
  /** Host names admitted besides loopback, localhost and the listened hostname (`allowedHosts`), normalised. */
  allowedHosts: ReadonlySet<string>;
}

/**
 * The Hono environment of the mock's app. Over HTTP, @hono/node-server passes the Node request and response as
 * bindings (the `drop` fault destroys the socket through them); in-process there are none.
 */
export interface MockEnv {
  Bindings: Partial<HttpBindings>;
}

/**
 * What the mock knows of one of its HTTP servers. A mock may serve several (`listen()` called again); closing one must
 * end only what came through it: a long-poll or an event stream of another server, or an in-process wait, goes on.
 */
export interface ServerScope {
  /** The hostname it listens on: besides IP literals and localhost, the only Host a browser may name (see origin.ts). */
  hostname: string;
  /** True from `close()` on: what comes through it then is ended at once. */
  closing: boolean;
  /** Ends the long-lived answers it is serving; each removes itself when it ends on its own. */
  onClose: Set<() => void>;
}

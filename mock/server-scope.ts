import type { Context } from "hono";
import type { MockContext, MockEnv } from "./context.js";

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

/**
 * The scope of the server a request came through. @hono/node-server passes Node's request, whose socket names its
 * server; nothing is stored per request.
 *
 * @param ctx the mock's shared state
 * @param c the request's context
 * @returns the scope, or undefined in-process and in a server that is not one of this mock's (`mock.app` mounted)
 * @example
 * ```ts
 * scopeOf(ctx, c)?.hostname; // "127.0.0.1"
 * ```
 */
export function scopeOf(ctx: MockContext, c: Context<MockEnv>): ServerScope | undefined {
  const server = (c.env?.incoming?.socket as { server?: object } | undefined)?.server;
  return server === undefined ? undefined : ctx.servers.get(server);
}

/**
 * Has `end` run when the server the request came through closes, so that a long-lived answer does not hold it open.
 * Through a server already closing, `end` runs at once.
 *
 * @param ctx the mock's shared state
 * @param c the request's context
 * @param end ends the answer (answers a long-poll 204, closes an event stream)
 * @returns the function that forgets `end`, to call when the answer ends on its own
 * @example
 * ```ts
 * const forget = endWithServer(ctx, c, () => wait.abort());
 * try { return await inbox.waitFor({ signal: wait.signal }); } finally { forget(); }
 * ```
 */
export function endWithServer(ctx: MockContext, c: Context<MockEnv>, end: () => void): () => void {
  const scope = scopeOf(ctx, c);
  if (scope === undefined) return () => undefined;
  if (scope.closing) {
    end();
    return () => undefined;
  }
  scope.onClose.add(end);
  return () => scope.onClose.delete(end);
}

/**
 * Whether any server of the mock is open and not closing.
 *
 * @param ctx the mock's shared state
 * @returns true while one serves
 * @example
 * ```ts
 * if (!anyServerOpen(ctx)) ctx.replies.cancelDeliveries();
 * ```
 */
export function anyServerOpen(ctx: MockContext): boolean {
  for (const scope of ctx.servers.values()) if (!scope.closing) return true;
  return false;
}

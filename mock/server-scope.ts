import type { Context } from "hono";
import type { MockContext, MockEnv, ServerScope } from "./context.js";

export type { ServerScope };

/**
 * The scope of the server a request came through. @hono/node-server passes Node's request, whose socket names its
 * server; nothing is stored per request.
 *
 * @param ctx the mock's shared state
 * @param c the request's context
 * @returns the scope, or undefined in-process and in a server that is not one of this mock's (`mock.app` mounted)
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
 */
export function anyServerOpen(ctx: MockContext): boolean {
  for (const scope of ctx.servers.values()) if (!scope.closing) return true;
  return false;
}

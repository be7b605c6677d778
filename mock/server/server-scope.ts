import type { Context } from "hono";
import type { MockContext, MockEnv, ServerScope } from "./context.js";

/** The scope of the server a request came through (Node's socket names it), or none in-process or in a foreign server. */
export function scopeOf(ctx: MockContext, c: Context<MockEnv>): ServerScope | undefined {
  const server = (c.env?.incoming?.socket as { server?: object } | undefined)?.server;
  return server === undefined ? undefined : ctx.servers.get(server);
}

/** Runs `end` when the request's server closes (at once if it is closing); returns the function that forgets it. */
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

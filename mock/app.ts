import { type Context, Hono, type MiddlewareHandler } from "hono";
import type { MockContext, MockEnv } from "./context.js";
import { mountFlowMessageRoute } from "./flow-message-route.js";
import { INSPECTION_PREFIX, mountInspectionRoutes } from "./inspection-routes.js";
import { refuseForeignHost } from "./origin.js";
import { mountReplyRoutes } from "./replies/reply-routes.js";
import { jelouError } from "./responses.js";
import { internalError, SEND_PATH } from "./send-core.js";
import { endWithServer } from "./server-scope.js";
import { createInboxPage } from "./ui/inbox-page.js";

/** Unknown routes worth a rejection entry: API calls gone astray, not a browser asking for /favicon.ico. */
function isApiCall(method: string, path: string): boolean {
  if (path.startsWith(`${INSPECTION_PREFIX}/`)) return false;
  return path.startsWith("/v1/") || (method !== "GET" && method !== "HEAD");
}

/**
 * Composes the mock's Hono app: every route it serves is mounted here, in one place.
 *
 * There is no app-wide middleware on purpose (the Host check is mounted on the inspection and page paths only): when
 * exactly one handler matches, Hono calls it directly instead of composing a chain, which keeps the flow_message route
 * as fast as a bare Hono route. Add routes, not `app.use("*")`.
 *
 * @param ctx the shared state of the mock
 * @returns the app
 */
export function createMockApp(ctx: MockContext): Hono<MockEnv> {
  const app = new Hono<MockEnv>();

  // Before every route: the inspection API (and the page's script and events under it) and the page hold message data.
  // Both patterns leave the send route alone, which still matches one handler.
  const hostCheck: MiddlewareHandler<MockEnv> = async (c, next) => refuseForeignHost(ctx, c) ?? (await next());
  app.use(`${INSPECTION_PREFIX}/*`, hostCheck);
  app.use("/", hostCheck);
  mountInspectionRoutes(app, ctx);
  mountFlowMessageRoute(app, ctx);
  mountReplyRoutes(app, ctx.replies);
  const page = createInboxPage({
    inbox: ctx.inbox,
    replies: ctx.replies,
    endWithServer: (c, end) => endWithServer(ctx, c as Context<MockEnv>, end),
  });
  app.route("/", page.app);

  app.notFound((c) => {
    const method = c.req.method;
    const path = c.req.path;
    const description = `No route ${method} ${path.slice(0, 200)}. The mock serves POST ${SEND_PATH} and its inspection API under ${INSPECTION_PREFIX}/.`;
    if (isApiCall(method, path)) {
      ctx.inbox.reject({ method, path: path.slice(0, 2000), status: 404, code: "not_found", description });
    }
    return jelouError(404, "not_found", description);
  });

  app.onError((error, c) => {
    // A client that leaves in the middle of its body makes the read fail: no bug of the mock, and no one to answer.
    const incoming = c.env?.incoming;
    if (incoming !== undefined && incoming.destroyed && !incoming.complete) return new Response(null, { status: 400 });
    const answer = internalError(ctx, error);
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  });

  return app;
}

import { type Context, Hono, type MiddlewareHandler } from "hono";
import { internalErrorResponse } from "./client-error.js";
import type { MockContext, MockEnv } from "./context.js";
import { mountFlowMessageRoute } from "./flow-message-route.js";
import { INSPECTION_PREFIX, mountInspectionRoutes } from "./inspection-routes.js";
import { refuseForeignHost } from "./origin.js";
import { queryProblem, undecodableSegment } from "./query.js";
import { mountReplyRoutes } from "./replies/reply-routes.js";
import { jelouError } from "./responses.js";
import { SEND_PATH } from "./send-core.js";
import { endWithServer } from "./server-scope.js";
import { createInboxPage } from "./ui/inbox-page.js";

/** The `{id}` of `/__mock/messages/{id}` and `/__mock/messages/{id}/reply`, still escaped. */
const MESSAGE_ID = new RegExp(`^${INSPECTION_PREFIX}/messages/([^/]+)(?:/reply)?/?$`);

/** Unknown routes worth a rejection entry: API calls gone astray, not a browser asking for /favicon.ico. */
function isApiCall(method: string, path: string): boolean {
  if (path.startsWith(`${INSPECTION_PREFIX}/`)) return false;
  return path.startsWith("/v1/") || (method !== "GET" && method !== "HEAD");
}

/**
 * Refuses an inspection request the contract cannot parse: a query parameter given twice or whose escapes do not
 * decode (400 `invalid_query`, as a bad query is answered there) or a message id whose escapes do not decode (422).
 */
function refuseMalformedInspection(c: Context<MockEnv>): Response | undefined {
  const url = c.req.url;
  const malformed = queryProblem(url);
  if (malformed !== undefined) return jelouError(400, "invalid_query", `The query is not valid: ${malformed.message}`, [malformed]);
  if (!url.includes("%")) return undefined;
  const id = MESSAGE_ID.exec(new URL(url).pathname)?.[1];
  const problem = id === undefined ? undefined : undecodableSegment("id", id);
  return problem === undefined ? undefined : jelouError(422, "unprocessable_entity", problem.message, [problem]);
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
  const guard: MiddlewareHandler<MockEnv> = async (c, next) => {
    const refusal = refuseForeignHost(ctx, c) ?? refuseMalformedInspection(c);
    if (refusal !== undefined) c.res = refusal;
    else await next();
    if (!c.res.headers.has("x-request-id")) c.res.headers.set("x-request-id", ctx.requestIds.next("req"));
  };
  app.use(`${INSPECTION_PREFIX}/*`, guard);
  app.use("/", guard);
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
    return jelouError(404, "not_found", description, undefined, { "x-request-id": ctx.requestIds.next("req") });
  });

  app.onError((error, c) => {
    // A client that leaves in the middle of its body makes the read fail: no bug of the mock, and no one to answer.
    const incoming = c.env?.incoming;
    if (incoming !== undefined && incoming.destroyed && !incoming.complete) return new Response(null, { status: 400 });
    return internalErrorResponse(ctx, error);
  });

  return app;
}

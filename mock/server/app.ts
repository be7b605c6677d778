import { type Context, Hono, type MiddlewareHandler } from "hono";
import type { MockContext, MockEnv } from "./context.js";
import { mountFlowMessageRoute, SEND_PATH } from "../send/flow-message-route.js";
import { INSPECTION_PREFIX, mountInspectionRoutes } from "../inspection/inspection-routes.js";
import { refuseForeignHost } from "./origin.js";
import { queryProblem, undecodableSegment } from "./query.js";
import { mountReplyRoutes } from "../replies/reply-routes.js";
import { jelouError } from "./responses.js";
import { endWithServer } from "./server-scope.js";
import { createInboxPage } from "../page/inbox-page.js";

/** The `{id}` of `/__mock/messages/{id}` and `/__mock/messages/{id}/reply`, still escaped. */
const MESSAGE_ID = new RegExp(`^${INSPECTION_PREFIX}/messages/([^/]+)(?:/reply)?/?$`);

/** A query given twice or undecodable is a 400 `invalid_query` there; a message id that does not decode a 422. */
function refuseMalformedInspection(c: Context<MockEnv>): Response | undefined {
  const url = c.req.url;
  const malformed = queryProblem(url);
  if (malformed !== undefined) {
    return jelouError(400, "invalid_query", `The query is not valid: ${malformed.message}`, [malformed]);
  }
  const id = url.includes("%") ? MESSAGE_ID.exec(new URL(url).pathname)?.[1] : undefined;
  const problem = id === undefined ? undefined : undecodableSegment("id", id);
  return problem === undefined ? undefined : jelouError(422, "unprocessable_entity", problem.message, [problem]);
}

/** No app-wide middleware: the send route stays one handler, which Hono calls without composing a chain. */
export function createMockApp(ctx: MockContext): Hono<MockEnv> {
  const app = new Hono<MockEnv>();
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
  const endWithItsServer = (c: Context, end: () => void) => endWithServer(ctx, c as Context<MockEnv>, end);
  app.route("/", createInboxPage({ inbox: ctx.inbox, replies: ctx.replies, endWithServer: endWithItsServer }).app);

  app.notFound((c) => {
    const { method, path } = c.req;
    const description =
      `No route ${method} ${path.slice(0, 200)}. ` +
      `The mock serves POST ${SEND_PATH} and its inspection API under ${INSPECTION_PREFIX}/.`;
    // Worth a rejection entry: API calls gone astray, not a browser asking for /favicon.ico.
    if (!path.startsWith(`${INSPECTION_PREFIX}/`) && (path.startsWith("/v1/") || (method !== "GET" && method !== "HEAD"))) {
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

/** A bug of the mock (no input is meant to get here): logged, and answered 500 without echoing the input. */
export function internalErrorResponse(ctx: MockContext, error: unknown): Response {
  ctx.log?.(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  const description = "Internal server error in the mock Jelou. Please report it.";
  return jelouError(500, "internal_server_error", description, undefined, { "x-request-id": ctx.requestIds.next("req") });
}

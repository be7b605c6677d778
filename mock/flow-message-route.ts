import type { Context, Hono } from "hono";
import type { MockContext, MockEnv } from "./context.js";
import { headerOf } from "./http-send-listener.js";
import type { FieldProblem } from "../src/contract/index.js";
import { queryProblem, undecodableSegment } from "./query.js";
import { readBodyLimited } from "./read-body.js";
import { handleSend, refuseMethod, SEND_PATH, type SendAnswer, type SendRequest } from "./send-core.js";

/** The contract's send path in Hono's syntax, derived once at load. */
const FLOW_MESSAGE_ROUTE = SEND_PATH.replace(/\{(\w+)\}/g, ":$1");

/**
 * A request header. Over HTTP it is read from Node's raw header lines, joined as Fetch joins them: asking the Request
 * for one would build a whole `Headers` object, the largest cost of this route after the body.
 */
function header(c: Context<MockEnv>, name: string): string | undefined {
  const incoming = c.env?.incoming;
  return incoming === undefined ? c.req.header(name) : headerOf(incoming, name);
}

/**
 * What the contract refuses in the request line and Hono reads leniently: a `type` given twice (Hono keeps the first)
 * and a path id whose escapes do not decode (Hono keeps them literally). Only a URL with a query or a `%` is looked at.
 */
function requestLineProblems(url: string): FieldProblem[] | undefined {
  if (!url.includes("?") && !url.includes("%")) return undefined;
  const problems: FieldProblem[] = [];
  const malformed = queryProblem(url);
  if (malformed !== undefined) problems.push(malformed);
  // ["", "v1", "bots", botId, "users", userId, "flow_message"]
  const segments = new URL(url).pathname.split("/");
  for (const [name, at] of [["botId", 3], ["userId", 5]] as const) {
    const problem = undecodableSegment(name, segments[at] ?? "");
    if (problem !== undefined) problems.push(problem);
  }
  return problems.length === 0 ? undefined : problems;
}

/** The send as the core sees it, read through Hono. */
function sendRequest(c: Context<MockEnv>): SendRequest {
  const problems = requestLineProblems(c.req.url);
  return {
    ...(problems === undefined ? {} : { problems }),
    method: c.req.method,
    path: c.req.path,
    botId: c.req.param("botId") as string,
    userId: c.req.param("userId") as string,
    type: c.req.query("type"),
    header: (name) => header(c, name),
    readBody: (limit) => readBodyLimited(c.req.raw, limit, header(c, "content-length")),
    overHttp: c.env?.incoming !== undefined,
  };
}

/**
 * Writes the core's answer as a Response. A dropped answer is lost as a network failure would lose it: over HTTP the
 * socket is destroyed; in-process the Response is marked so that the mock's `fetch` rejects like `fetch` does on a
 * reset connection.
 */
function toResponse(c: Context<MockEnv>, ctx: MockContext, answer: SendAnswer): Response {
  // Headers as a plain object and the body as a string: @hono/node-server writes such a Response straight to the socket.
  const response = new Response(answer.body, { status: answer.status, headers: answer.headers });
  if (answer.drop === true) {
    const socket = c.env?.incoming?.socket;
    if (socket !== undefined) socket.destroy();
    else ctx.dropped.add(response);
  }
  return response;
}

/**
 * Mounts `POST /v1/bots/{botId}/users/{userId}/flow_message`, and 405 for its other methods. The work is done by
 * {@link handleSend}, which the HTTP listener also calls directly for plain sends (see http-send-listener.ts).
 *
 * @param app the mock's app
 * @param ctx the shared state
 */
export function mountFlowMessageRoute(app: Hono<MockEnv>, ctx: MockContext): void {
  // One handler per method: Hono calls a lone matched handler directly, without composing a chain.
  app.post(FLOW_MESSAGE_ROUTE, async (c) => toResponse(c, ctx, await handleSend(ctx, sendRequest(c))));
  app.on(["GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"], FLOW_MESSAGE_ROUTE, (c) =>
    toResponse(c, ctx, refuseMethod(ctx, sendRequest(c))),
  );
}

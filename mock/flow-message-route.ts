import type { Context, Hono } from "hono";
import type { paths } from "../generated/openapi.js";
import {
  validateFlowMessage as checkBody,
  validateSendFlowMessageParameters as checkParameters,
} from "../generated/validators.js";
import { maskUserId, toFieldProblems, type FieldProblem, type FlowMessageBody } from "../src/index.js";
import type { MockContext, MockEnv } from "./context.js";
import type { FaultDecision } from "./faults.js";
import { MAX_NESTING, tooDeep } from "./nesting.js";
import { readBodyLimited } from "./read-body.js";
import { clip, jelouError, plural } from "./responses.js";

/** The contract's path; `satisfies` makes `tsc` fail if openapi.yaml renames it. */
const CONTRACT_PATH = "/v1/bots/{botId}/users/{userId}/flow_message" satisfies keyof paths;

/** The same path in Hono's syntax, derived once at load. */
export const FLOW_MESSAGE_ROUTE = CONTRACT_PATH.replace(/\{(\w+)\}/g, ":$1");

/** At most this many field problems are listed in one answer; a body of 100,000 unknown keys gets a readable one. */
const MAX_PROBLEMS = 100;
const MAX_KEPT_BODY = 4096;
const JSON_MEDIA_TYPE = "application/json";

/** What is known of one request when it is refused, for the rejection log. */
interface Facts {
  method: string;
  botId: string;
  userId: string;
  requestId: string;
  clientId?: string;
  body?: string;
  fault?: string;
}

/**
 * A request header. Over HTTP it is read from Node's already-parsed headers: asking the Request for one would build a
 * whole `Headers` object, the largest cost of this route after the body.
 */
function header(c: Context<MockEnv>, name: string): string | undefined {
  const incoming = c.env?.incoming;
  if (incoming === undefined) return c.req.header(name);
  const value = incoming.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

/**
 * Waits for a latency or a `hang`. Over HTTP the timer does not hold the process open: once the server has closed,
 * a ten-minute hang must not keep `jelou-flow mock` from exiting after Ctrl-C. In-process it does, like any awaited work.
 */
function sleep(c: Context<MockEnv>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (c.env?.incoming !== undefined) timer.unref();
  });
}

function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  if (contentType === JSON_MEDIA_TYPE) return true;
  const semicolon = contentType.indexOf(";");
  return (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase() === JSON_MEDIA_TYPE;
}


/** Answers an error and records the rejection with its reasons. */
function refuse(
  c: Context<MockEnv>,
  ctx: MockContext,
  facts: Facts,
  status: number,
  code: string,
  description: string,
  problems?: FieldProblem[],
  headers?: Record<string, string>,
): Response {
  const rejection: Parameters<MockContext["inbox"]["reject"]>[0] = {
    method: facts.method,
    path: c.req.path,
    status,
    code,
    description,
    botId: facts.botId,
    userId: facts.userId,
  };
  if (problems !== undefined) rejection.problems = problems;
  if (facts.clientId !== undefined) rejection.clientId = facts.clientId;
  if (facts.fault !== undefined) rejection.fault = facts.fault;
  if (facts.body !== undefined) rejection.body = facts.body.slice(0, MAX_KEPT_BODY);
  ctx.inbox.reject(rejection);
  ctx.log?.(`${facts.method} ${c.req.path.replace(facts.userId, maskUserId(facts.userId))} -> ${status} ${code}`);
  return jelouError(status, code, description, problems, { "x-request-id": facts.requestId, ...headers });
}

/**
 * Loses the answer, as a network failure would: over HTTP the socket is destroyed; in-process the answer is marked
 * so that the mock's `fetch` rejects like `fetch` does on a reset connection.
 */
function drop(c: Context<MockEnv>, ctx: MockContext): Response {
  const response = jelouError(
    500,
    "internal_server_error",
    "The connection was dropped by a scripted fault. Call mock.fetch (not mock.app.fetch) to see it as a network error.",
  );
  const socket = c.env?.incoming?.socket;
  if (socket !== undefined) socket.destroy();
  else ctx.dropped.add(response);
  return response;
}

/** The scripted or chaos answers that replace handling altogether. */
function faultAnswer(c: Context<MockEnv>, ctx: MockContext, facts: Facts, decision: FaultDecision): Response | undefined {
  const retryAfter = decision.retryAfterSeconds;
  const headers = retryAfter === undefined ? undefined : { "retry-after": String(retryAfter) };
  const wait = retryAfter === undefined ? "Try again later." : `Retry after ${plural(retryAfter, "second")}.`;
  switch (decision.kind) {
    case "rate_limit":
      return refuse(c, ctx, facts, 429, "rate_limited", `Too many requests. ${wait}`, undefined, headers);
    case "server_error":
      return refuse(c, ctx, facts, 500, "internal_server_error", "Internal server error (injected by the mock).");
    case "unavailable":
      return refuse(c, ctx, facts, 503, "service_unavailable", `Service unavailable. ${wait}`, undefined, headers);
    case "drop":
      return decision.record === false ? drop(c, ctx) : undefined;
    default:
      return undefined;
  }
}

/** Auth, content type, size, JSON, schema, registry, then recording: the order stripe-mock checks in. */
async function accept(c: Context<MockEnv>, ctx: MockContext, facts: Facts): Promise<Response> {
  const auth = ctx.checkAuth(header(c, "authorization"));
  if (!auth.ok) {
    if (auth.clientId !== undefined) facts.clientId = auth.clientId;
    const description =
      auth.reason === "missing"
        ? "Not authorized: no Authorization header. Send Authorization: Basic base64(clientId:clientSecret)."
        : auth.reason === "malformed"
          ? "Not authorized: the Authorization header is not Basic base64(clientId:clientSecret) with a non-empty id and secret."
          : "Not authorized: the client id or secret is wrong. Use the credentials the mock was started with.";
    return refuse(c, ctx, facts, 401, "unauthorized", description, undefined, {
      "www-authenticate": 'Basic realm="jelou"',
    });
  }
  facts.clientId = auth.clientId;

  const contentType = header(c, "content-type");
  if (!isJson(contentType)) {
    const given = contentType === undefined ? "missing" : `${clip(contentType, 100)}`;
    return refuse(c, ctx, facts, 415, "unsupported_media_type", `Content-Type is ${given}; send Content-Type: application/json.`);
  }

  const read = await readBodyLimited(c.req.raw, ctx.bodyLimitBytes, header(c, "content-length"));
  if (!read.ok) {
    const size = read.bytes === undefined ? "larger than the limit" : `${read.bytes} bytes`;
    // The rest of the body is never read, so the connection cannot carry another request: say so to the client.
    return refuse(c, ctx, facts, 413, "payload_too_large", `The body is ${size}; the limit is ${ctx.bodyLimitBytes}. Send a smaller message.`, undefined, {
      connection: "close",
    });
  }
  facts.body = read.text;

  let body: unknown;
  try {
    body = JSON.parse(read.text);
  } catch (error) {
    const reason = clip((error as Error).message, 200);
    return refuse(c, ctx, facts, 400, "invalid_json", `The body is not valid JSON: ${reason}. Send a JSON object.`);
  }

  const type = c.req.query("type");
  const parameters: Record<string, string> = { botId: facts.botId, userId: facts.userId };
  if (type !== undefined) parameters.type = type;
  const paramsOk = checkParameters(parameters);
  const bodyOk = checkBody(body);
  if (!paramsOk || !bodyOk) {
    const problems = [
      ...(paramsOk ? [] : toFieldProblems(checkParameters.errors ?? [])),
      ...(bodyOk ? [] : toFieldProblems(checkBody.errors ?? [])),
    ];
    const shown = problems.slice(0, MAX_PROBLEMS);
    const more = problems.length > shown.length ? ` (the first ${MAX_PROBLEMS} are listed)` : "";
    const description = clip(
      `The message breaks ${plural(problems.length, "rule")}${more}: ${shown.map((p) => p.message).join(" ")}`,
      2000,
    );
    return refuse(c, ctx, facts, 422, "unprocessable_entity", description, shown);
  }
  const deep = tooDeep(body, read.text.length);
  if (deep !== undefined) {
    const message = `${deep === "" ? "the body" : deep} nests more than ${MAX_NESTING} levels deep; the mock keeps at most ${MAX_NESTING}. Flatten it.`;
    return refuse(c, ctx, facts, 422, "unprocessable_entity", message, [{ path: deep, rule: "maxDepth", message }]);
  }
  const message = body as FlowMessageBody;

  if (ctx.registry !== undefined) {
    const refusal = ctx.registry.check(facts.botId, auth.clientId, message.parameters.flow_name);
    if (refusal !== undefined) {
      const problems = refusal.problem === undefined ? undefined : [refusal.problem];
      return refuse(c, ctx, facts, refusal.status, refusal.code, refusal.description, problems);
    }
  }

  const recorded =
    type === undefined
      ? { botId: facts.botId, userId: facts.userId, body: message, clientId: auth.clientId }
      : { botId: facts.botId, userId: facts.userId, type, body: message, clientId: auth.clientId };
  const id = ctx.inbox.recordId(recorded, read.text);
  ctx.log?.(`POST ${c.req.path.replace(facts.userId, maskUserId(facts.userId))} -> 200 ${id}`);
  return new Response("{}", {
    status: 200,
    headers: { "content-type": "application/json", "x-message-id": id, "x-request-id": facts.requestId },
  });
}

async function sendFlowMessage(c: Context<MockEnv>, ctx: MockContext): Promise<Response> {
  const facts: Facts = {
    method: "POST",
    botId: c.req.param("botId") as string,
    userId: c.req.param("userId") as string,
    requestId: ctx.requestIds.next("req"),
  };
  const latency = ctx.faults.latencyMs;
  if (latency > 0) await sleep(c, latency);
  const decision = ctx.faults.idle ? undefined : ctx.faults.take(facts.botId, facts.userId);
  if (decision !== undefined) {
    facts.fault = decision.source;
    const answer = faultAnswer(c, ctx, facts, decision);
    if (answer !== undefined) return answer;
    if (decision.kind === "hang") await sleep(c, decision.delayMs ?? 0);
  }
  const response = await accept(c, ctx, facts);
  return decision?.kind === "drop" ? drop(c, ctx) : response;
}

/**
 * Mounts `POST /v1/bots/{botId}/users/{userId}/flow_message`, and 405 for its other methods.
 *
 * @param app the mock's app
 * @param ctx the shared state
 */
export function mountFlowMessageRoute(app: Hono<MockEnv>, ctx: MockContext): void {
  // One handler per method: Hono calls a lone matched handler directly, without composing a chain.
  app.post(FLOW_MESSAGE_ROUTE, (c) => sendFlowMessage(c, ctx));
  app.on(["GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"], FLOW_MESSAGE_ROUTE, (c) => {
    const facts: Facts = {
      method: c.req.method,
      botId: c.req.param("botId") as string,
      userId: c.req.param("userId") as string,
      requestId: ctx.requestIds.next("req"),
    };
    return refuse(c, ctx, facts, 405, "method_not_allowed", `${c.req.method} is not allowed here; send POST.`, undefined, {
      allow: "POST",
    });
  });
}

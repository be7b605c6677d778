import type { paths } from "../generated/openapi.js";
import {
  validateFlowMessage as checkBody,
  validateSendFlowMessageParameters as checkParameters,
} from "../generated/validators.js";
import { toFieldProblems, type FieldProblem, type FlowMessageBody } from "../src/contract/index.js";
import type { MockContext } from "./context.js";
import type { FaultDecision } from "./faults.js";
import { depthProblem } from "./nesting.js";
import { NOT_UTF8_DESCRIPTION, type BodyRead } from "./read-body.js";
import { boundProblem, type Facts, JSON_HEADERS, logLine, refuse } from "./refusal.js";
import { clip, jelouErrorText, plural } from "./responses.js";
import type { SendAnswer, SendRequest } from "./send-shapes.js";

/** The contract's path of the send; `satisfies` makes `tsc` fail if openapi.yaml renames it. */
export const SEND_PATH = "/v1/bots/{botId}/users/{userId}/flow_message" satisfies keyof paths;

/** At most this many field problems are listed in one answer; a body of 100,000 unknown keys gets a readable one. */
const MAX_PROBLEMS = 100;
const JSON_MEDIA_TYPE = "application/json";

export type { SendAnswer, SendRequest } from "./send-shapes.js";

function sleep(request: SendRequest, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (request.overHttp) timer.unref();
  });
}

function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  if (contentType === JSON_MEDIA_TYPE) return true;
  const semicolon = contentType.indexOf(";");
  return (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase() === JSON_MEDIA_TYPE;
}

/** The answer a `drop` fault loses; the mock's in-process `fetch` says how to see it as a network error. */
const DROPPED: SendAnswer = {
  status: 500,
  headers: JSON_HEADERS,
  // Never written over HTTP; in-process, the Response carries it for a caller of app.fetch.
  body: jelouErrorText(
    "internal_server_error",
    "The connection was dropped by a scripted fault. Call mock.fetch (not mock.app.fetch) to see it as a network error.",
  ),
  drop: true,
};

/** The scripted or chaos answers that replace handling altogether. */
function faultAnswer(ctx: MockContext, facts: Facts, decision: FaultDecision): SendAnswer | undefined {
  const retryAfter = decision.retryAfterSeconds;
  const headers = retryAfter === undefined ? undefined : { "retry-after": String(retryAfter) };
  const wait = retryAfter === undefined ? "Try again later." : `Retry after ${plural(retryAfter, "second")}.`;
  switch (decision.kind) {
    case "rate_limit":
      return refuse(ctx, facts, 429, "rate_limited", `Too many requests. ${wait}`, undefined, headers);
    case "server_error":
      return refuse(ctx, facts, 500, "internal_server_error", "Internal server error (injected by the mock).");
    case "unavailable":
      return refuse(ctx, facts, 503, "service_unavailable", `Service unavailable. ${wait}`, undefined, headers);
    case "drop":
      return decision.record === false ? DROPPED : undefined;
    default:
      return undefined;
  }
}

function unauthorized(reason: string): string {
  if (reason === "missing") return "Not authorized: no Authorization header. Send Authorization: Basic base64(clientId:clientSecret).";
  if (reason === "malformed") {
    return "Not authorized: the Authorization header is not Basic base64(clientId:clientSecret) with a non-empty id and secret.";
  }
  return "Not authorized: the client id or secret is wrong. Use the credentials the mock was started with.";
}

/**
 * Auth, content type, size, JSON, schema, registry, then recording: the order stripe-mock checks in. Synchronous when
 * the body is at hand: a plain send over HTTP then costs no promise at all.
 */
function accept(ctx: MockContext, facts: Facts): SendAnswer | Promise<SendAnswer> {
  const { request } = facts;
  const auth = ctx.checkAuth(request.header("authorization"));
  if (!auth.ok) {
    if (auth.clientId !== undefined) facts.clientId = auth.clientId;
    return refuse(ctx, facts, 401, "unauthorized", unauthorized(auth.reason), undefined, {
      "www-authenticate": 'Basic realm="jelou"',
    });
  }
  facts.clientId = auth.clientId;

  const contentType = request.header("content-type");
  if (!isJson(contentType)) {
    const given = contentType === undefined ? "missing" : `${clip(contentType, 100)}`;
    return refuse(ctx, facts, 415, "unsupported_media_type", `Content-Type is ${given}; send Content-Type: application/json.`);
  }

  const read = request.readBody(ctx.bodyLimitBytes);
  return read instanceof Promise ? read.then((r) => acceptBody(ctx, facts, auth.clientId, r)) : acceptBody(ctx, facts, auth.clientId, read);
}

function acceptBody(ctx: MockContext, facts: Facts, clientId: string, read: BodyRead): SendAnswer {
  const { request } = facts;
  if (!read.ok && "notUtf8" in read) {
    facts.body = read.text;
    return refuse(ctx, facts, 400, "invalid_json", NOT_UTF8_DESCRIPTION);
  }
  if (!read.ok) {
    const size = read.bytes === undefined ? "larger than the limit" : `${read.bytes} bytes`;
    // The rest of the body is never read, so the connection cannot carry another request: say so to the client.
    return refuse(ctx, facts, 413, "payload_too_large", `The body is ${size}; the limit is ${ctx.bodyLimitBytes}. Send a smaller message.`, undefined, {
      connection: "close",
    });
  }
  facts.body = read.text;

  let body: unknown;
  try {
    body = JSON.parse(read.text);
  } catch (error) {
    const reason = clip((error as Error).message, 200);
    return refuse(ctx, facts, 400, "invalid_json", `The body is not valid JSON: ${reason}. Send a JSON object.`);
  }

  const parameters: Record<string, string> = { botId: request.botId, userId: request.userId };
  if (request.type !== undefined) parameters.type = request.type;
  const paramsOk = checkParameters(parameters) && request.problems === undefined;
  const bodyOk = checkBody(body);
  if (!paramsOk || !bodyOk) {
    const problems = [
      ...(request.problems ?? []),
      ...(paramsOk ? [] : toFieldProblems(checkParameters.errors ?? [])),
      ...(bodyOk ? [] : toFieldProblems(checkBody.errors ?? [])),
    ];
    const shown = problems.slice(0, MAX_PROBLEMS).map(boundProblem);
    const more = problems.length > shown.length ? ` (the first ${MAX_PROBLEMS} are listed)` : "";
    // refuse() cuts the description to its limit: with 100 problems listed, only the first few fit.
    const description = `The message breaks ${plural(problems.length, "rule")}${more}: ${shown.map((p) => p.message).join(" ")}`;
    return refuse(ctx, facts, 422, "unprocessable_entity", description, shown);
  }
  const deep = depthProblem(body, read.text.length);
  if (deep !== undefined) return refuse(ctx, facts, 422, "unprocessable_entity", deep.message, [deep]);
  const message = body as FlowMessageBody;

  if (ctx.registry !== undefined) {
    const refusal = ctx.registry.check(request.botId, clientId, message.parameters.flow_name);
    if (refusal !== undefined) {
      const problems = refusal.problem === undefined ? undefined : [refusal.problem];
      return refuse(ctx, facts, refusal.status, refusal.code, refusal.description, problems);
    }
  }

  const { botId, userId, type } = request;
  const recorded =
    type === undefined
      ? { botId, userId, body: message, clientId }
      : { botId, userId, type, body: message, clientId };
  const id = ctx.inbox.recordId(recorded, read.text, read.utf8);
  logLine(ctx, request, `200 ${id}`);
  return {
    status: 200,
    headers: { "content-type": JSON_MEDIA_TYPE, "content-length": "2", "x-message-id": id, "x-request-id": facts.requestId },
    body: "{}",
  };
}

const INTERNAL_ERROR_BODY = jelouErrorText("internal_server_error", "Internal server error in the mock Jelou. Please report it.");
const INTERNAL_ERROR: SendAnswer = {
  status: 500,
  headers: { ...JSON_HEADERS, "content-length": String(Buffer.byteLength(INTERNAL_ERROR_BODY)) },
  body: INTERNAL_ERROR_BODY,
};

/**
 * The answer to a bug of the mock: no input is meant to get here. It is logged, and the answer says so without echoing
 * the input. The app's `onError` and the HTTP listener both answer with it.
 *
 * @param ctx the mock's shared state (its log)
 * @param error what was thrown
 * @returns a 500 in Jelou's shape
 */
export function internalError(ctx: MockContext, error: unknown): SendAnswer {
  ctx.log?.(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return INTERNAL_ERROR;
}

/**
 * Handles one `POST /v1/bots/{botId}/users/{userId}/flow_message`: latency and faults first, then every check of the
 * contract, then recording.
 *
 * @param ctx the mock's shared state
 * @param request the send, as the transport read it
 * @returns the answer to write; synchronously when nothing is scripted and the body is at hand
 */
export function handleSend(ctx: MockContext, request: SendRequest): SendAnswer | Promise<SendAnswer> {
  const facts: Facts = { request, requestId: ctx.requestIds.next("req") };
  if (ctx.faults.latencyMs > 0 || !ctx.faults.idle) return handleScripted(ctx, facts);
  return accept(ctx, facts);
}

async function handleScripted(ctx: MockContext, facts: Facts): Promise<SendAnswer> {
  const { request } = facts;
  const latency = ctx.faults.latencyMs;
  if (latency > 0) await sleep(request, latency);
  const decision = ctx.faults.idle ? undefined : ctx.faults.take(request.botId, request.userId);
  if (decision !== undefined) {
    facts.fault = decision.source;
    const answer = faultAnswer(ctx, facts, decision);
    if (answer !== undefined) return answer;
    if (decision.kind === "hang") await sleep(request, decision.delayMs ?? 0);
  }
  const answer = await accept(ctx, facts);
  return decision?.kind === "drop" ? DROPPED : answer;
}

/**
 * The 405 for any method but POST on the send route.
 *
 * @param ctx the mock's shared state
 * @param request the request
 * @returns the answer, with `Allow: POST`
 */
export function refuseMethod(ctx: MockContext, request: SendRequest): SendAnswer {
  const facts: Facts = { request, requestId: ctx.requestIds.next("req") };
  return refuse(ctx, facts, 405, "method_not_allowed", `${request.method} is not allowed here; send POST.`, undefined, {
    allow: "POST",
  });
}

import { createHash, timingSafeEqual } from "node:crypto";
import type { Context, Hono } from "hono";
import type { paths } from "../../generated/openapi.js";
import {
  validateFlowMessage as checkBody,
  validateSendFlowMessageParameters as checkParameters,
} from "../../generated/validators.js";
import { maskUserId, toFieldProblems, type FieldProblem, type FlowMessageBody } from "../../src/contract/index.js";
import type { ResponseCheck } from "../../src/contract/index.js";
import type { FaultDecision } from "../faults/faults.js";
import type { AuthResult, Credentials } from "./credentials.js";
import type { NewInboxMessage } from "../types.js";
import type { InboxUpstream } from "../types.js";
import { relayResponse, relaySend } from "./relay.js";
import type { MockContext, MockEnv } from "../server/context.js";
import { depthProblem } from "../server/request-body.js";
import { queryProblem, undecodableSegment } from "../server/query.js";
import { clip, excerpt, jelouError, plural } from "../server/responses.js";
import { type BodyRead, NOT_UTF8_DESCRIPTION, readBodyLimited } from "../server/request-body.js";

/** The contract's path of the send; `satisfies` makes `tsc` fail if openapi.yaml renames it. */
export const SEND_PATH = "/v1/bots/{botId}/users/{userId}/flow_message" satisfies keyof paths;
const ROUTE = SEND_PATH.replace(/\{(\w+)\}/g, ":$1");

/** What the send route uses of the mock. */
export type SendDeps = Pick<
  MockContext,
  "inbox" | "faults" | "registry" | "checkAuth" | "bodyLimitBytes" | "log" | "requestIds" | "dropped" | "upstream"
>;

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

const digest = (value: string | Buffer): Buffer => createHash("sha256").update(value).digest();

/** Checks `Basic base64(id:secret)` by comparing digests in constant time: the time says nothing of a guess or the length. */
export function createCredentialCheck(credentials: Credentials | undefined): (header: string | undefined) => AuthResult {
  const expected = credentials === undefined ? undefined : digest(`${credentials.clientId}:${credentials.clientSecret}`);
  return (header) => {
    if (header === undefined || header === "") return { ok: false, reason: "missing" };
    const space = header.indexOf(" ");
    if (space < 0 || header.slice(0, space).toLowerCase() !== "basic") return { ok: false, reason: "malformed" };
    const token = header.slice(space + 1).trim();
    if (!BASE64.test(token)) return { ok: false, reason: "malformed" };
    const decoded = Buffer.from(token, "base64");
    const pair = decoded.toString("utf8");
    const colon = pair.indexOf(":");
    if (colon <= 0 || colon === pair.length - 1) return { ok: false, reason: "malformed" };
    const clientId = pair.slice(0, colon);
    if (expected !== undefined && !timingSafeEqual(digest(decoded), expected)) {
      // Only the configured id is named back: a client that swapped id and secret sends its secret as the id.
      return clientId === credentials?.clientId ? { ok: false, reason: "wrong", clientId } : { ok: false, reason: "wrong" };
    }
    return { ok: true, clientId };
  };
}

/** Everything quoted from a request is cut to these, so that a refusal costs a few kilobytes whatever was sent. */
const MAX = { problems: 100, path: 200, message: 500, description: 2000, requestPath: 2000, id: 256, keptBody: 4096 };
/** Room for clip's marker, `… (9007199254740991 characters)` at its longest. */
const MARKER_ROOM = 32;
const JSON_MEDIA_TYPE = "application/json";

/** What a refusal lists and adds besides its code and description. */
type Extra = { problems?: FieldProblem[] | undefined; headers?: Record<string, string> | undefined };

/** What is known of one request when it is answered, for the answer and the rejection log. */
type Send = { c: Context<MockEnv>; requestId: string; botId: string; userId: string } & Partial<
  Record<"clientId" | "body" | "fault", string>
>;

/** Mounts the send route, and 405 with `Allow: POST` for its other methods. */
export function mountFlowMessageRoute(app: Hono<MockEnv>, deps: SendDeps): void {
  app.post(ROUTE, async (c) => {
    const send = sendOf(deps, c);
    const latency = deps.faults.latencyMs;
    if (latency > 0) await sleep(c, latency);
    const decision = deps.faults.take(send.botId, send.userId);
    if (decision !== undefined) {
      send.fault = decision.source;
      const answer = faultAnswer(deps, send, decision);
      if (answer !== undefined) return answer;
      if (decision.kind === "hang") await sleep(c, decision.delayMs ?? 0);
    }
    const answer = await accept(deps, send);
    return decision?.kind === "drop" ? dropped(deps, c) : answer;
  });
  app.on(["GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"], ROUTE, (c) =>
    refuse(deps, sendOf(deps, c), 405, "method_not_allowed", `${c.req.method} is not allowed here; send POST.`, {
      headers: { allow: "POST" },
    }),
  );
}

function sendOf(deps: SendDeps, c: Context<MockEnv>): Send {
  const { botId, userId } = c.req.param() as { botId: string; userId: string };
  return { c, requestId: deps.requestIds.next("req"), botId, userId };
}

function sleep(c: Context<MockEnv>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    // Over HTTP a waiting send must not hold the process open once the server has closed.
    if (c.env?.incoming !== undefined) timer.unref();
  });
}

function faultAnswer(deps: SendDeps, send: Send, decision: FaultDecision): Response | undefined {
  const retryAfter = decision.retryAfterSeconds;
  const headers = retryAfter === undefined ? undefined : { "retry-after": String(retryAfter) };
  const wait = retryAfter === undefined ? "Try again later." : `Retry after ${plural(retryAfter, "second")}.`;
  switch (decision.kind) {
    case "rate_limit":
      return refuse(deps, send, 429, "rate_limited", `Too many requests. ${wait}`, { headers });
    case "server_error":
      return refuse(deps, send, 500, "internal_server_error", "Internal server error (injected by the mock).");
    case "unavailable":
      return refuse(deps, send, 503, "service_unavailable", `Service unavailable. ${wait}`, { headers });
    case "drop":
      return decision.record === false ? dropped(deps, send.c) : undefined;
    default:
      return undefined;
  }
}

/** A `drop` fault loses the answer: over HTTP the socket is destroyed; in-process the mock's `fetch` rejects. */
function dropped(deps: SendDeps, c: Context<MockEnv>): Response {
  const description =
    "The connection was dropped by a scripted fault. Call mock.fetch (not mock.app.fetch) to see it as a network error.";
  const response = jelouError(500, "internal_server_error", description);
  const socket = c.env?.incoming?.socket;
  if (socket !== undefined) socket.destroy();
  else deps.dropped.add(response);
  return response;
}

/** Credentials, media type, size, JSON, contract, registry, then the record (or the relay): stripe-mock's order. */
async function accept(deps: SendDeps, send: Send): Promise<Response> {
  const { c } = send;
  const auth = deps.checkAuth(c.req.header("authorization"));
  if (auth.clientId !== undefined) send.clientId = auth.clientId;
  if (!auth.ok) {
    const challenge = { "www-authenticate": 'Basic realm="jelou"' };
    return refuse(deps, send, 401, "unauthorized", UNAUTHORIZED[auth.reason], { headers: challenge });
  }
  const contentType = c.req.header("content-type");
  if (!isJson(contentType)) {
    const given = contentType === undefined ? "missing" : clip(contentType, 100);
    return refuse(deps, send, 415, "unsupported_media_type", `Content-Type is ${given}; send Content-Type: application/json.`);
  }
  // Not hono/body-limit: a body without Content-Length (every in-process send) is copied into a new Request, twice the cost.
  const read = await readBodyLimited(c.req.raw, deps.bodyLimitBytes);
  if (!read.ok && !("notUtf8" in read)) return tooLarge(deps, send, read.bytes);
  send.body = read.text;
  if (!read.ok) return refuse(deps, send, 400, "invalid_json", NOT_UTF8_DESCRIPTION);
  return acceptJson(deps, send, auth.clientId, read);
}

type Read = BodyRead & { ok: true };

function acceptJson(deps: SendDeps, send: Send, clientId: string, read: Read): Response | Promise<Response> {
  const { c, botId, userId } = send;
  let body: unknown;
  try {
    body = JSON.parse(read.text);
  } catch (error) {
    const reason = clip((error as Error).message, 200);
    return refuse(deps, send, 400, "invalid_json", `The body is not valid JSON: ${reason}. Send a JSON object.`);
  }

  const type = c.req.query("type");
  const parameters = type === undefined ? { botId, userId } : { botId, userId, type };
  const problems = requestLineProblems(c.req.url);
  if (!checkParameters(parameters)) problems.push(...toFieldProblems(checkParameters.errors ?? []));
  if (!checkBody(body)) problems.push(...toFieldProblems(checkBody.errors ?? []));
  if (problems.length > 0) {
    const shown = problems.slice(0, MAX.problems).map(boundProblem);
    const more = problems.length > shown.length ? ` (the first ${MAX.problems} are listed)` : "";
    // refuse() cuts the description to its limit: with 100 problems listed, only the first few fit.
    const description = `The message breaks ${plural(problems.length, "rule")}${more}: ${shown.map((p) => p.message).join(" ")}`;
    return refuse(deps, send, 422, "unprocessable_entity", description, { problems: shown });
  }
  const deep = depthProblem(body, read.text.length);
  if (deep !== undefined) return refuse(deps, send, 422, "unprocessable_entity", deep.message, { problems: [deep] });
  const message = body as FlowMessageBody;

  const refusal = deps.registry?.check(botId, clientId, message.parameters.flow_name);
  if (refusal !== undefined) {
    const problems = refusal.problem === undefined ? undefined : [refusal.problem];
    return refuse(deps, send, refusal.status, refusal.code, refusal.description, { problems });
  }

  if (deps.upstream !== undefined) return relay(deps, deps.upstream, send, { ...parameters, body: message, clientId }, read);
  const id = deps.inbox.recordId({ ...parameters, body: message, clientId }, read.text, read.utf8);
  log(deps, send, `200 ${id}`);
  const headers = { "content-type": JSON_MEDIA_TYPE, "content-length": "2", "x-message-id": id, "x-request-id": send.requestId };
  return new Response("{}", { status: 200, headers });
}

const verdictOf = ({ conforms, differences }: ResponseCheck) => ({ conforms, differences });

/** Relay mode: forwards the checked send once, records the message with the upstream's answer, and hands that back. */
async function relay(deps: SendDeps, upstream: URL, send: Send, message: NewInboxMessage, read: Read): Promise<Response> {
  const url = new URL(send.c.req.url);
  const authorization = send.c.req.header("authorization");
  const request = { method: "POST", path: url.pathname + url.search, authorization, body: read.text };
  const outcome = await relaySend(request, { upstream });
  const answer: InboxUpstream = outcome.ok
    ? { status: outcome.status, body: outcome.body, truncated: outcome.truncated, ...verdictOf(outcome.check) }
    : { error: outcome.kind, message: outcome.message, conforms: false };
  const id = deps.inbox.recordId({ ...message, upstream: answer }, read.text, read.utf8);
  const answered = !outcome.ok ? `500 ${outcome.kind}` : outcome.refused ? `500 (upstream ${outcome.status})` : outcome.status;
  log(deps, send, `${answered} ${id} (relayed to ${upstream.origin})`);
  return relayResponse(outcome);
}

const UNAUTHORIZED = {
  missing: "Not authorized: no Authorization header. Send Authorization: Basic base64(clientId:clientSecret).",
  malformed:
    "Not authorized: the Authorization header is not Basic base64(clientId:clientSecret) with a non-empty id and secret.",
  wrong: "Not authorized: the client id or secret is wrong. Use the credentials the mock was started with.",
};

function isJson(contentType: string | undefined): boolean {
  return contentType?.split(";")[0]?.trim().toLowerCase() === JSON_MEDIA_TYPE;
}

function tooLarge(deps: SendDeps, send: Send, bytes: number | undefined): Response {
  const size = bytes === undefined ? "larger than the limit" : `${bytes} bytes`;
  // The rest of the body is never read, so the connection cannot carry another request: say so to the client.
  const description = `The body is ${size}; the limit is ${deps.bodyLimitBytes}. Send a smaller message.`;
  return refuse(deps, send, 413, "payload_too_large", description, { headers: { connection: "close" } });
}

/** What Hono reads leniently and the contract refuses: a `type` given twice, a path id whose escapes do not decode. */
function requestLineProblems(url: string): FieldProblem[] {
  if (!url.includes("?") && !url.includes("%")) return [];
  // ["", "v1", "bots", botId, "users", userId, "flow_message"]
  const segments = new URL(url).pathname.split("/");
  const problems = [queryProblem(url), undecodableSegment("botId", segments[3] ?? "")];
  return [...problems, undecodableSegment("userId", segments[5] ?? "")].filter((problem) => problem !== undefined);
}

/** Cuts a text to `max` characters in all, marker included, so that cutting it again changes nothing. */
function within(text: string, max: number): string {
  return text.length <= max ? text : clip(text, max - MARKER_ROOM);
}

/** A string of its own even when short: a slice of a megabyte URL would keep the URL alive in the rejection log. */
function keptCopy(text: string, max: number): string {
  return text.length <= max ? (JSON.parse(JSON.stringify(text)) as string) : within(text, max);
}

function boundProblem(problem: FieldProblem): FieldProblem {
  const { path, message } = problem;
  if (path.length <= MAX.path && message.length <= MAX.message) return problem;
  const shortPath = within(path, MAX.path);
  // The message starts by naming the path: naming the short one instead keeps the advice at its end.
  const named = path.length > MAX.path ? message.split(path).join(shortPath) : message;
  return { ...problem, path: shortPath, message: within(named, MAX.message) };
}

function log(deps: SendDeps, send: Send, outcome: string): void {
  deps.log?.(`${send.c.req.method} ${send.c.req.path.replace(send.userId, maskUserId(send.userId))} -> ${outcome}`);
}

/** Answers an error in Jelou's shape and records the rejection with its reasons, both bounded in size. */
function refuse(deps: SendDeps, send: Send, status: number, code: string, description: string, more: Extra = {}): Response {
  const said = within(description, MAX.description);
  const listed = more.problems?.map(boundProblem);
  const rejection: Parameters<SendDeps["inbox"]["reject"]>[0] = {
    method: send.c.req.method,
    path: keptCopy(send.c.req.path, MAX.requestPath),
    status,
    code,
    description: said,
    botId: keptCopy(send.botId, MAX.id),
    userId: keptCopy(send.userId, MAX.id),
  };
  if (listed !== undefined) rejection.problems = listed;
  if (send.clientId !== undefined) rejection.clientId = send.clientId;
  if (send.fault !== undefined) rejection.fault = send.fault;
  if (send.body !== undefined) rejection.body = excerpt(send.body, MAX.keptBody);
  deps.inbox.reject(rejection);
  log(deps, send, `${status} ${code}`);
  return jelouError(status, code, said, listed, { "x-request-id": send.requestId, ...more.headers });
}

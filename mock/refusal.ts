import { maskUserId, type FieldProblem } from "../src/contract/index.js";
import type { MockContext } from "./context.js";
import { clip, excerpt, jelouErrorText } from "./responses.js";
import type { SendAnswer, SendRequest } from "./send-shapes.js";

/**
 * How much of one refusal is kept and answered. Everything quoted from the request is cut to these, so that a
 * rejection costs a few kilobytes whatever was sent: a 1 MB unknown key would otherwise be answered, and kept in the
 * rejection log, twice (as the problem's path and inside its message), and 1,000 such rejections would hold 2 GB.
 */
const MAX_PROBLEM_PATH = 200;
const MAX_PROBLEM_MESSAGE = 500;
const MAX_DESCRIPTION = 2000;
const MAX_REQUEST_PATH = 2000;
/** Bot ids and phone numbers are short; a longer one is quoted only to show what was sent. */
const MAX_ID = 256;
const MAX_KEPT_BODY = 4096;
/** Room for clip's marker, `… (9007199254740991 characters)` at its longest. */
const MARKER_ROOM = 32;

/** What is known of one request when it is refused, for the rejection log. */
export interface Facts {
  request: SendRequest;
  requestId: string;
  clientId?: string;
  body?: string;
  fault?: string;
}

/** The content type of every answer of the send route. */
export const JSON_HEADERS = { "content-type": "application/json" } as const;

/** Cuts a text to `max` characters in all, marker included, so that cutting it again changes nothing. */
function within(text: string, max: number): string {
  return text.length <= max ? text : clip(text, max - MARKER_ROOM);
}

/**
 * Cuts a text like {@link within}, and returns a string of its own even when it is short enough: an id or a path taken
 * from a long URL (a megabyte id beside it, or a megabyte query after it) is a slice that would keep the URL alive in
 * the rejection log. JSON's round trip copies every UTF-16 unit, lone surrogates included.
 */
function keptCopy(text: string, max: number): string {
  return text.length <= max ? (JSON.parse(JSON.stringify(text)) as string) : within(text, max);
}

/**
 * Cuts a field problem's path and message to their limits, marker included; a problem within them is returned as it
 * is, so the usual refusal copies nothing, and bounding a bounded problem changes nothing.
 *
 * @param problem a problem from `toFieldProblems` or the mock's own checks
 * @returns the problem, or a copy with a shortened path and message, each marked `… (N characters)`
 */
export function boundProblem(problem: FieldProblem): FieldProblem {
  const { path, message } = problem;
  if (path.length <= MAX_PROBLEM_PATH && message.length <= MAX_PROBLEM_MESSAGE) return problem;
  const shortPath = within(path, MAX_PROBLEM_PATH);
  // The message starts by naming the path: naming the short one instead keeps the advice at its end.
  const named = path.length > MAX_PROBLEM_PATH ? message.split(path).join(shortPath) : message;
  return { ...problem, path: shortPath, message: within(named, MAX_PROBLEM_MESSAGE) };
}

/**
 * One line of the log for a send, with the phone number masked.
 *
 * @param ctx the mock's shared state (its log)
 * @param request the send
 * @param outcome what it got, such as `200 msg_…` or `422 unprocessable_entity`
 */
export function logLine(ctx: MockContext, request: SendRequest, outcome: string): void {
  ctx.log?.(`${request.method} ${request.path.replace(request.userId, maskUserId(request.userId))} -> ${outcome}`);
}

/**
 * Answers an error in Jelou's shape and records the rejection with its reasons, both bounded in size.
 *
 * @param ctx the mock's shared state
 * @param facts what is known of the request
 * @param status the HTTP status
 * @param code Jelou's error code
 * @param description what went wrong and what to do
 * @param problems the field problems, when any
 * @param headers extra headers (Retry-After, WWW-Authenticate, Allow, Connection)
 * @returns the answer to write
 */
export function refuse(
  ctx: MockContext,
  facts: Facts,
  status: number,
  code: string,
  description: string,
  problems?: FieldProblem[],
  headers?: Record<string, string>,
): SendAnswer {
  const { request } = facts;
  const said = within(description, MAX_DESCRIPTION);
  const listed = problems?.map(boundProblem);
  const rejection: Parameters<MockContext["inbox"]["reject"]>[0] = {
    method: request.method,
    path: keptCopy(request.path, MAX_REQUEST_PATH),
    status,
    code,
    description: said,
    botId: keptCopy(request.botId, MAX_ID),
    userId: keptCopy(request.userId, MAX_ID),
  };
  if (listed !== undefined) rejection.problems = listed;
  if (facts.clientId !== undefined) rejection.clientId = facts.clientId;
  if (facts.fault !== undefined) rejection.fault = facts.fault;
  if (facts.body !== undefined) rejection.body = excerpt(facts.body, MAX_KEPT_BODY);
  ctx.inbox.reject(rejection);
  logLine(ctx, request, `${status} ${code}`);
  const body = jelouErrorText(code, said, listed);
  return {
    status,
    headers: { ...JSON_HEADERS, "content-length": String(Buffer.byteLength(body)), "x-request-id": facts.requestId, ...headers },
    body,
  };
}

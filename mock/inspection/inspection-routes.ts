/** The inspection API under `/__mock/`, as mock/inspection/openapi.yaml describes it (the tests check every answer). */
import type { Context, Handler, Hono } from "hono";
import type { components } from "../../generated/mock/openapi.js";
import {
  validateListMessagesParameters,
  validateLatency,
  validateListRejectionsParameters,
  validateWaitForMessageParameters,
} from "../../generated/mock/validators.js";
import type { MockContext, MockEnv } from "../server/context.js";
import { assertValid, FaultSpecError } from "../faults/faults.js";
import { depthProblem } from "../server/request-body.js";
import { refuseForeignOrigin } from "../server/origin.js";
import { checkQuery } from "../server/query.js";
import { NOT_UTF8_DESCRIPTION, readBodyLimited } from "../server/request-body.js";
import { clip, jelouError, json } from "../server/responses.js";
import { endWithServer } from "../server/server-scope.js";
import type { InboxFilter } from "../types.js";

type Schemas = components["schemas"];
type Method = "GET" | "POST" | "PUT" | "DELETE";

/** The prefix of every inspection route. */
export const INSPECTION_PREFIX = "/__mock";
const DEFAULT_WAIT_MS = 5000;

/**
 * Registers the handlers of one path, and 405 with `Allow` for every other method. Every method but GET changes the
 * mock's state, and is refused to web pages of other origins.
 */
function route(app: Hono<MockEnv>, path: string, handlers: Partial<Record<Method, Handler<MockEnv>>>): void {
  const methods = Object.keys(handlers) as Method[];
  for (const method of methods) {
    const handler = handlers[method] as Handler<MockEnv>;
    const guarded: Handler<MockEnv> = (c, next) => refuseForeignOrigin(c, "change the mock's state") ?? handler(c, next);
    app.on(method, path, method === "GET" ? handler : guarded);
  }
  const allow = methods.includes("GET") ? [...methods, "HEAD"] : methods;
  const others = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"].filter((m) => !allow.includes(m));
  if (others.length > 0) {
    app.on(others, path, (c) =>
      jelouError(405, "method_not_allowed", `${c.req.method} is not allowed on ${path}; use ${allow.join(" or ")}.`, undefined, {
        allow: allow.join(", "),
      }),
    );
  }
}

/**
 * The JSON body of an inspection request, or the answer refusing it: 400 (not UTF-8, not JSON), 413, or 422 (too deep).
 * An `optional` body may be left out (it reads as `{}`), and must then say it is JSON when it is given (else 415).
 */
export async function readJson(
  c: Context<MockEnv>,
  limit: number,
  optional = false,
): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  const refuse = (...refusal: Parameters<typeof jelouError>) => ({ ok: false as const, response: jelouError(...refusal) });
  const read = await readBodyLimited(c.req.raw, limit);
  if (!read.ok && "notUtf8" in read) return refuse(400, "invalid_json", NOT_UTF8_DESCRIPTION);
  const tooLarge = `The body is over the limit of ${limit} bytes.`;
  if (!read.ok) return refuse(413, "payload_too_large", tooLarge, undefined, { connection: "close" });
  if (optional && read.text.trim() === "") return { ok: true, value: {} };
  const type = c.req.header("content-type") ?? "";
  if (optional && !/^application\/json\b/i.test(type)) {
    const description = `Content-Type is ${clip(type || "missing")}; send Content-Type: application/json.`;
    return refuse(415, "unsupported_media_type", description);
  }
  let value: unknown;
  try {
    value = JSON.parse(read.text);
  } catch (error) {
    return refuse(400, "invalid_json", `The body is not valid JSON: ${clip((error as Error).message, 200)}. Send a JSON object.`);
  }
  // Before the schema: its validator and every answer that shows the value walk it recursively.
  const deep = depthProblem(value, read.text.length);
  return deep === undefined ? { ok: true, value } : refuse(422, "unprocessable_entity", deep.message, [deep]);
}

function badQuery(problems: { path: string; rule: string; message: string }[]): Response {
  return jelouError(400, "invalid_query", `The query is not valid: ${problems.map((p) => p.message).join(" ")}`, problems);
}

/** 400 when `since` is neither a time nor an id: the inbox throws a TypeError. */
function badSince(error: unknown): Response {
  if (!(error instanceof TypeError)) throw error;
  return badQuery([{ path: "since", rule: "format", message: error.message }]);
}

/** A listing of the inbox, filtered by its query. */
function listing(validator: Parameters<typeof checkQuery>[1], list: (filter: InboxFilter) => unknown): Handler<MockEnv> {
  return (c) => {
    const query = checkQuery<InboxFilter>(c.req.query(), validator, ["limit"]);
    if (!query.ok) return badQuery(query.problems);
    try {
      return json(200, list(query.value));
    } catch (error) {
      return badSince(error);
    }
  };
}

/** Health, messages (list, get, wait, clear), rejections, faults, chaos, latency and bots. */
export function mountInspectionRoutes(app: Hono<MockEnv>, ctx: MockContext): void {
  const { inbox, faults } = ctx;
  const p = INSPECTION_PREFIX;
  // Reads a setting and applies it, answering 422 with the field problems when mock/inspection/openapi.yaml refuses it.
  const setting = (status: number, apply: (value: never) => unknown): Handler<MockEnv> => async (c) => {
    const body = await readJson(c, ctx.bodyLimitBytes);
    if (!body.ok) return body.response;
    try {
      return json(status, apply(body.value as never));
    } catch (error) {
      if (!(error instanceof FaultSpecError)) throw error;
      return jelouError(422, "unprocessable_entity", error.message, error.problems);
    }
  };

  route(app, `${p}/health`, {
    GET: () => {
      const uptimeMs = Math.round(Date.now() - ctx.startedAt.getTime());
      const health: Schemas["Health"] = { status: "ok", startedAt: ctx.startedAt.toISOString(), uptimeMs, inbox: inbox.stats() };
      return json(200, health);
    },
  });

  route(app, `${p}/messages`, {
    GET: listing(validateListMessagesParameters, (filter) => inbox.query(filter) satisfies Schemas["MessageList"]),
    DELETE: () => json(200, { cleared: inbox.clear() } satisfies Schemas["Cleared"]),
  });

  // `wait` is served by the `:id` route: a static segment beside a parameter at the same place makes Hono fall back
  // from its RegExpRouter to the slower TrieRouter for every route, the send route included.
  const waitForMessage = async (c: Context<MockEnv>): Promise<Response> => {
    const query = checkQuery<InboxFilter & { timeoutMs?: number }>(c.req.query(), validateWaitForMessageParameters, [
      "timeoutMs",
    ]);
    if (!query.ok) return badQuery(query.problems);
    const { timeoutMs = DEFAULT_WAIT_MS, ...filter } = query.value;
    // A long-poll ends with 204 when the server it came through closes, which then need not wait for its timeout.
    const serverClosing = new AbortController();
    const forget = endWithServer(ctx, c, () => serverClosing.abort());
    const signal = AbortSignal.any([c.req.raw.signal, serverClosing.signal]);
    try {
      const message = await inbox.waitFor({ ...filter, timeoutMs, signal });
      return message === undefined ? new Response(null, { status: 204 }) : json(200, message);
    } catch (error) {
      return badSince(error);
    } finally {
      forget();
    }
  };

  route(app, `${p}/messages/:id`, {
    GET: (c) => {
      const id = c.req.param("id") as string;
      if (id === "wait") return waitForMessage(c);
      const message = inbox.get(id);
      if (message === undefined) {
        const held = `No message ${clip(id, 40)} in the inbox (it may have been evicted or cleared)`;
        const what = id === "latest" ? "The inbox is empty" : held;
        return jelouError(404, "not_found", `${what}. List the messages with GET ${p}/messages.`);
      }
      return json(200, message);
    },
  });

  route(app, `${p}/rejections`, {
    GET: listing(validateListRejectionsParameters, (filter) => inbox.queryRejections(filter) satisfies Schemas["RejectionList"]),
  });

  route(app, `${p}/faults`, {
    GET: () => json(200, { faults: faults.list() } satisfies Schemas["FaultList"]),
    POST: setting(201, (spec: Schemas["FaultSpec"]) => faults.add(spec)),
    DELETE: () => json(200, { cleared: faults.clear() } satisfies Schemas["Cleared"]),
  });

  route(app, `${p}/chaos`, {
    GET: () => json(200, faults.chaosState()),
    PUT: setting(200, (settings: Schemas["ChaosSettings"]) => faults.chaos(settings)),
    DELETE: () => json(200, faults.chaos(null)),
  });

  route(app, `${p}/latency`, {
    GET: () => json(200, { latencyMs: faults.latencyMs } satisfies Schemas["Latency"]),
    PUT: setting(200, (value) => {
      faults.setLatency(assertValid(validateLatency, value).latencyMs);
      return { latencyMs: faults.latencyMs } satisfies Schemas["Latency"];
    }),
  });

  route(app, `${p}/bots`, {
    GET: () => {
      const state: Schemas["BotsState"] =
        ctx.registry === undefined ? { enforced: false } : { enforced: true, registry: ctx.registry.snapshot };
      return json(200, state);
    },
  });
}

import type { Context, Handler, Hono } from "hono";
import type { components } from "../generated/mock/openapi.js";
import {
  validateListMessagesParameters,
  validateLatency,
  validateListRejectionsParameters,
  validateWaitForMessageParameters,
} from "../generated/mock/validators.js";
import type { MockContext, MockEnv } from "./context.js";
import { assertValid, FaultSpecError } from "./faults.js";
import { depthProblem } from "./nesting.js";
import { refuseForeignOrigin } from "./origin.js";
import { checkQuery } from "./query.js";
import { NOT_UTF8_DESCRIPTION, readBodyLimited } from "./read-body.js";
import { clip, jelouError, json } from "./responses.js";
import { endWithServer } from "./server-scope.js";
import type { InboxFilter } from "./types.js";

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
    app.on(method, path, method === "GET" ? handler : (c, next) => refuseForeignOrigin(c, "change the mock's state") ?? handler(c, next));
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

/** The JSON body of an inspection request, or the 400 (not JSON, not UTF-8), 413 or 422 (too deep) that answers it. */
async function readJson(c: Context<MockEnv>, limit: number): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  const read = await readBodyLimited(c.req.raw, limit);
  if (!read.ok && "notUtf8" in read) return { ok: false, response: jelouError(400, "invalid_json", NOT_UTF8_DESCRIPTION) };
  if (!read.ok) {
    const response = jelouError(413, "payload_too_large", `The body is over the limit of ${limit} bytes.`, undefined, {
      connection: "close",
    });
    return { ok: false, response };
  }
  let value: unknown;
  try {
    value = JSON.parse(read.text);
  } catch (error) {
    const reason = clip((error as Error).message, 200);
    return { ok: false, response: jelouError(400, "invalid_json", `The body is not valid JSON: ${reason}. Send a JSON object.`) };
  }
  // Before the schema: its validator and every answer that shows the value walk it recursively.
  const deep = depthProblem(value, read.text.length);
  if (deep !== undefined) return { ok: false, response: jelouError(422, "unprocessable_entity", deep.message, [deep]) };
  return { ok: true, value };
}

/** Runs a setter that validates with mock/openapi.yaml, answering 422 with the field problems when it refuses. */
function applying<T>(status: number, apply: () => T): Response {
  try {
    return json(status, apply());
  } catch (error) {
    if (error instanceof FaultSpecError) {
      return jelouError(422, "unprocessable_entity", error.message, error.problems);
    }
    throw error;
  }
}

function badQuery(problems: { path: string; rule: string; message: string }[]): Response {
  return jelouError(400, "invalid_query", `The query is not valid: ${problems.map((p) => p.message).join(" ")}`, problems);
}

/** Runs an inbox query, answering 400 when `since` is neither a time nor an id. */
function querying(run: () => unknown): Response {
  try {
    return json(200, run());
  } catch (error) {
    if (error instanceof TypeError) {
      return badQuery([{ path: "since", rule: "format", message: error.message }]);
    }
    throw error;
  }
}

/**
 * Mounts the inspection API described in mock/openapi.yaml: health, messages (list, get, wait, clear), rejections,
 * faults, chaos, latency and bots.
 *
 * @param app the mock's app
 * @param ctx the shared state
 */
export function mountInspectionRoutes(app: Hono<MockEnv>, ctx: MockContext): void {
  const { inbox, faults } = ctx;
  const p = INSPECTION_PREFIX;

  route(app, `${p}/health`, {
    GET: () => {
      const health: Schemas["Health"] = {
        status: "ok",
        startedAt: ctx.startedAt.toISOString(),
        uptimeMs: Math.round(Date.now() - ctx.startedAt.getTime()),
        inbox: inbox.stats(),
      };
      return json(200, health);
    },
  });

  route(app, `${p}/messages`, {
    GET: (c) => {
      const query = checkQuery<InboxFilter>(c.req.query(), validateListMessagesParameters, ["limit"]);
      if (!query.ok) return badQuery(query.problems);
      return querying(() => inbox.query(query.value) satisfies Schemas["MessageList"]);
    },
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
    const wait = new AbortController();
    const gone = c.req.raw.signal;
    const leave = () => wait.abort();
    gone.addEventListener("abort", leave, { once: true });
    // A long-poll ends with 204 when the server it came through closes, which then need not wait for its timeout.
    const forget = endWithServer(ctx, c, leave);
    try {
      const message = await inbox.waitFor({ ...filter, timeoutMs, signal: gone.aborted ? gone : wait.signal });
      return message === undefined ? new Response(null, { status: 204 }) : json(200, message);
    } catch (error) {
      if (error instanceof TypeError) return badQuery([{ path: "since", rule: "format", message: error.message }]);
      throw error;
    } finally {
      forget();
      gone.removeEventListener("abort", leave);
    }
  };

  route(app, `${p}/messages/:id`, {
    GET: (c) => {
      const id = c.req.param("id") as string;
      if (id === "wait") return waitForMessage(c);
      const message = inbox.get(id);
      if (message === undefined) {
        const what = id === "latest" ? "The inbox is empty" : `No message ${clip(id, 40)} in the inbox (it may have been evicted or cleared)`;
        return jelouError(404, "not_found", `${what}. List the messages with GET ${p}/messages.`);
      }
      return json(200, message);
    },
  });

  route(app, `${p}/rejections`, {
    GET: (c) => {
      const query = checkQuery<InboxFilter>(c.req.query(), validateListRejectionsParameters, ["limit"]);
      if (!query.ok) return badQuery(query.problems);
      return querying(() => inbox.queryRejections(query.value) satisfies Schemas["RejectionList"]);
    },
  });

  route(app, `${p}/faults`, {
    GET: () => json(200, { faults: faults.list() } satisfies Schemas["FaultList"]),
    POST: async (c) => {
      const body = await readJson(c, ctx.bodyLimitBytes);
      if (!body.ok) return body.response;
      return applying(201, () => faults.add(body.value as Schemas["FaultSpec"]));
    },
    DELETE: () => json(200, { cleared: faults.clear() } satisfies Schemas["Cleared"]),
  });

  route(app, `${p}/chaos`, {
    GET: () => json(200, faults.chaosState()),
    PUT: async (c) => {
      const body = await readJson(c, ctx.bodyLimitBytes);
      if (!body.ok) return body.response;
      return applying(200, () => faults.chaos(body.value as Schemas["ChaosSettings"]));
    },
    DELETE: () => json(200, faults.chaos(null)),
  });

  route(app, `${p}/latency`, {
    GET: () => json(200, { latencyMs: faults.latencyMs } satisfies Schemas["Latency"]),
    PUT: async (c) => {
      const body = await readJson(c, ctx.bodyLimitBytes);
      if (!body.ok) return body.response;
      return applying(200, () => {
        faults.setLatency(assertValid(validateLatency, body.value).latencyMs);
        return { latencyMs: faults.latencyMs } satisfies Schemas["Latency"];
      });
    },
  });

  route(app, `${p}/bots`, {
    GET: () => {
      const state: Schemas["BotsState"] =
        ctx.registry === undefined ? { enforced: false } : { enforced: true, registry: ctx.registry.snapshot };
      return json(200, state);
    },
  });
}

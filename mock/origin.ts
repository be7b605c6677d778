import type { Context } from "hono";
import { clip, jelouError } from "./responses.js";

/**
 * Refuses a state-changing request made by a web page of another origin. A POST with a `text/plain` body, or none, is
 * a "simple" cross-origin request that browsers send without asking first: without this check, any web page open in the
 * developer's browser could script the local mock's faults, clear its inbox or fire webhooks at their handler.
 * Requests without an `Origin` header (curl, the client, tests) and the inbox page's own pass.
 *
 * @param c the request's context
 * @param action what the request would do, completing "Requests from X may not …"
 * @returns the 403 `forbidden_origin` answer, or undefined when the request may go ahead
 * @example
 * ```ts
 * app.post("/__mock/faults", (c) => refuseForeignOrigin(c, "change the mock's state") ?? addFault(c));
 * ```
 */
export function refuseForeignOrigin(c: Context, action: string): Response | undefined {
  const origin = c.req.header("origin");
  if (origin === undefined || origin === new URL(c.req.url).origin) return undefined;
  return jelouError(403, "forbidden_origin", `Requests from ${clip(origin)} may not ${action}; use the inbox page or call from a server.`);
}

import { isIP } from "node:net";
import type { Context } from "hono";
import type { MockContext, MockEnv } from "./context.js";
import { clip, jelouError } from "./responses.js";
import { scopeOf } from "./server-scope.js";

/**
 * Refuses a state-changing request made by a web page of another origin. A POST with a `text/plain` body, or none, is
 * a "simple" cross-origin request that browsers send without asking first: without this check, any web page open in the
 * developer's browser could script the local mock's faults, clear its inbox or fire webhooks at their handler.
 * Requests without an `Origin` header (curl, the client, tests) and the inbox page's own pass. It trusts the Host
 * header, which {@link refuseForeignHost} has checked first.
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

/** The hostname of a Host header, lower-cased, without its port; undefined when it is not a plain host[:port]. */
function hostnameOf(host: string): string | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::[0-9]{1,5})?$/i.exec(host);
  return match?.[1]?.toLowerCase();
}

/** Names no web page can point at the mock: IP literals and localhost (browsers resolve it to loopback themselves). */
function isTrustedName(hostname: string, listening: string | undefined): boolean {
  if (hostname.startsWith("[") ? isIP(hostname.slice(1, -1)) === 6 : isIP(hostname) === 4) return true;
  if (hostname === "localhost" || hostname.endsWith(".localhost")) return true;
  return listening !== undefined && hostname === listening.toLowerCase();
}

/**
 * Refuses a browser's request whose Host names the mock by a name other than an IP, localhost or the hostname it
 * listens on. Through DNS rebinding, a web page at `http://rebind.example:4010` can have its own name resolve to
 * 127.0.0.1: its requests are then same-origin to the browser (Origin and Host agree), so the origin check alone would
 * let it read the inbox and change the mock's state. Only browsers are refused (they send `Origin` or
 * `Sec-Fetch-Site`): a test runner in another container may well reach the mock by a DNS name. Requests without a
 * Host header (in-process) pass.
 *
 * @param ctx the mock's shared state (the hostname each server listens on)
 * @param c the request's context
 * @returns the 403 `forbidden_host` answer, or undefined when the request may go ahead
 * @example
 * ```ts
 * app.use("/__mock/*", async (c, next) => refuseForeignHost(ctx, c) ?? (await next()));
 * ```
 */
export function refuseForeignHost(ctx: MockContext, c: Context<MockEnv>): Response | undefined {
  const host = c.req.header("host");
  if (host === undefined) return undefined;
  if (c.req.header("origin") === undefined && c.req.header("sec-fetch-site") === undefined) return undefined;
  const hostname = hostnameOf(host);
  if (hostname !== undefined && isTrustedName(hostname, scopeOf(ctx, c)?.hostname)) return undefined;
  const port = c.env?.incoming?.socket?.localPort;
  const where = port === undefined ? "http://127.0.0.1 or http://localhost" : `http://127.0.0.1:${port} or http://localhost:${port}`;
  return jelouError(
    403,
    "forbidden_host",
    `Host ${clip(host)} is not a name of this mock: a web page may be reaching it by DNS rebinding. Open the mock at ${where}.`,
  );
}

import { isIP } from "node:net";
import type { Context } from "hono";
import type { MockContext, MockEnv } from "./context.js";
import { clip, jelouError } from "./responses.js";
import { scopeOf } from "./server-scope.js";

/** A `text/plain` POST from another origin's page is sent without asking first; no `Origin` (curl, tests) passes. */
export function refuseForeignOrigin(c: Context, action: string): Response | undefined {
  const origin = c.req.header("origin");
  if (origin === undefined || origin === new URL(c.req.url).origin) return undefined;
  const description = `Requests from ${clip(origin)} may not ${action}; use the inbox page or call from a server.`;
  return jelouError(403, "forbidden_origin", description);
}

/** A Host header's shape: a name or a bracketed IPv6 literal, then an optional port. */
const HOST_SHAPE = /^(?:\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::[0-9]{1,5})?$/i;

/** The hostname of a Host as a browser serialises it (`127.1` read as `127.0.0.1`), without port or trailing dot. */
function hostnameOf(host: string): string | undefined {
  const url = `http://${host}`;
  return HOST_SHAPE.test(host) && URL.canParse(url) ? new URL(url).hostname.replace(/\.$/, "") : undefined;
}

/** An address as a Host names it: an IPv6 literal in brackets. */
function bracketed(address: string): string {
  return isIP(address) === 6 ? `[${address}]` : address;
}

/** Names no web page can point at the mock by DNS: an IP literal is never rebound, localhost resolves to loopback. */
function isTrustedName(hostname: string, trusted: (string | undefined)[], allowed: ReadonlySet<string>): boolean {
  if (isIP(hostname) === 4 && hostname.startsWith("127.")) return true;
  if (hostname === "[::1]" || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(hostname)) return true;
  if (hostname === "localhost" || hostname.endsWith(".localhost") || allowed.has(hostname)) return true;
  return trusted.some((address) => address !== undefined && hostname === hostnameOf(bracketed(address)));
}

/** Reads `allowedHosts` as a Host is read; an entry with a scheme or a port is a TypeError. */
export function allowedHostSet(names: readonly string[] = []): ReadonlySet<string> {
  return new Set(
    names.map((name, i) => {
      // A port is refused rather than dropped: `name:8080` would otherwise admit the name on every port.
      const plain = typeof name === "string" && (isIP(name) === 6 || /^\[[^\]]*\]$/.test(name) || !name.includes(":"));
      const hostname = plain ? hostnameOf(bracketed(name)) : undefined;
      if (hostname === undefined || hostname === "") {
        const shown = clip(JSON.stringify(name) ?? String(name));
        const fix = 'give a hostname or IP without scheme or port, such as "jelou-mock" or "192.168.1.20".';
        throw new TypeError(`allowedHosts[${i}] is ${shown}: ${fix}`);
      }
      return hostname;
    }),
  );
}

/** Closes DNS rebinding over HTTP: every Host line, and an absolute-form target, must be a trusted name. */
export function refuseForeignHost(ctx: MockContext, c: Context<MockEnv>): Response | undefined {
  const incoming = c.env?.incoming;
  if (incoming === undefined) return undefined;
  const local = incoming.socket?.localAddress;
  // A server on `::` sees a connection to a.b.c.d at `::ffff:a.b.c.d`.
  const trusted = [scopeOf(ctx, c)?.hostname, local, local?.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, "$1")];
  const raw = incoming.rawHeaders;
  const hosts = raw.filter((line, i) => i % 2 === 1 && (raw[i - 1] as string).toLowerCase() === "host");
  // An absolute-form target (`GET http://name/…`) names the host too, and the adapter builds the URL from it.
  const absolute = incoming.url?.startsWith("/") === false ? incoming.url : undefined;
  // A target that does not parse is named as it is, and refused.
  const target = absolute === undefined ? [] : [URL.canParse(absolute) ? new URL(absolute).host : absolute];
  const foreign = [...hosts, ...target].find((name) => {
    const hostname = hostnameOf(name);
    return hostname === undefined || !isTrustedName(hostname, trusted, ctx.allowedHosts);
  });
  if (hosts.length === 1 && foreign === undefined) return undefined;
  const port = incoming.socket?.localPort;
  const at = port === undefined ? "" : `:${port}`;
  const where = `http://127.0.0.1${at} or http://localhost${at}`;
  const named =
    hosts.length === 0
      ? "A request without a Host header"
      : foreign === undefined
        ? `A request with ${hosts.length} Host headers`
        : `Host ${clip(foreign)}`;
  return jelouError(
    403,
    "forbidden_host",
    `${named} is not a name of this mock: a web page may be reaching it by DNS rebinding. Open the mock at ${where}, ` +
      "or start it with --allow-host NAME (option allowedHosts) to admit a container or LAN name.",
  );
}

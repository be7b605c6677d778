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
 */
export function refuseForeignOrigin(c: Context, action: string): Response | undefined {
  const origin = c.req.header("origin");
  if (origin === undefined || origin === new URL(c.req.url).origin) return undefined;
  return jelouError(403, "forbidden_origin", `Requests from ${clip(origin)} may not ${action}; use the inbox page or call from a server.`);
}

/** A Host header's shape: a name or a bracketed IPv6 literal, then an optional port. */
const HOST_SHAPE = /^(?:\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::[0-9]{1,5})?$/i;

/**
 * The hostname of a Host header as a browser serialises it (lower case, IPv6 compressed, `127.1` read as `127.0.0.1`),
 * without its port or a trailing dot; undefined when the header is not a plain host[:port].
 *
 * @param host the Host header's value
 * @returns the hostname, such as `localhost`, `127.0.0.1` or `[::1]`
 */
export function hostnameOf(host: string): string | undefined {
  if (!HOST_SHAPE.test(host)) return undefined;
  let hostname: string;
  try {
    hostname = new URL(`http://${host}`).hostname;
  } catch {
    return undefined;
  }
  return hostname.endsWith(".") ? hostname.slice(0, -1) : hostname;
}

/** Loopback IP literals: 127.0.0.0/8 and ::1 (with the IPv4-mapped form), which no DNS answer can stand for. */
function isLoopbackIp(hostname: string): boolean {
  if (isIP(hostname) === 4) return hostname.startsWith("127.");
  return hostname === "[::1]" || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(hostname);
}

/**
 * Names no web page can point at the mock: loopback IPs, localhost (browsers resolve it to loopback themselves), the
 * IP the connection came in on (an IP literal is never rebound), the hostname it listens on and the allowed hosts.
 */
function isTrustedName(hostname: string, trusted: Trusted): boolean {
  if (isLoopbackIp(hostname) || hostname === "localhost" || hostname.endsWith(".localhost")) return true;
  if (trusted.listening !== undefined && hostname === hostnameOf(bracketed(trusted.listening))) return true;
  const local = trusted.localAddress;
  if (local !== undefined && [local, unmapped(local)].some((address) => hostname === hostnameOf(bracketed(address)))) return true;
  return trusted.allowed.has(hostname);
}

/** An address as a Host names it: an IPv6 literal in brackets. */
function bracketed(address: string): string {
  return isIP(address) === 6 ? `[${address}]` : address;
}

/** The IPv4 form of a socket's address: a server listening on `::` sees a connection to a.b.c.d at `::ffff:a.b.c.d`. */
function unmapped(address: string): string {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}

/**
 * Reads the `allowedHosts` option: each a hostname or IP, without scheme or port, kept as {@link hostnameOf} reads a Host.
 *
 * @param names the option's value
 * @returns the names, normalised
 * @throws {TypeError} naming the entry that is not a plain hostname, and the fix
 */
export function allowedHostSet(names: readonly string[] = []): ReadonlySet<string> {
  const set = new Set<string>();
  for (const [i, name] of names.entries()) {
    // A port is refused rather than dropped: `name:8080` would otherwise admit the name on every port.
    const plain = typeof name === "string" && (isIP(name) === 6 || /^\[[^\]]*\]$/.test(name) || !name.includes(":"));
    const hostname = plain ? hostnameOf(bracketed(name)) : undefined;
    if (hostname === undefined || hostname === "") {
      throw new TypeError(
        `allowedHosts[${i}] is ${clip(JSON.stringify(name) ?? String(name))}: give a hostname or IP without scheme or port, such as "jelou-mock" or "192.168.1.20".`,
      );
    }
    set.add(hostname);
  }
  return set;
}

/**
 * Every Host line of a request, from the raw lines: Node keeps only the first of several in `headers.host`, so a
 * second, foreign one would go unseen (RFC 9112 has a server refuse a request with more than one).
 */
function hostLines(raw: readonly string[]): string[] {
  const hosts: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if ((raw[i] as string).toLowerCase() === "host") hosts.push(raw[i + 1] as string);
  return hosts;
}

/** The host[:port] of an absolute-form request target, or the target itself when it does not parse (then refused). */
function authorityOf(target: string): string {
  try {
    return new URL(target).host;
  } catch {
    return target;
  }
}

interface Trusted {
  listening: string | undefined;
  localAddress: string | undefined;
  allowed: ReadonlySet<string>;
}

/**
 * Refuses a request over HTTP whose Host names the mock by a name other than a loopback IP, localhost or `*.localhost`,
 * the IP the connection came in on, the hostname it listens on, or one of its `allowedHosts`. Through DNS rebinding,
 * a web page at `http://rebind.example:4010` can have its own name resolve to 127.0.0.1: its requests are then
 * same-origin to the browser, which sends neither `Origin` nor `Sec-Fetch-Site` on a same-origin GET, so the check
 * holds whatever other headers a request carries or lacks. A request without a Host header is refused too, and so are
 * one with two Host lines and one whose absolute-form target (`GET http://name/…`) names a host that is not trusted.
 * A test runner in another container that reaches the mock by a DNS name is admitted with `allowedHosts`
 * (`--allow-host NAME`).
 *
 * In-process requests (`mock.fetch`, `mock.app.fetch` without Node's bindings) are trusted whatever their URL's host:
 * no network and no browser is involved, and tests call `mock.fetch("http://mock/__mock/messages")`.
 *
 * @param ctx the mock's shared state (the hostname each server listens on, the allowed hosts)
 * @param c the request's context
 * @returns the 403 `forbidden_host` answer, or undefined when the request may go ahead
 */
export function refuseForeignHost(ctx: MockContext, c: Context<MockEnv>): Response | undefined {
  const incoming = c.env?.incoming;
  if (incoming === undefined) return undefined;
  const trusted: Trusted = { listening: scopeOf(ctx, c)?.hostname, localAddress: incoming.socket?.localAddress, allowed: ctx.allowedHosts };
  const hosts = hostLines(incoming.rawHeaders);
  // An absolute-form target (`GET http://name/…`) names the host too, and the adapter builds the URL from it.
  const target = incoming.url?.startsWith("/") === false ? authorityOf(incoming.url) : undefined;
  const foreign = [...hosts, ...(target === undefined ? [] : [target])].find((name) => {
    const hostname = hostnameOf(name);
    return hostname === undefined || !isTrustedName(hostname, trusted);
  });
  if (hosts.length === 1 && foreign === undefined) return undefined;
  const port = incoming.socket?.localPort;
  const where = port === undefined ? "http://127.0.0.1 or http://localhost" : `http://127.0.0.1:${port} or http://localhost:${port}`;
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

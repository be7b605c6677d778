import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import type { Hono } from "hono";
import type { MockContext, MockEnv } from "./context.js";
import { createHttpSendListener } from "./http-send-listener.js";
import type { ListenOptions, MockServer } from "./types.js";

/** How long `close` lets requests in flight (a long-poll, a hang) finish before closing their connections. */
const DRAIN_MS = 1000;
/**
 * How often a closing server closes the connections whose answers have finished. Node keeps a connection open after its
 * answer (keep-alive), and says nothing when one becomes idle; without this, any request in flight at `close` (an event
 * stream, a long-poll, a hang) held the server open for the whole drain.
 */
const SWEEP_MS = 10;

/**
 * Serves the app over HTTP.
 *
 * @param app the mock's app
 * @param ctx the mock's shared state: plain sends are answered from it directly, and its `onClose` callbacks run as soon
 *   as `close` is called, to end long-lived answers (the inbox page's event streams)
 * @param options port (default 0, any free port) and hostname (default 127.0.0.1)
 * @returns the base URL, the port, and `close`
 * @throws {Error} when the port cannot be listened on (EADDRINUSE, EACCES)
 */
export async function listenHttp(app: Hono<MockEnv>, ctx: MockContext, options: ListenOptions = {}): Promise<MockServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const server = createServer(createHttpSendListener(ctx, getRequestListener(app.fetch, { hostname })));
  // Node closes idle keep-alive sockets after 5 s; a pooled client (undici, so openapi-fetch and the jelou-flow client)
  // that writes its next request just as the server closes gets "other side closed". Outliving the client's own idle
  // timeout (4 s in undici) by far makes the client always the side that closes.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const close of ctx.onClose) close();
        const sweep = setInterval(() => server.closeIdleConnections(), SWEEP_MS);
        const force = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
        sweep.unref();
        force.unref();
        server.close(() => {
          clearInterval(sweep);
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

import { createServer, Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { getRequestListener } from "@hono/node-server";
import type { Hono } from "hono";
import type { MockContext, MockEnv } from "./context.js";
import { answerClientErrors, answerRequestErrors } from "./client-error.js";
import { createHttpSendListener } from "./http-send-listener.js";
import { anyServerOpen, type ServerScope } from "./server-scope.js";
import type { ListenOptions, MockServer } from "./types.js";

/** How long `close` lets requests in flight (a long-poll, a hang) finish before closing their connections. */
const DRAIN_MS = 1000;
/**
 * How often a closing server ends the connections that have become idle. Node keeps a connection open after its
 * answer (keep-alive), and says nothing when one becomes idle; without this, any request in flight at `close` (an event
 * stream, a long-poll, a hang) held the server open for the whole drain.
 */
const SWEEP_MS = 10;

/** Node's list of a server's connections, which its own `closeIdleConnections` reads (not a public API). */
interface ConnectionList {
  idle(): { socket?: Socket }[];
}

function connectionList(server: Server): ConnectionList | undefined {
  const key = Object.getOwnPropertySymbols(server).find((symbol) => symbol.description === "http.server.connections");
  const list = key === undefined ? undefined : (server as unknown as Record<symbol, Partial<ConnectionList>>)[key];
  return typeof list?.idle === "function" ? (list as ConnectionList) : undefined;
}

/**
 * Ends the connections of a closing server that carry no answer, after their written bytes. Node's own
 * `closeIdleConnections` destroys a connection as soon as its answer's `end()` was called: a large answer still queued
 * for a slow reader was cut (24.8 MB of messages truncated at 3.9 MB). Here a connection with an answer still being
 * written is only told to close after it (`Connection: close` when its head is not sent yet); once Node has written the
 * answer and let go of it, a later sweep ends the connection, which sends what is queued before closing.
 */
function endIdleConnections(server: Server, list: ConnectionList | undefined): void {
  // Without the list (Node changed its internals), Node's own sweep: prompt, at the risk of cutting a queued answer.
  if (list === undefined) return Server.prototype.closeIdleConnections.call(server);
  for (const { socket } of list.idle()) {
    if (socket === undefined || socket.writableEnded) continue;
    const answer = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (answer != null) answer.shouldKeepAlive = false;
    else socket.end();
  }
}

/**
 * Serves the app over HTTP.
 *
 * @param app the mock's app
 * @param ctx the mock's shared state: plain sends are answered from it directly; the server is entered in its `servers`,
 *   whose `onClose` callbacks run as soon as `close` is called, to end the long-lived answers that came through it
 * @param options port (default 0, any free port) and hostname (default 127.0.0.1)
 * @returns the base URL, the port, and `close`
 * @throws {Error} when the port cannot be listened on (EADDRINUSE, EACCES)
 */
export async function listenHttp(app: Hono<MockEnv>, ctx: MockContext, options: ListenOptions = {}): Promise<MockServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const server = createServer(createHttpSendListener(ctx, getRequestListener(app.fetch, { hostname, errorHandler: answerRequestErrors(ctx) })));
  answerClientErrors(server, ctx);
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
  const scope: ServerScope = { hostname, closing: false, onClose: new Set() };
  ctx.servers.set(server, scope);
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        scope.closing = true;
        for (const end of [...scope.onClose]) end();
        // Webhook deliveries and their retries end with the mock's last server: a stopped mock must not go on POSTing
        // to a receiver, but one of two servers closing leaves a mock that still serves. Not replies.close(): the mock
        // outlives its servers (in-process use, a later listen()), and its replies with it.
        if (!anyServerOpen(ctx)) ctx.replies.cancelDeliveries();
        const list = connectionList(server);
        // server.close() calls closeIdleConnections first: it must not cut answers still being written either.
        server.closeIdleConnections = () => endIdleConnections(server, list);
        const sweep = setInterval(() => endIdleConnections(server, list), SWEEP_MS);
        const force = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
        sweep.unref();
        force.unref();
        server.close(() => {
          clearInterval(sweep);
          clearTimeout(force);
          ctx.servers.delete(server);
          resolve();
        });
      });
      return closing;
    },
  };
}

import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { getRequestListener, RequestError } from "@hono/node-server";
import type { Hono } from "hono";
import type { MockContext, MockEnv, ServerScope } from "./context.js";
import { internalErrorResponse } from "./app.js";
import { jelouError, jelouErrorText } from "./responses.js";
import type { ListenOptions, MockServer } from "../types.js";

const unreadable = (reason: string): string =>
  `The request is not valid HTTP/1.1 (${reason}): the mock could not read it. ` +
  "Send a well-formed request, as any HTTP client does.";

/** Node's own statuses for the parser errors it names, as its default `clientError` answer gives them. */
const REFUSAL_OF: Record<string, [status: number, code: string, fix: string]> = {
  HPE_HEADER_OVERFLOW: [
    431,
    "headers_too_large",
    "Its request line and headers are over Node's limit (16 KiB by default); send shorter ones.",
  ],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [
    413,
    "payload_too_large",
    "Its chunk extensions are over Node's limit; send the body without them.",
  ],
  ERR_HTTP_REQUEST_TIMEOUT: [408, "request_timeout", "It did not arrive in time; send the whole request at once."],
};

/** Node answers what its parser refuses, and an `Expect` but `100-continue`, without Jelou's shape or an X-Request-Id. */
function answerClientErrors(server: Server, ctx: MockContext): void {
  // With a listener, Node hands such a request here instead of answering 417 itself; the request is never served.
  server.on("checkExpectation", (_incoming: IncomingMessage, outgoing: ServerResponse) => {
    const description = "The mock meets only Expect: 100-continue; send the request without this Expect header.";
    const body = jelouErrorText("expectation_failed", description);
    const length = Buffer.byteLength(body);
    outgoing.writeHead(417, {
      "content-type": "application/json",
      "content-length": length,
      "x-request-id": ctx.requestIds.next("req"),
      connection: "close",
    });
    outgoing.end(body);
  });
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    // A reset or a half-written answer leaves no one to answer, or no clean place to start one.
    if (error.code === "ECONNRESET" || !socket.writable || socket.bytesWritten > 0) {
      socket.destroy();
      return;
    }
    const known = REFUSAL_OF[error.code ?? ""];
    const [status, code] = known ?? [400, "bad_request"];
    const description =
      known === undefined ? unreadable(error.code ?? "parse error") : `The mock could not read the request. ${known[2]}`;
    const body = jelouErrorText(code, description);
    const length = Buffer.byteLength(body);
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n` +
        `X-Request-Id: ${ctx.requestIds.next("req")}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

/** A request the adapter cannot turn into a URL (a Host port out of range, `OPTIONS *`) is a 400, not a bare one. */
function answerRequestErrors(ctx: MockContext): (error: unknown) => Response {
  return (error) => {
    if (!(error instanceof RequestError)) return internalErrorResponse(ctx, error);
    return jelouError(400, "bad_request", unreadable(error.message), undefined, { "x-request-id": ctx.requestIds.next("req") });
  };
}

/** How long `close` lets requests in flight (a long-poll, a hang) finish before closing their connections. */
const DRAIN_MS = 1000;

/** An open connection: the answers it is writing, and how many bytes it had read when it last had none. */
type Connection = { answering: Set<ServerResponse>; readWhenIdle: number };

/** Node's `closeIdleConnections`, which `close()` calls, cuts a connection whose answer is still queued: this ends it after. */
function closeGently(server: Server): () => void {
  const connections = new Map<Socket, Connection>();
  let closing = false;
  server.on("connection", (socket: Socket) => {
    connections.set(socket, { answering: new Set(), readWhenIdle: 0 });
    socket.once("close", () => connections.delete(socket));
  });
  server.on("request", (incoming: IncomingMessage, outgoing: ServerResponse) => {
    const connection = connections.get(incoming.socket);
    if (closing) outgoing.setHeader("connection", "close");
    connection?.answering.add(outgoing);
    // "finish": the whole answer has been handed to the operating system.
    outgoing.once("finish", () => {
      connection?.answering.delete(outgoing);
      if (connection === undefined || connection.answering.size > 0) return;
      connection.readWhenIdle = incoming.socket.bytesRead;
      if (closing) incoming.socket.end();
    });
  });
  return () => {
    closing = true;
    for (const [socket, { answering, readWhenIdle }] of connections) {
      for (const outgoing of answering) if (!outgoing.headersSent) outgoing.setHeader("connection", "close");
      // Bytes read since the last answer are a request still arriving: it is answered, then the connection ends.
      if (answering.size === 0 && socket.bytesRead === readWhenIdle) socket.end();
    }
  };
}

/** Serves the app through @hono/node-server; its scope in `ctx.servers` ends the long-lived answers on close. */
export async function listenHttp(app: Hono<MockEnv>, ctx: MockContext, options: ListenOptions = {}): Promise<MockServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const server = createServer(getRequestListener(app.fetch, { hostname, errorHandler: answerRequestErrors(ctx) }));
  answerClientErrors(server, ctx);
  server.closeIdleConnections = closeGently(server);
  // Outliving undici's own idle timeout (4 s) by far makes the client always the side that closes a kept-alive socket:
  // a pooled client that writes its next request just as the server closes gets "other side closed".
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
  const scope: ServerScope = { hostname, closing: false, onClose: new Set() };
  ctx.servers.set(server, scope);
  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        scope.closing = true;
        for (const end of [...scope.onClose]) end();
        // Deliveries end with the mock's last server; the mock itself outlives its servers (in-process, a later listen()).
        if (![...ctx.servers.values()].some((open) => !open.closing)) ctx.replies.cancelDeliveries();
        const force = setTimeout(() => server.closeAllConnections(), DRAIN_MS).unref();
        server.close(() => {
          clearTimeout(force);
          ctx.servers.delete(server);
          resolve();
        });
      });
      return closing;
    },
  };
}

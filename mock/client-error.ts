import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { RequestError } from "@hono/node-server";
import type { MockContext } from "./context.js";
import { jelouError, jelouErrorText } from "./responses.js";
import { internalError } from "./send-core.js";

/** The description of a 400 `bad_request`: a request that reached the mock but is not one it can read. */
function unreadable(reason: string): string {
  return `The request is not valid HTTP/1.1 (${reason}): the mock could not read it. Send a well-formed request, as any HTTP client does.`;
}

interface ParserRefusal {
  status: number;
  reason: string;
  code: string;
  /** What was wrong and what to do. */
  fix: string;
}

/** Node's own statuses for the parser errors it names, as its default `clientError` answer gives them. */
const REFUSAL_OF: Record<string, ParserRefusal> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    reason: "Request Header Fields Too Large",
    code: "headers_too_large",
    fix: "Its request line and headers are over Node's limit (16 KiB by default); send shorter ones.",
  },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: {
    status: 413,
    reason: "Payload Too Large",
    code: "payload_too_large",
    fix: "Its chunk extensions are over Node's limit; send the body without them.",
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    reason: "Request Timeout",
    code: "request_timeout",
    fix: "It did not arrive in time; send the whole request at once.",
  },
};

/**
 * Answers the requests Node's HTTP parser refuses before the app sees them (a Content-Length that is not a number, a
 * control character in a header, headers past its limit) and an `Expect` other than `100-continue` as every other
 * answer of the mock is given: a Jelou error body and an `X-Request-Id`. Node's default answers are a bare `400 Bad
 * Request` and `417 Expectation Failed` without either.
 *
 * @param server the mock's HTTP server
 * @param ctx the mock's shared state, whose request ids the answers take
 */
export function answerClientErrors(server: Server, ctx: MockContext): void {
  // With a listener, Node hands such a request here instead of answering 417 itself; the request is never served.
  server.on("checkExpectation", (_incoming: IncomingMessage, outgoing: ServerResponse) => {
    const body = jelouErrorText("expectation_failed", "The mock meets only Expect: 100-continue; send the request without this Expect header.");
    const requestId = ctx.requestIds.next("req");
    const length = Buffer.byteLength(body);
    outgoing.writeHead(417, { "content-type": "application/json", "content-length": length, "x-request-id": requestId, connection: "close" });
    outgoing.end(body);
  });
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    // A reset or a half-written answer leaves no one to answer, or no clean place to start one.
    if (error.code === "ECONNRESET" || !socket.writable || socket.bytesWritten > 0) {
      socket.destroy();
      return;
    }
    const known = REFUSAL_OF[error.code ?? ""];
    const { status, reason, code } = known ?? { status: 400, reason: "Bad Request", code: "bad_request" };
    const description = known === undefined ? unreadable(error.code ?? "parse error") : `The mock could not read the request. ${known.fix}`;
    const body = jelouErrorText(code, description);
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${ctx.requestIds.next("req")}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

/**
 * The `errorHandler` of @hono/node-server's listener: a request Node parsed but the adapter cannot turn into a URL (a
 * Host whose port is out of range, `OPTIONS *`, a backslash in the path) gets a 400 `bad_request` with an
 * `X-Request-Id` instead of the adapter's bare 400; anything else is the mock's own 500.
 *
 * @param ctx the mock's shared state, whose request ids the answers take
 * @returns the handler
 */
export function answerRequestErrors(ctx: MockContext): (error: unknown) => Response {
  return (error) => {
    if (!(error instanceof RequestError)) return internalErrorResponse(ctx, error);
    return jelouError(400, "bad_request", unreadable(error.message), undefined, { "x-request-id": ctx.requestIds.next("req") });
  };
}

/**
 * The mock's 500 for an error of its own, logged, as a Response with an `X-Request-Id`.
 *
 * @param ctx the mock's shared state (its log, its request ids)
 * @param error what was thrown
 * @returns the 500 answer
 */
export function internalErrorResponse(ctx: MockContext, error: unknown): Response {
  const answer = internalError(ctx, error);
  return new Response(answer.body, { status: answer.status, headers: { ...answer.headers, "x-request-id": ctx.requestIds.next("req") } });
}

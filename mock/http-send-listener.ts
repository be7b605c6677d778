import type { IncomingMessage, ServerResponse } from "node:http";
import type { MockContext } from "./context.js";
import { decodeBody, type BodyRead } from "./read-body.js";
import { handleSend, internalError, SEND_PATH, type SendAnswer, type SendRequest } from "./send-core.js";

type Listener = (incoming: IncomingMessage, outgoing: ServerResponse) => void;

/**
 * The plain sends this listener answers itself: POST, a path with no query and no percent-escapes (so Hono's decoding
 * would change nothing), and a Content-Length. Anything else goes to the Hono app, which answers the same through the
 * same {@link handleSend}.
 */
const PLAIN_SEND = new RegExp(`^${SEND_PATH.replace(/\{(\w+)\}/g, "(?<$1>[^/?#%]+)")}$`);

/**
 * A request header as the Fetch API reads it: every line of that name, joined with ", ". It is read from the raw lines,
 * not from `incoming.headers`: Node keeps only the first of a repeated `Authorization` or `Content-Type` there, so a
 * request with two would pass over HTTP and be refused in-process. Scanning the few raw lines also spares building the
 * headers object on every send.
 *
 * @param incoming Node's request
 * @param name the header's name in lower case
 */
export function headerOf(incoming: IncomingMessage, name: string): string | undefined {
  const lines = incoming.rawHeaders;
  let value: string | undefined;
  for (let i = 0; i < lines.length; i += 2) {
    const key = lines[i] as string;
    if (key.length !== name.length || key.toLowerCase() !== name) continue;
    const line = lines[i + 1] as string;
    value = value === undefined ? line : `${value}, ${line}`;
  }
  return value;
}

function write(outgoing: ServerResponse, answer: SendAnswer): void {
  if (answer.drop === true) {
    outgoing.socket?.destroy();
    return;
  }
  outgoing.writeHead(answer.status, answer.headers);
  outgoing.end(answer.body);
}

/**
 * Answers a plain send once its whole body has arrived, synchronously when nothing is scripted. The body is read
 * before anything else: a client that gives up during a scripted latency or hang has still sent its message, which is
 * then handled as Jelou would (Hono's adapter keeps such a body too). Node's HTTP parser holds the body to its
 * Content-Length, which was checked against the limit before the request came here. A client that leaves before the
 * end of its body gets no answer: there is no one to give it to.
 */
function answerSend(ctx: MockContext, incoming: IncomingMessage, outgoing: ServerResponse, botId: string, userId: string): void {
  const chunks: Buffer[] = [];
  incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
  incoming.on("end", () => {
    // A leading byte order mark is dropped there, as the Fetch API's text() drops it for the in-process app.
    const read: BodyRead = decodeBody(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    const request: SendRequest = {
      method: "POST",
      path: incoming.url as string,
      botId,
      userId,
      type: undefined,
      header: (name) => headerOf(incoming, name),
      readBody: () => read,
      overHttp: true,
    };
    let answer: SendAnswer | Promise<SendAnswer>;
    try {
      answer = handleSend(ctx, request);
    } catch (error) {
      answer = internalError(ctx, error);
    }
    if (answer instanceof Promise) {
      answer.then(
        (a) => write(outgoing, a),
        (error: unknown) => write(outgoing, internalError(ctx, error)),
      );
    } else write(outgoing, answer);
  });
}

/**
 * The mock's HTTP request listener. Plain sends are answered by calling {@link handleSend} directly from Node's
 * request, without building the Web Request and Response that Hono's adapter needs: on loopback that layer costs as
 * much again as all the checking and recording (see bench/RESULTS.md). Every other request, and every send that is
 * not plain, is passed to `fallback` (the Hono app), whose send route calls the same core.
 *
 * @param ctx the mock's shared state
 * @param fallback the Hono app's listener
 * @returns the listener to give `http.createServer`
 */
export function createHttpSendListener(ctx: MockContext, fallback: Listener): Listener {
  return (incoming, outgoing) => {
    const match = incoming.method === "POST" ? PLAIN_SEND.exec(incoming.url as string) : null;
    const length = match === null ? undefined : headerOf(incoming, "content-length");
    // The size check stays Hono's (413 with `Connection: close`); so do chunked bodies.
    if (match === null || length === undefined || !(Number(length) <= ctx.bodyLimitBytes)) {
      fallback(incoming, outgoing);
      return;
    }
    const { botId, userId } = match.groups as { botId: string; userId: string };
    answerSend(ctx, incoming, outgoing, botId, userId);
  };
}

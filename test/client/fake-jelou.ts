import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { JelouError } from "../../src/index.js";

/** A request the fake received, as it arrived. */
export interface ReceivedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/** Answers one request. */
export type Handler = (request: ReceivedRequest, res: ServerResponse) => void;

/** A small Jelou stand-in on 127.0.0.1, port 0: scripted answers, one per request, then `{}` with 200. */
export interface FakeJelou {
  url: string;
  received: ReceivedRequest[];
  /** Queues answers for the next requests, in order. */
  script(...handlers: Handler[]): void;
  /** Forgets received requests and queued answers. */
  reset(): void;
  close(): Promise<void>;
}

/** Answers with a JSON body. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
  return (_request, res) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };
}

/** Reads the whole request, then never answers (the client's timeout must end it). */
export const hang: Handler = () => undefined;

/** Reads the whole request, then drops the connection without an answer: the message may have been processed. */
export const dropAfterBody: Handler = (_request, res) => {
  res.socket?.destroy();
};

/** Starts a fake Jelou; close it in teardown. */
export async function startFakeJelou(): Promise<FakeJelou> {
  const received: ReceivedRequest[] = [];
  let queue: Handler[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request: ReceivedRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      received.push(request);
      (queue.shift() ?? json(200, {}, { "x-request-id": `req_${received.length}`, "x-message-id": `msg_${received.length}` }))(request, res);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    script: (...handlers) => queue.push(...handlers),
    reset: () => {
      received.length = 0;
      queue = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A message that satisfies every rule of the contract. */
export function validMessage() {
  return {
    botId: "bot-1",
    userId: "593987654321",
    title: "Hello",
    text: "Complete this flow to get started",
    caption: "Jelou",
    parameters: { flow_name: "welcome_flow", flow_cta: "Start Flow", flow_action_payload: { screen: "RECOMMEND" } },
  };
}

/** A TCP port on 127.0.0.1 that nothing listens on (a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Starts a fake Jelou for the current suite (closed after it, emptied before each test) and returns a handle that reads
 * through to it once started.
 */
export function useFakeJelou(): FakeJelou {
  let server: FakeJelou | undefined;
  beforeAll(async () => {
    server = await startFakeJelou();
  });
  afterAll(() => server?.close());
  beforeEach(() => server?.reset());
  const started = (): FakeJelou => {
    if (server === undefined) throw new Error("the fake Jelou starts in beforeAll; use it inside tests");
    return server;
  };
  return {
    get url() {
      return started().url;
    },
    get received() {
      return started().received;
    },
    script: (...handlers) => started().script(...handlers),
    reset: () => started().reset(),
    close: () => started().close(),
  };
}

/** The JelouError a send rejects with; throws when it resolves or rejects with anything else. */
export async function failure(promise: Promise<unknown>): Promise<JelouError> {
  try {
    await promise;
  } catch (error) {
    if (JelouError.is(error)) return error;
    throw error;
  }
  throw new Error("expected the send to fail");
}

import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createMockJelou, type MockJelou, type MockServer } from "../../mock/index.js";
import { AUTH, CLIENT_ID, CLIENT_SECRET, SEND_PATH, validMessage } from "./harness.js";

/**
 * `close` lets requests in flight finish for up to 1 s, then cuts their connections. Once nothing is in flight it must
 * not wait that long: a closed server whose answered connections stay kept-alive used to take the whole second.
 */
const WELL_BEFORE_THE_DRAIN_MS = 800;

async function closesBeforeTheDrain(server: MockServer): Promise<"closed" | "drained"> {
  let timer: NodeJS.Timeout | undefined;
  const drained = new Promise<"drained">((resolve) => {
    timer = setTimeout(() => resolve("drained"), WELL_BEFORE_THE_DRAIN_MS);
  });
  try {
    return await Promise.race([server.close().then(() => "closed" as const), drained]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once the inspection route has registered its long-poll: inbox.waitFor has returned. */
function waitRegistered(mock: MockJelou): Promise<void> {
  const { inbox } = mock;
  const original = inbox.waitFor.bind(inbox);
  return new Promise((resolve) => {
    vi.spyOn(inbox, "waitFor").mockImplementation((filter) => {
      const waiting = original(filter);
      resolve();
      return waiting;
    });
  });
}

describe("closing the HTTP server", () => {
  let mock: MockJelou;
  let server: MockServer;
  afterEach(async () => {
    vi.restoreAllMocks();
    await server.close();
  });

  async function start(): Promise<void> {
    mock = createMockJelou({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, env: false });
    server = await mock.listen();
  }

  it("ends open event streams and their connections", async () => {
    await start();
    const stream = await fetch(`${server.url}/__mock/ui/events`);
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    await reader.read(); // the first event: the stream is open
    expect(await closesBeforeTheDrain(server)).toBe("closed");
    let done = false;
    while (!done) ({ done } = await reader.read());
  });

  it("answers pending long-polls 204", async () => {
    await start();
    const registered = waitRegistered(mock);
    const waiting = fetch(`${server.url}/__mock/messages/wait?timeoutMs=60000`);
    await registered;
    expect(await closesBeforeTheDrain(server)).toBe("closed");
    expect((await waiting).status).toBe(204);
  });

  it("closes the connection of a request answered while closing", async () => {
    await start();
    mock.faults.add({ kind: "hang", delayMs: 100 });
    const sending = fetch(`${server.url}${SEND_PATH}`, {
      method: "POST",
      headers: { authorization: AUTH, "content-type": "application/json" },
      body: JSON.stringify(validMessage()),
    });
    // The fault is taken when the send is being handled: from then on the request is in flight.
    await vi.waitFor(() => expect(mock.faults.list()).toEqual([]), { interval: 5 });
    const closed = closesBeforeTheDrain(server);
    expect((await sending).status).toBe(200);
    expect(await closed).toBe("closed");
    expect(mock.inbox.stats().received).toBe(1);
  });
});

/** Fills the inbox so that listing it answers megabytes: more than the kernel holds for a reader that does not read. */
function fillInbox(mock: MockJelou): void {
  const body = { ...validMessage(), text: "x".repeat(1000) };
  for (let i = 0; i < 10_000; i++) mock.inbox.record({ botId: "b", userId: "593987654321", body } as never);
}

/** A raw connection; `read` resolves with all it received once the server has closed it. */
async function rawConnection(port: number): Promise<{ socket: Socket; read: Promise<Buffer> }> {
  const socket = connect(port, "127.0.0.1");
  await new Promise((resolve) => socket.once("connect", resolve));
  const chunks: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  const read = new Promise<Buffer>((resolve) => socket.once("close", () => resolve(Buffer.concat(chunks))));
  socket.on("error", () => undefined);
  return { socket, read };
}

/** Checks that an HTTP/1.1 answer holds its whole body, as its Content-Length says. */
function expectWhole(answer: Buffer): void {
  const headEnd = answer.indexOf("\r\n\r\n");
  const length = Number(/content-length: (\d+)/i.exec(answer.subarray(0, headEnd).toString("latin1"))?.[1]);
  // Listings carry at most LIST_BYTE_BUDGET (4 MiB): still far more than the socket buffers hold.
  expect(length).toBeGreaterThan(3_000_000);
  expect(answer.length - headEnd - 4).toBe(length);
}

describe("closing the HTTP server with answers still being written", () => {
  let server: MockServer | undefined;
  afterEach(() => server?.close());

  const LIST = "GET /__mock/messages?limit=10000 HTTP/1.1\r\n";

  it("delivers in full a large answer that a slow reader has not read yet", async () => {
    const mock = createMockJelou({ env: false, maxMessages: 10_000 });
    fillInbox(mock);
    server = await mock.listen();
    const { socket, read } = await rawConnection(server.port);
    // The head arrives once the whole answer has been handed to Node (one end() call): the reader then stops reading.
    const head = new Promise((resolve) => socket.once("data", resolve));
    socket.write(`${LIST}Host: 127.0.0.1\r\n\r\n`);
    await head;
    socket.pause();
    const closed = closesBeforeTheDrain(server);
    // A reader that takes its time, well within the drain; a closing server used to destroy the queued rest.
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.resume();
    expectWhole(await read);
    expect(await closed).toBe("closed");
  });

  it("answers in full a request that is still arriving when it closes", async () => {
    const mock = createMockJelou({ env: false, maxMessages: 10_000 });
    fillInbox(mock);
    server = await mock.listen();
    const { socket, read } = await rawConnection(server.port);
    socket.pause();
    socket.write(LIST);
    // An answer on another connection means the server has read this one's request line too: from then on the
    // connection is not idle, and must not be ended as if it were.
    expect((await fetch(`${server.url}/__mock/health`)).status).toBe(200);
    const closed = closesBeforeTheDrain(server);
    socket.write("Host: 127.0.0.1\r\n\r\n");
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.resume();
    expectWhole(await read);
    expect(await closed).toBe("closed");
  });

  it("resolves at once when a kept-alive connection is idle", async () => {
    const mock = createMockJelou({ env: false });
    server = await mock.listen();
    const { socket, read } = await rawConnection(server.port);
    const answered = new Promise((resolve) => socket.once("data", resolve));
    socket.write("GET /__mock/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    await answered;
    expect(await closesBeforeTheDrain(server)).toBe("closed");
    expect((await read).toString("latin1")).toMatch(/^HTTP\/1\.1 200 /);
  });
});

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

import { afterEach, describe, expect, it, vi } from "vitest";
import { createMockJelou, type MockJelou, type MockServer } from "../../mock/index.js";
import { AUTH, SEND_PATH, validMessage } from "./harness.js";

/** Resolves once `count` long-polls have registered with the inbox (inbox.waitFor has returned for each). */
function waitsRegistered(mock: MockJelou, count: number): Promise<void> {
  const { inbox } = mock;
  const original = inbox.waitFor.bind(inbox);
  let seen = 0;
  return new Promise((resolve) => {
    vi.spyOn(inbox, "waitFor").mockImplementation((filter) => {
      const waiting = original(filter);
      if (++seen === count) resolve();
      return waiting;
    });
  });
}

/** Reads an event stream until `text` has arrived, or rejects when it ends first. */
async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, text: string): Promise<void> {
  const decoder = new TextDecoder();
  let seen = "";
  while (!seen.includes(text)) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`the stream ended before ${JSON.stringify(text)}`);
    seen += decoder.decode(value, { stream: true });
  }
}

describe("closing one of a mock's servers", () => {
  let servers: MockServer[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    await Promise.all(servers.map((server) => server.close()));
    servers = [];
  });

  it("ends only what came through it: another server's long-polls and event streams, and in-process waits, go on", async () => {
    const mock = createMockJelou({ env: false });
    const [closing, staying] = (servers = [await mock.listen(), await mock.listen()]);
    if (closing === undefined || staying === undefined) throw new Error("two servers expected");
    const stream = await fetch(`${staying.url}/__mock/ui/events`);
    const events = (stream.body as ReadableStream<Uint8Array>).getReader();
    await readUntil(events, "event: hello");
    const registered = waitsRegistered(mock, 3);
    const wait = "/__mock/messages/wait?timeoutMs=60000";
    const [ended, overHttp, inProcess] = [
      fetch(`${closing.url}${wait}`),
      fetch(`${staying.url}${wait}`),
      mock.fetch(wait),
    ];
    await registered;

    await closing.close();
    expect((await ended).status).toBe(204);

    const sent = await fetch(`${staying.url}${SEND_PATH}`, {
      method: "POST",
      headers: { authorization: AUTH, "content-type": "application/json" },
      body: JSON.stringify(validMessage()),
    });
    expect(sent.status).toBe(200);
    const id = sent.headers.get("x-message-id");
    expect(((await (await overHttp).json()) as { id: string }).id).toBe(id);
    expect(((await (await inProcess).json()) as { id: string }).id).toBe(id);
    await readUntil(events, "event: message");

    await staying.close();
    let done = false;
    while (!done) ({ done } = await events.read());
  });
});

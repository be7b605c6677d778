/**
 * A message is rendered once, whatever the number of open inbox pages: every page's event stream gets the same
 * rendered event. MessageCard is wrapped to count its renders (the real component still renders).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { createMockJelou, type MockJelou } from "../../mock/index.js";
import { AUTH, CLIENT_ID, CLIENT_SECRET, SEND_PATH, validMessage } from "../mock/harness.js";

const renders = vi.hoisted(() => ({ count: 0 }));
vi.mock("../../mock/page/message-card.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../mock/page/message-card.js")>();
  return {
    ...original,
    MessageCard: (props: Parameters<typeof original.MessageCard>[0]) => {
      renders.count++;
      return original.MessageCard(props);
    },
  };
});

const STREAMS = 50;
const MESSAGES = 3;
const decoder = new TextDecoder();

/** Reads a stream until `text` has appeared `times` times, and returns what it read. */
async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, text: string, times: number): Promise<string> {
  let seen = "";
  while (seen.split(text).length - 1 < times) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`the stream ended after ${JSON.stringify(seen.slice(-200))}`);
    seen += decoder.decode(value);
  }
  return seen;
}

let mock: MockJelou | undefined;
let readers: ReadableStreamDefaultReader<Uint8Array>[] = [];
afterEach(async () => {
  await Promise.all(readers.map((reader) => reader.cancel().catch(() => undefined)));
  readers = [];
  mock?.replies.close();
  mock = undefined;
});

describe("the page's event streams", () => {
  it(`${STREAMS} open streams: each message rendered exactly once, and every stream receives it`, async () => {
    mock = createMockJelou({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, env: false });
    const m = mock;
    readers = await Promise.all(
      Array.from({ length: STREAMS }, async () => {
        const response = await m.fetch("/__mock/ui/events");
        expect(response.status).toBe(200);
        const reader = (response.body as ReadableStream<Uint8Array>).getReader();
        await readUntil(reader, "event: hello", 1);
        return reader;
      }),
    );
    renders.count = 0;
    const ids: string[] = [];
    for (let i = 0; i < MESSAGES; i++) {
      const sent = await m.fetch(SEND_PATH, {
        method: "POST",
        headers: { authorization: AUTH, "content-type": "application/json" },
        body: JSON.stringify(validMessage()),
      });
      expect(sent.status).toBe(200);
      ids.push(sent.headers.get("x-message-id") as string);
    }
    const received = await Promise.all(readers.map((reader) => readUntil(reader, "event: message", MESSAGES)));
    for (const text of received) for (const id of ids) expect(text).toContain(`"messageId":"${id}"`);
    expect(new Set(received).size).toBe(1);
    expect(renders.count).toBe(MESSAGES);
  });
});

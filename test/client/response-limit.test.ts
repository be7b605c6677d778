import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { createJelouClient, JelouError, type FlowMessageResult } from "../../src/index.js";
import { validMessage } from "./fake-jelou.js";

const MiB = 1024 * 1024;
const ZEROS = Buffer.alloc(MiB);
const servers: Server[] = [];

/** Zeros, for ever (a stream, so nothing is held beyond one chunk). */
function endlessZeros(): Readable {
  return new Readable({
    read() {
      this.push(ZEROS);
    },
  });
}

function ignore(): void {}

/** A server whose every answer is `answer(res)`; counts the POSTs it got. */
async function serve(answer: (res: ServerResponse) => void) {
  let posts = 0;
  const server = createServer((req, res) => {
    if (req.method === "POST") posts++;
    req.resume();
    req.on("end", () => answer(res));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, posts: () => posts };
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

function endless(status: number) {
  return (res: ServerResponse) => {
    res.writeHead(status, { "content-type": "application/json" });
    pipeline(endlessZeros(), res).catch(ignore);
  };
}

/** Gigabytes of zeros once inflated, a few MB on the wire, compressed as it is sent. */
const gzipBomb = (res: ServerResponse) => {
  res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
  pipeline(endlessZeros(), createGzip({ level: 1 }), res).catch(ignore);
};

/** Runs a send with RSS sampled every few milliseconds; the peak must stay within 64 MB of the start. */
async function boundedSend(url: string, maxResponseBytes?: number) {
  (globalThis as { gc?: () => void }).gc?.();
  const start = process.memoryUsage().rss;
  let peak = start;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const began = performance.now();
  const client = createJelouClient({ clientId: "id", clientSecret: "secret", baseUrl: url, timeoutMs: 2_500, maxResponseBytes });
  const outcome = await client.sendFlowMessage(validMessage()).then(
    (result: FlowMessageResult) => ({ result, error: undefined }),
    (error: unknown) => ({ result: undefined, error: error as JelouError }),
  );
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { ...outcome, ms: performance.now() - began, grewBy: peak - start };
}

describe("an answer is read up to maxResponseBytes", () => {
  it("an endless 200 is still a send, its body dropped, within 64 MB and well before the timeout", async () => {
    const server = await serve(endless(200));
    const { result, error, ms, grewBy } = await boundedSend(server.url);
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ status: 200, body: {}, attempts: 1, bodyTruncated: true });
    expect(server.posts()).toBe(1);
    expect(ms).toBeLessThan(1_500);
    expect(grewBy).toBeLessThan(64 * MiB);
  });

  it("a gzip bomb is counted after decompression and cut off", async () => {
    const server = await serve(gzipBomb);
    const { result, ms, grewBy } = await boundedSend(server.url);
    expect(result).toMatchObject({ status: 200, body: {}, bodyTruncated: true });
    expect(ms).toBeLessThan(1_500);
    expect(grewBy).toBeLessThan(64 * MiB);
  });

  it("an endless 500 keeps its status and kind", async () => {
    const server = await serve(endless(500));
    const { error, ms, grewBy } = await boundedSend(server.url);
    expect(error).toMatchObject({ kind: "server", status: 500, maybeSent: true, attempts: 1 });
    expect(server.posts()).toBe(1);
    expect(ms).toBeLessThan(1_500);
    expect(grewBy).toBeLessThan(64 * MiB);
  });

  it("a body within the limit is read whole, and says it was not cut", async () => {
    const server = await serve((res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ note: "x".repeat(100) }));
    });
    const { result } = await boundedSend(server.url, 1_000);
    expect(result?.body).toEqual({ note: "x".repeat(100) });
    expect(result?.bodyTruncated).toBeUndefined();
    const cut = await boundedSend(server.url, 50);
    expect(cut.result).toMatchObject({ status: 200, body: {}, bodyTruncated: true });
  });

  for (const bad of [0, -1, 1.5, Number.NaN, Infinity, "64k"]) {
    it(`refuses maxResponseBytes ${String(bad)} with a clear error`, () => {
      expect(() =>
        createJelouClient({ clientId: "id", clientSecret: "s", maxResponseBytes: bad as number }),
      ).toThrow(/maxResponseBytes must be a whole number of bytes >= 1/);
    });
  }
});

import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { createJelouClient } from "../../src/index.js";
import { startRedis, type RedisServer } from "../helpers/redis.js";
import { CREDENTIALS, httpMock, killAll, ROOT, startProcess, workspace } from "../cli/helpers.js";

import { phone } from "../cli/helpers.js";

export { CREDENTIALS, csvOf, inboxCounts, phone, TEMPLATE } from "../cli/helpers.js";

const WORKER = join(ROOT, "test/queue/fixtures/worker.ts");

/**
 * A Redis (persistent unless told otherwise: workers refuse one that is not), the mock over HTTP and a workspace for one
 * test file, all stopped in teardown, also when a test failed.
 */
export function useQueueWorld(options: { persistent?: boolean } = {}) {
  const world = {} as {
    redis: RedisServer;
    server: Awaited<ReturnType<typeof httpMock>>;
    ws: Awaited<ReturnType<typeof workspace>>;
  };
  beforeAll(async () => {
    [world.redis, world.server, world.ws] = await Promise.all([startRedis({ persistent: true, ...options }), httpMock(), workspace()]);
  });
  afterAll(async () => {
    killAll();
    await Promise.all([world.redis?.stop(), world.server?.close(), world.ws?.cleanup()]);
  });
  return world;
}

/** A client of the mock, as a worker builds from its environment. */
export const mockClient = (url: string) =>
  createJelouClient({
    clientId: CREDENTIALS.JELOU_CLIENT_ID,
    clientSecret: CREDENTIALS.JELOU_CLIENT_SECRET,
    baseUrl: url,
    env: {},
  });

type WorkerExtra = { exitWhenIdle?: boolean; stalledAfterMs?: number };

/** A worker in a process of its own (its own group), sending to the mock with the credentials of its environment. */
export function startWorker(queue: string, mockUrl: string, concurrency: number, extra: WorkerExtra = {}) {
  const args = ["--import", "tsx", WORKER, queue, String(concurrency), ...(extra.exitWhenIdle ? ["--exit-when-idle"] : [])];
  return startProcess(process.execPath, args, {
    ...CREDENTIALS,
    JELOU_BASE_URL: mockUrl,
    STALLED_AFTER_MS: String(extra.stalledAfterMs ?? 30_000),
  });
}

/** Waits until `check` holds, polling every 50 ms, for at most `timeoutMs`. */
export async function until(check: () => Promise<boolean> | boolean, timeoutMs = 30_000, what = "the condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A command's io with captured output, as `runCli` gets it. */
export function bufferIo(env: Record<string, string> = {}) {
  const out = { stdout: "", stderr: "" };
  return {
    out,
    io: {
      stdout: { write: (t: string) => (out.stdout += t) },
      stderr: { write: (t: string) => (out.stderr += t) },
      env,
      onInterrupt: () => () => undefined,
    },
  };
}

/** `n` recipients as rows, phone numbers from `phone(from)` on. */
export const rowsOf = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ userId: phone(from + i), name: `N${i}`, order: `A-${i}` }));

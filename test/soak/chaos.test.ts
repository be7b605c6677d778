/**
 * The short form of `npm run soak`'s chaos: 1,000 sends through the real client while the HTTP mock fails 20% of
 * requests at random from a seed (429, 500, 503, dropped connections). Every send ends in success or a typed JelouError,
 * no recipient is recorded twice, every success is recorded, and no send the client called safe to resend was recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runChaosSoak } from "../../bench/soak/chaos.js";
import { CLIENT_ID, CLIENT_SECRET } from "../../bench/lib/workload.js";
import { createMockJelou, type MockServer } from "../../mock/index.js";

describe("the client under seeded chaos", () => {
  let server: MockServer;
  beforeAll(async () => {
    server = await createMockJelou({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, env: false, maxMessages: 5_000 }).listen();
  });
  afterAll(() => server.close());

  it("ends each of 1,000 sends in success or a typed error, and sends no recipient twice", async () => {
    const sends = 1_000;
    const result = await runChaosSoak({ url: server.url, sends, probability: 0.2, seed: 20_261_124, concurrency: 8, durationMs: 30_000 });
    expect(result.timedOut).toBe(false);
    expect(result.untyped).toEqual([]);
    expect(result.duplicates).toEqual([]);
    expect(result.missing).toEqual([]);
    expect(result.recordedThoughSafe).toEqual([]);
    expect(result.evicted).toBe(0);
    const failed = Object.values(result.failedByKind).reduce((a, b) => a + b, 0);
    expect(result.succeeded + failed).toBe(sends);
    // The chaos really happened: about a fifth of the requests failed, and both kinds of ending were seen.
    expect(result.injected / result.decisions).toBeGreaterThan(0.15);
    expect(result.injected / result.decisions).toBeLessThan(0.25);
    expect(result.failedByKind.network).toBeGreaterThan(0);
    expect(result.failedByKind.server).toBeGreaterThan(0);
    expect(result.succeeded).toBeGreaterThan(sends / 2);
  }, 40_000);
});

/**
 * The short form of `npm run soak`'s load: 50 connections on the HTTP mock for two seconds; nothing may fail and nothing
 * may be lost: every 200 is a message the inbox recorded, still held or counted as evicted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runLoadSoak } from "../../bench/soak/load.js";
import { CLIENT_ID, CLIENT_SECRET } from "../../bench/lib/workload.js";
import { createMockJelou, type MockServer } from "../../mock/index.js";

describe("the HTTP mock under 50 connections", () => {
  let server: MockServer;
  beforeAll(async () => {
    // A small inbox, so that eviction happens during the run and its counting is checked too.
    server = await createMockJelou({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, env: false, maxMessages: 500 }).listen();
  });
  afterAll(() => server.close());

  it("answers every request 200 and accounts for each one in the inbox", async () => {
    const result = await runLoadSoak({ url: server.url, connections: 50, durationMs: 2_000, maxRequests: 40_000 });
    expect(result.errorSamples).toEqual([]);
    expect(result.errors).toBe(0);
    expect(Object.keys(result.statuses)).toEqual(["200"]);
    const ok = result.statuses[200] ?? 0;
    expect(ok).toBe(result.requests);
    expect(ok).toBeGreaterThan(500);
    expect(result.held + result.evicted).toBe(ok);
    expect(result.received).toBe(ok);
    expect(result.evicted).toBeGreaterThan(0);
  });
});

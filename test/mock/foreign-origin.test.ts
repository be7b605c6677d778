import { describe, expect, it } from "vitest";
import { validateMockError } from "../../generated/mock/validators.js";
import { MODES, send, useTarget } from "./harness.js";

const FOREIGN = "http://evil.example";

/** A request from a web page: a foreign one can send a text/plain POST without a preflight. */
function fromPage(method: string, body: unknown, origin: string, type = "text/plain"): RequestInit {
  return { method, headers: { "content-type": type, origin }, body: body === undefined ? undefined : JSON.stringify(body) };
}

const STATE_CHANGES: [string, string, unknown][] = [
  ["POST", "/__mock/faults", { kind: "rate_limit", times: 1000 }],
  ["DELETE", "/__mock/faults", undefined],
  ["PUT", "/__mock/chaos", { probability: 1, seed: 1 }],
  ["DELETE", "/__mock/chaos", undefined],
  ["PUT", "/__mock/latency", { latencyMs: 60000 }],
  ["DELETE", "/__mock/messages", undefined],
];

describe.each(MODES)("state-changing inspection routes and web pages of other origins (%s)", (mode) => {
  const target = useTarget(mode);
  const ownOrigin = () => target.url ?? "http://mock-jelou.local";

  it.each(STATE_CHANGES)("%s %s answers 403 forbidden_origin and changes nothing", async (method, path, body) => {
    target.mock.faults.clear();
    target.mock.faults.add({ kind: "server_error", botId: "untouched" });
    await send(target);
    const response = await target.call(path, fromPage(method, body, FOREIGN));
    expect(response.status).toBe(403);
    const error = (await response.json()) as { code: string; description: string };
    expect(validateMockError(error)).toBe(true);
    expect(error.code).toBe("forbidden_origin");
    expect(error.description).toContain(FOREIGN);
    expect(target.mock.faults.list()).toMatchObject([{ kind: "server_error", botId: "untouched" }]);
    expect(target.mock.faults.chaosState().enabled).toBe(false);
    expect(target.mock.faults.latencyMs).toBe(0);
    expect(target.mock.inbox.stats().messages).toBeGreaterThan(0);
  });

  it.each(STATE_CHANGES)("%s %s is served to the mock's own page", async (method, path, body) => {
    const response = await target.call(path, fromPage(method, body, ownOrigin(), "application/json"));
    expect(response.status).toBeLessThan(300);
    target.mock.faults.clear();
    target.mock.faults.chaos(null);
    target.mock.faults.setLatency(0);
  });

  it("still serves reads to any page (browsers keep the answer from a foreign page)", async () => {
    expect((await target.call("/__mock/faults", { headers: { origin: FOREIGN } })).status).toBe(200);
  });
});

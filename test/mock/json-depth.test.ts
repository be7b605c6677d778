/**
 * Every JSON the mock reads is held to the send path's depth cap (mock/server/request-body.ts): a 5,000-deep body gets the
 * contract's 422 with the rule `maxDepth`, never a 500, on every route that takes JSON, and in the bot registry.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { validateMockError } from "../../generated/mock/validators.js";
import { createMockJelou } from "../../mock/index.js";
import { MAX_NESTING } from "../../mock/server/request-body.js";
import { AUTH, CLIENT_ID, CLIENT_SECRET, SEND_PATH, validMessage } from "./harness.js";

const DEPTH = 5000;
const deep = "[".repeat(DEPTH) + "]".repeat(DEPTH);

const mock = createMockJelou({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, env: false });
const dir = mkdtempSync(join(tmpdir(), "json-depth-"));
afterAll(() => {
  mock.replies.close();
  rmSync(dir, { recursive: true, force: true });
});

const routes: [string, "POST" | "PUT", string, string][] = [
  ["/__mock/messages/latest/reply", "POST", `{"answers":{"date":${deep}}}`, "answers"],
  ["/__mock/faults", "POST", `{"kind":"hang","delayMs":${deep}}`, "delayMs"],
  ["/__mock/chaos", "PUT", `{"probability":${deep},"seed":1}`, "probability"],
  ["/__mock/latency", "PUT", `{"latencyMs":${deep}}`, "latencyMs"],
];

describe("a body nested 5,000 levels deep", () => {
  it.each(routes)("%s (%s) answers 422 maxDepth naming the field", async (path, method, body, field) => {
    const sent = await mock.fetch(SEND_PATH, {
      method: "POST",
      headers: { authorization: AUTH, "content-type": "application/json" },
      body: JSON.stringify(validMessage()),
    });
    expect(sent.status).toBe(200);
    const response = await mock.fetch(path, { method, headers: { "content-type": "application/json" }, body });
    expect(response.status).toBe(422);
    const error = (await response.json()) as { code: string; description: string; errors: { path: string; rule: string }[] };
    expect(validateMockError(error)).toBe(true);
    expect(error.code).toBe("unprocessable_entity");
    expect(error.errors).toEqual([expect.objectContaining({ path: field, rule: "maxDepth" })]);
    expect(error.description).toContain(`more than ${MAX_NESTING} levels`);
    expect(error.description).toContain("Flatten it");
  });

  it("a bot registry file that nests too deep is refused with the cap, not a schema error deep inside it", () => {
    const file = join(dir, "bots.json");
    writeFileSync(file, `{"bots":{"bot-1":{"flows":${deep}}}}`);
    expect(() => createMockJelou({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, env: false, bots: file })).toThrow(
      /bots\.json is not valid: bots nests more than 1000 levels deep/,
    );
  });
});

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMockJelou, type BotRegistry } from "../../mock/index.js";
import { AUTH, MODES, readAnswer, send, startTarget, type Target, USER, validMessage } from "./harness.js";

const REGISTRY: BotRegistry = {
  bots: {
    "cloud-bot": { provider: "whatsapp_cloud", flows: ["welcome_flow", "book_appointment"] },
    "any-flow-bot": { provider: "gupshup_capi" },
    "twilio-bot": { provider: "twilio", flows: ["welcome_flow"] },
    "private-bot": { provider: "aldeamo", clientIds: ["someone-else"] },
  },
};

const pathFor = (bot: string) => `/v1/bots/${bot}/users/${USER}/flow_message`;

describe.each(MODES)("the bot registry (%s)", (mode) => {
  let target: Target;
  let dir: string;
  beforeAll(async () => {
    // Through a JSON file, as `--bots FILE` gives it.
    dir = mkdtempSync(path.join(tmpdir(), "mock-bots-"));
    const file = path.join(dir, "bots.json");
    writeFileSync(file, JSON.stringify(REGISTRY));
    target = await startTarget(mode, { bots: file });
  });
  afterAll(async () => {
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("accepts a known bot and one of its Flows", async () => {
    expect((await readAnswer(await send(target, validMessage(), { path: pathFor("cloud-bot") }))).status).toBe(200);
  });

  it("accepts any Flow when the bot lists none", async () => {
    const body = { ...validMessage(), parameters: { flow_name: "anything", flow_cta: "Go" } };
    expect((await readAnswer(await send(target, body, { path: pathFor("any-flow-bot") }))).status).toBe(200);
  });

  it("answers 404 bot_not_found to an unknown bot", async () => {
    const answer = await readAnswer(await send(target, validMessage(), { path: pathFor("ghost-bot") }));
    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe("bot_not_found");
    expect(answer.body.description).toContain("ghost-bot");
  });

  it("answers 403 forbidden_bot when the client may not use the bot", async () => {
    const answer = await readAnswer(await send(target, validMessage(), { path: pathFor("private-bot") }));
    expect(answer.status).toBe(403);
    expect(answer.body.code).toBe("forbidden_bot");
  });

  it("answers 400 flows_not_supported to a bot on a provider without Flows", async () => {
    const answer = await readAnswer(await send(target, validMessage(), { path: pathFor("twilio-bot") }));
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe("flows_not_supported");
    expect(answer.body.description).toContain("twilio");
  });

  it("answers 422 flow_not_found naming parameters.flow_name and the bot's Flows", async () => {
    const body = { ...validMessage(), parameters: { flow_name: "welcome_flw", flow_cta: "Go" } };
    const answer = await readAnswer(await send(target, body, { path: pathFor("cloud-bot") }));
    expect(answer.status).toBe(422);
    expect(answer.body.code).toBe("flow_not_found");
    expect(answer.body.errors).toEqual([expect.objectContaining({ path: "parameters.flow_name", rule: "enum" })]);
    expect(answer.body.errors?.[0]?.message).toContain("welcome_flow, book_appointment");
  });

  it("checks the schema before the registry", async () => {
    const answer = await readAnswer(await send(target, { ...validMessage(), title: "" }, { path: pathFor("ghost-bot") }));
    expect(answer.status).toBe(422);
    expect(answer.body.code).toBe("unprocessable_entity");
  });

  it("checks credentials before the registry", async () => {
    const answer = await readAnswer(
      await send(target, validMessage(), { path: pathFor("ghost-bot"), headers: { authorization: AUTH.slice(0, -4) } }),
    );
    expect(answer.status).toBe(401);
  });

  it("shows the registry under /__mock/bots", async () => {
    expect(await (await target.call("/__mock/bots")).json()).toEqual({ enforced: true, registry: REGISTRY });
  });
});

describe("registry errors at creation", () => {
  it("names the field of an invalid registry", () => {
    expect(() => createMockJelou({ env: false, bots: { bots: { b: { flows: "welcome_flow" } } } as never })).toThrow(
      /bots\.b\.flows must be an array/,
    );
  });

  it("names a missing or broken file", () => {
    expect(() => createMockJelou({ env: false, bots: "/nonexistent/bots.json" })).toThrow(/Cannot read the bot registry/);
    const dir = mkdtempSync(path.join(tmpdir(), "mock-bots-"));
    const file = path.join(dir, "bots.json");
    writeFileSync(file, "{ nope");
    try {
      expect(() => createMockJelou({ env: false, bots: file })).toThrow(/is not JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { beforeEach, describe, expect, it } from "vitest";
import { createJelouClient, JelouError, type FlowMessageInput } from "../../src/index.js";
import { validMessage, useFakeJelou } from "./fake-jelou.js";

const jelou = useFakeJelou();
let fetchCalls = 0;
beforeEach(() => {
  fetchCalls = 0;
});

/** A client whose fetch counts calls before sending to the fake: zero means not one byte left the process. */
function client() {
  return createJelouClient({
    clientId: "id",
    clientSecret: "secret",
    baseUrl: jelou.url,
    fetch: (request) => {
      fetchCalls++;
      return fetch(request);
    },
  });
}

function withParameters(parameters: Record<string, unknown>): FlowMessageInput {
  const message = validMessage();
  return { ...message, parameters: { ...message.parameters, ...parameters } } as FlowMessageInput;
}

async function rejection(message: FlowMessageInput, options?: { type?: string }): Promise<JelouError> {
  const error = await client()
    .sendFlowMessage(message, options)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(error).toBeInstanceOf(JelouError);
  expect(fetchCalls).toBe(0);
  expect(jelou.received).toHaveLength(0);
  return error as JelouError;
}

const pad = (n: number, unit = "a") => unit.repeat(n);

describe("validation before sending", () => {
  const cases: [string, (n: number) => FlowMessageInput, number, string][] = [
    ["title", (n) => ({ ...validMessage(), title: pad(n) }), 60, "title"],
    ["caption", (n) => ({ ...validMessage(), caption: pad(n) }), 60, "caption"],
    ["text", (n) => ({ ...validMessage(), text: pad(n) }), 1024, "text"],
    ["flow_cta", (n) => withParameters({ flow_cta: pad(n) }), 20, "parameters.flow_cta"],
  ];

  for (const [name, build, limit, path] of cases) {
    it(`sends a ${name} of exactly ${limit} characters`, async () => {
      await expect(client().sendFlowMessage(build(limit))).resolves.toMatchObject({ status: 200 });
      expect(jelou.received).toHaveLength(1);
    });

    it(`refuses a ${name} of ${limit + 1} characters without sending anything`, async () => {
      const error = await rejection(build(limit + 1));
      expect(error.kind).toBe("validation");
      expect(error.attempts).toBe(0);
      expect(error.maybeSent).toBe(false);
      expect(error.problems).toEqual([
        { path, rule: "maxLength", message: `${path} has ${limit + 1} characters; the limit is ${limit}. Shorten it by 1.` },
      ]);
      expect(error.message).toContain(`${path} has ${limit + 1} characters`);
    });
  }

  it("counts characters, not UTF-16 units: 60 accented or astral characters are a valid title", async () => {
    await expect(client().sendFlowMessage({ ...validMessage(), title: pad(60, "𝐀") })).resolves.toMatchObject({ status: 200 });
  });

  it("counts characters in the message too: 61 astral characters are 1 too many, not 62 too many", async () => {
    const error = await rejection({ ...validMessage(), title: pad(61, "𝐀") });
    expect(error.problems).toEqual([
      { path: "title", rule: "maxLength", message: "title has 61 characters; the limit is 60. Shorten it by 1." },
    ]);
  });

  it("refuses an emoji in flow_cta", async () => {
    for (const cta of ["Start 🚀", "Go ✅", "🇪🇨 Ir", "Ok ❤️"]) {
      const error = await rejection(withParameters({ flow_cta: cta }));
      expect(error.problems).toEqual([{ path: "parameters.flow_cta", rule: "pattern", message: "parameters.flow_cta must not contain emoji." }]);
    }
  });

  it("refuses an empty flow_action_payload.data", async () => {
    const error = await rejection(withParameters({ flow_action_payload: { screen: "S", data: {} } }));
    expect(error.problems?.[0]).toMatchObject({ path: "parameters.flow_action_payload.data", rule: "minProperties" });
  });

  it("refuses empty texts, missing fields and misspelt ones, listing every problem at once", async () => {
    const { title: _t, ...noTitle } = validMessage();
    const error = await rejection({ ...noTitle, caption: "", paylaod: {} } as unknown as FlowMessageInput);
    expect(error.problems?.map((p) => `${p.path}:${p.rule}`).sort()).toEqual(["caption:minLength", "paylaod:additionalProperties", "title:required"]);
    expect(error.message).toMatch(/breaks 3 rules of the contract/);
  });

  it("refuses userId forms that are not an international number, and never echoes the number", async () => {
    for (const userId of ["0987654321", "+0 98 765", "593-98-ABC", "1234567890123456", "", "593987654321@c.us"]) {
      const error = await rejection({ ...validMessage(), userId });
      expect(error.problems?.map((p) => p.path)).toEqual(["userId"]);
      if (userId.length > 4) expect(error.message).not.toContain(userId);
    }
  });

  it("accepts userId forms people write: +, spaces, dashes, dots, parentheses", async () => {
    for (const userId of ["+593 98-765-4321", "(593) 98.765.4321", " 593987654321 "]) {
      await client().sendFlowMessage({ ...validMessage(), userId });
    }
    expect(new Set(jelou.received.map((r) => r.url))).toEqual(new Set(["/v1/bots/bot-1/users/593987654321/flow_message"]));
  });

  it("refuses a botId that cannot stand in a path segment, and an empty type", async () => {
    expect((await rejection({ ...validMessage(), botId: "a/b" })).problems?.[0]?.path).toBe("botId");
    // URL parsing drops dot segments: ".." would send to /v1/users/..., another endpoint than the one checked.
    for (const botId of [".", ".."]) {
      expect((await rejection({ ...validMessage(), botId })).problems).toEqual([
        { path: "botId", rule: "pattern", message: "botId must not be empty, '.' or '..', nor hold '/', '?', '#' or spaces." },
      ]);
    }
    expect((await rejection(validMessage(), { type: "" })).problems?.[0]?.path).toBe("type");
    await client().sendFlowMessage({ ...validMessage(), botId: "..." });
    expect(jelou.received.map((r) => r.url)).toEqual(["/v1/bots/.../users/593987654321/flow_message"]);
  });

  it("refuses a message that is not an object", async () => {
    const error = await rejection(null as unknown as FlowMessageInput);
    expect(error.kind).toBe("validation");
  });

  it("validates dry runs too", async () => {
    await expect(client().sendFlowMessage({ ...validMessage(), title: "" }, { dryRun: true })).rejects.toMatchObject({ kind: "validation" });
  });
});

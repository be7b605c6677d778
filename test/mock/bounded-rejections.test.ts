import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { createMockJelou } from "../../mock/index.js";
import { AUTH, MODES, readAnswer, send, startTarget, useTarget, validMessage } from "./harness.js";

const MB = 1_000_000;
const BIG = "k".repeat(MB);

/** Everything a refusal keeps or answers stays within a few kilobytes, whatever the request quoted. */
const MAX_ANSWER = 8_000;

describe.each(MODES)("refusals of huge input stay small (%s)", (mode) => {
  const target = useTarget(mode, { bots: { bots: { "bot-1": { flows: ["welcome_flow"] } } } });

  it("cuts a 1 MB unknown key in the problem's path and message, in the answer and the rejection", async () => {
    const answer = await readAnswer(await send(target, { ...validMessage(), [BIG]: 1 }));
    expect(answer.status).toBe(422);
    expect(JSON.stringify(answer.body).length).toBeLessThan(MAX_ANSWER);
    const [problem] = answer.body.errors ?? [];
    expect(problem?.rule).toBe("additionalProperties");
    expect(problem?.path).toMatch(/^k+… \(1000000 characters\)$/);
    expect(problem?.path.length).toBeLessThanOrEqual(200);
    // The message names the cut path, so the advice at its end survives the cut.
    expect(problem?.message).toBe(
      `${problem?.path} is not a field here (the known fields are title, text, caption, parameters, payload); remove it or fix its spelling.`,
    );
    const [rejection] = target.mock.inbox.rejections({ limit: 1 });
    expect(rejection?.problems).toEqual(answer.body.errors);
    expect(rejection?.description).toBe(answer.body.description);
    expect(JSON.stringify(rejection).length).toBeLessThan(MAX_ANSWER);
  });

  it("quotes at most the start of a 1 MB flow_name in flow_not_found", async () => {
    const body = { ...validMessage(), parameters: { flow_name: "f".repeat(MB), flow_cta: "Go" } };
    const answer = await readAnswer(await send(target, body));
    expect(answer.status).toBe(422);
    expect(answer.body.code).toBe("flow_not_found");
    expect(answer.body.description).toMatch(/^parameters\.flow_name "f{80}… \(1000000 characters\)" is not a Flow of bot bot-1 .*Fix the slug/);
    expect(answer.body.errors?.[0]?.message).toBe(answer.body.description);
    expect(JSON.stringify(target.mock.inbox.rejections({ limit: 1 })).length).toBeLessThan(MAX_ANSWER);
  });

  it("cuts long bot and user ids in the rejection, marked with their length", async () => {
    // 6,000 characters each: the request line stays under Node's 16 KB header limit over HTTP.
    const [botId, userId] = ["b".repeat(6000), "9".repeat(6000)];
    const answer = await readAnswer(await send(target, validMessage(), { path: `/v1/bots/${botId}/users/${userId}/flow_message` }));
    expect(answer.status).toBe(422);
    const [rejection] = target.mock.inbox.rejections({ limit: 1 });
    expect(rejection?.botId).toMatch(/^b+… \(6000 characters\)$/);
    expect(rejection?.userId).toMatch(/^9+… \(6000 characters\)$/);
    expect(rejection?.botId?.length).toBeLessThanOrEqual(256);
    expect(rejection?.userId?.length).toBeLessThanOrEqual(256);
  });

  it("keeps answers of many long keys bounded too", async () => {
    const keys = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`${"k".repeat(10_000)}${i}`, 1]));
    const answer = await readAnswer(await send(target, { ...validMessage(), ...keys }));
    expect(answer.status).toBe(422);
    expect(answer.body.errors).toHaveLength(100);
    expect(JSON.stringify(answer.body).length).toBeLessThan(100 * 1_000);
    expect(answer.body.description?.length).toBeLessThan(2_100);
  });
});

describe("the rejection log's memory", () => {
  it("does not keep the megabyte bodies it quotes from", async () => {
    // The cut text must be a copy: a slice of a long string is a view that keeps the whole string alive.
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const target = await startTarget("in-process", { maxRejections: 1000 });
    // Answers and their streams are released over the next turns of the event loop, not at once.
    const heap = async () => {
      for (let i = 0; i < 3; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        gc();
      }
      return process.memoryUsage().heapUsed;
    };
    try {
      await send(target, { ...validMessage(), [BIG]: 0 });
      const before = await heap();
      for (let i = 1; i <= 40; i++) await send(target, { ...validMessage(), [`${BIG}${i}`]: i });
      const grown = (await heap()) - before;
      expect(target.mock.inbox.stats().rejections).toBe(41);
      // Kept whole, 40 keys of 1 MB would hold at least 40 MB; their cut copies hold well under 1 MB.
      expect(grown).toBeLessThan(10 * MB);
    } finally {
      await target.close();
    }
  });

  it("does not keep the megabyte URLs its ids come from", async () => {
    // In-process the ids may be megabytes long. A short bot id is a slice of its URL: kept as it is, it would keep the
    // megabyte user id beside it alive even once that is cut.
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const mock = createMockJelou({ env: false, maxRejections: 1000 });
    const heap = async () => {
      for (let i = 0; i < 3; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        gc();
      }
      return process.memoryUsage().heapUsed;
    };
    const refused = async (i: number) => {
      const path = `/v1/bots/a-bot-id-of-some-length-${i}/users/${"9".repeat(MB)}${i}/flow_message`;
      const answer = await mock.fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      await answer.text();
    };
    await refused(0);
    const before = await heap();
    for (let i = 1; i <= 40; i++) await refused(i);
    const grown = (await heap()) - before;
    expect(mock.inbox.stats().rejections).toBe(41);
    expect(mock.inbox.rejections({ limit: 1 })[0]?.botId).toBe("a-bot-id-of-some-length-40");
    // Kept whole, or as slices of their URLs, 40 ids of 1 MB would hold at least 40 MB.
    expect(grown).toBeLessThan(10 * MB);
  });

  it("counts a kept body's characters, not more", () => {
    const mock = createMockJelou({ env: false });
    return mock
      .fetch("/v1/bots/b/users/593987654321/flow_message", {
        method: "POST",
        headers: { authorization: AUTH, "content-type": "application/json" },
        body: `{"title": "${"😀".repeat(3000)}`,
      })
      .then(() => {
        const [rejection] = mock.inbox.rejections();
        // 4096 characters at most, and never half of a surrogate pair.
        expect(rejection?.body?.length).toBeLessThanOrEqual(4096);
        expect(rejection?.body).toMatch(/😀$/u);
      });
  });
});

import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateFlowMessage, type FlowMessageInput } from "../../src/index.js";
import { generatedMessage, wireRequest, type GeneratedMessage } from "./arbitraries.js";
import { inProcessMockTarget } from "./targets/mock-in-process.js";
import { mockBehindPrismTarget } from "./targets/mock-behind-prism.js";
import { prismMockTarget } from "./targets/prism-mock.js";
import type { ContractTarget } from "./targets/target.js";
import { describeOutcome, type Outcome } from "./wire.js";

/**
 * Agreement, proven on generated messages: the client's pre-flight validator, the mock Jelou and the Prism mock accept
 * and refuse the same messages. The bulk runs against the in-process mock (fast); a few hundred go over HTTP to Prism
 * and to the mock behind Prism. `FC_SEED` and `FC_RUNS_SCALE` replay or scale a run; a failure prints the seed, the
 * path and the smallest message that disagrees.
 */
const SCALE = Number(process.env.FC_RUNS_SCALE ?? "1");
const RUNS = { inProcess: Math.round(2_500 * SCALE), overHttp: Math.round(500 * SCALE) };
const SEED = process.env.FC_SEED === undefined ? {} : { seed: Number(process.env.FC_SEED) };

type Verdict = "accept" | "reject";

/** The fields a refusal names, each once, in order: what the validator, the mock and Prism must agree on. */
function fieldsNamed(problems: readonly { path: string }[]): string[] {
  return [...new Set(problems.map((p) => p.path))].sort();
}

function verdictOfValidator(message: GeneratedMessage): { verdict: Verdict; paths: string[] } {
  const result = validateFlowMessage(message.input as FlowMessageInput, message.type === undefined ? {} : { type: message.type });
  return { verdict: result.ok ? "accept" : "reject", paths: fieldsNamed(result.problems) };
}

/** 200 is acceptance; a refusal must be a 4xx naming the request's fault, never an auth error nor a crash. */
function verdictOf(outcome: Outcome): Verdict {
  if (outcome.status === 200) return "accept";
  expect([400, 404, 422], `a refusal must say the request is wrong: ${describeOutcome(outcome)}`).toContain(outcome.status);
  return "reject";
}

/**
 * The one known disagreement outside this project's control: Prism reads an empty query value (`?type=`) as an absent
 * parameter, so it skips the contract's `minLength: 1` for it. What Prism must answer is therefore what the validator
 * answers for the same message without `type`. Asserted, not ignored: if Prism starts refusing `?type=`, this test
 * fails and the exception can go.
 */
function prismExpectation(message: GeneratedMessage): { verdict: Verdict; paths: string[]; deviates: boolean } {
  const expected = verdictOfValidator(message);
  if (message.type !== "") return { ...expected, deviates: false };
  const asPrismReadsIt = verdictOfValidator({ input: message.input });
  return { ...asPrismReadsIt, deviates: asPrismReadsIt.verdict !== expected.verdict };
}

const tally = { inProcess: { accept: 0, reject: 0 }, overHttp: { accept: 0, reject: 0 }, prismDeviations: 0 };

describe("validator, mock and Prism agree on accept versus reject", () => {
  let inProcess: ContractTarget;
  let prism: ContractTarget;
  let proxied: ContractTarget;
  beforeAll(async () => {
    [inProcess, prism, proxied] = await Promise.all([inProcessMockTarget.start(), prismMockTarget.start(), mockBehindPrismTarget.start()]);
  });
  afterAll(async () => {
    await Promise.all([inProcess?.close(), prism?.close(), proxied?.close()]);
    console.info(`generated cases: ${JSON.stringify(tally)}`);
  });

  it(`the validator and the in-process mock, on ${RUNS.inProcess} messages`, async () => {
    await fc.assert(
      fc.asyncProperty(generatedMessage, async (message) => {
        const expected = verdictOfValidator(message);
        const outcome = await inProcess.send(wireRequest(message));
        expect(verdictOf(outcome), describeOutcome(outcome)).toBe(expected.verdict);
        if (outcome.status === 422) {
          expect(fieldsNamed(outcome.problems), "the mock names the fields the validator names").toEqual(expected.paths);
        }
        tally.inProcess[expected.verdict] += 1;
      }),
      { numRuns: RUNS.inProcess, ...SEED },
    );
    // A generator that drifted into refusing (or accepting) everything would prove nothing.
    expect(tally.inProcess.accept).toBeGreaterThan(RUNS.inProcess * 0.2);
    expect(tally.inProcess.reject).toBeGreaterThan(RUNS.inProcess * 0.2);
  }, 120_000);

  it(`the validator, the Prism mock and the mock behind Prism, on ${RUNS.overHttp} messages`, async () => {
    await fc.assert(
      fc.asyncProperty(generatedMessage, async (message) => {
        const expected = verdictOfValidator(message);
        const request = wireRequest(message);
        const [fromPrism, fromMock] = await Promise.all([prism.send(request), proxied.send(request, expected.verdict)]);
        const forPrism = prismExpectation(message);
        expect(verdictOf(fromPrism), `Prism mock: ${describeOutcome(fromPrism)}`).toBe(forPrism.verdict);
        if (fromPrism.status === 422) {
          expect(fieldsNamed(fromPrism.problems), "Prism names the fields the validator names").toEqual(forPrism.paths);
        }
        expect(verdictOf(fromMock), `mock behind Prism: ${describeOutcome(fromMock)}`).toBe(expected.verdict);
        if (fromMock.status === 422) {
          expect(fieldsNamed(fromMock.problems), "the mock names the fields the validator names").toEqual(expected.paths);
        }
        if (forPrism.deviates) tally.prismDeviations += 1;
        tally.overHttp[expected.verdict] += 1;
      }),
      { numRuns: RUNS.overHttp, ...SEED },
    );
    expect(tally.overHttp.accept).toBeGreaterThan(RUNS.overHttp * 0.2);
    expect(tally.overHttp.reject).toBeGreaterThan(RUNS.overHttp * 0.2);
  }, 120_000);
});

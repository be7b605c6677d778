import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { validateFlowMessageSent, validateJelouError } from "../../generated/validators.js";
import { BOTS, CASE_GROUPS, type ContractCase } from "./cases.js";
import { mockBehindPrismTarget } from "./targets/mock-behind-prism.js";
import { inProcessMockTarget } from "./targets/mock-in-process.js";
import { prismMockTarget } from "./targets/prism-mock.js";
import { CAPABILITIES, missingCapabilities, type Capability, type ContractTarget, type TargetFactory } from "./targets/target.js";
import { BOT_ID, describeOutcome, USER_ID, type Outcome } from "./wire.js";

/**
 * One suite, every target: each case of cases.ts runs against each target. A case needing a capability a target lacks
 * is skipped there, the skipped test's name says which capability, and the target's `lacking` says why.
 */
const TARGETS: TargetFactory[] = [inProcessMockTarget, mockBehindPrismTarget, prismMockTarget];

function title(name: string, factory: TargetFactory, needs: readonly Capability[]): string {
  const missing = missingCapabilities(factory, needs);
  if (missing.length === 0) return name;
  return `${name} [skipped: lacks ${missing.join(", ")}]`;
}

function expectContractBody(outcome: Outcome): void {
  const validator = outcome.status < 300 ? validateFlowMessageSent : validateJelouError;
  expect(validator(outcome.body), `the body breaks the contract: ${describeOutcome(outcome)}`).toBe(true);
}

describe.each(TARGETS)("$name", (factory) => {
  let target: ContractTarget;
  beforeAll(async () => {
    target = await factory.start({ bots: BOTS });
  });
  afterAll(async () => {
    await target?.close();
  });
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => console.error(`Logs behind ${factory.name}:\n${target?.logs()}`));
  });

  async function send(c: ContractCase): Promise<Outcome> {
    const outcome = await target.send(c.request, c.status < 300 ? "accept" : "reject");
    expect(outcome.status, describeOutcome(outcome)).toBe(c.status);
    return outcome;
  }

  it("says why it lacks each capability it lacks", () => {
    for (const capability of missingCapabilities(factory, Object.keys(CAPABILITIES) as Capability[])) {
      expect(factory.lacking[capability], capability).toMatch(/\w/);
    }
  });

  describe.each(Object.entries(CASE_GROUPS))("%s", (_group, cases) => {
    for (const c of cases) {
      const needs = c.needs ?? [];
      it.skipIf(missingCapabilities(factory, needs).length > 0)(title(`${c.name}: ${c.status}`, factory, needs), async () => {
        const outcome = await send(c);
        expectContractBody(outcome);
        if (c.problem !== undefined) expect(outcome.problems, describeOutcome(outcome)).toContainEqual(c.problem);
      });

      if (c.code !== undefined) {
        const codeNeeds: Capability[] = [...needs, "answersErrorCodes"];
        it.skipIf(missingCapabilities(factory, codeNeeds).length > 0)(title(`${c.name}: code ${c.code}`, factory, codeNeeds), async () => {
          const outcome = await send(c);
          expect(outcome.body, describeOutcome(outcome)).toMatchObject({ code: c.code });
        });
      }

      if (c.recorded === true) {
        const stateNeeds: Capability[] = [...needs, "keepsState"];
        it.skipIf(missingCapabilities(factory, stateNeeds).length > 0)(title(`${c.name}: recorded as sent`, factory, stateNeeds), async () => {
          const outcome = await send(c);
          const id = outcome.headers.get("x-message-id");
          expect(id, "the 200 carries X-Message-Id").toBeTruthy();
          const message = await target.recorded?.(id ?? "");
          const { botId = BOT_ID, userId = USER_ID, type } = c.request;
          expect(message).toMatchObject({ id, botId, userId, ...(type === undefined ? {} : { type }), body: c.request.body });
        });
      }
    }
  });
});

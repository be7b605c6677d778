import { createMockJelou } from "../../../mock/index.js";
import { LineRingBuffer } from "../../helpers/ring-buffer.js";
import { CREDENTIALS, readOutcome, toRequest } from "../wire.js";
import { CAPABILITIES, type Capability, type ContractTarget, type TargetFactory, type TargetOptions } from "./target.js";

/** Every capability: the mock Jelou is meant to behave like Jelou in all of them. */
export const ALL_CAPABILITIES: ReadonlySet<Capability> = new Set(Object.keys(CAPABILITIES) as Capability[]);

/** A mock Jelou with the suite's credentials (and bots, if given), its log lines kept for failing tests. */
export function startMock(options: TargetOptions = {}): { mock: ReturnType<typeof createMockJelou>; logs: LineRingBuffer } {
  const logs = new LineRingBuffer();
  const mock = createMockJelou({ ...CREDENTIALS, ...options, logger: (line) => logs.push(`${line}\n`) });
  return { mock, logs };
}

/** Reads a message back from the mock's inbox, in the shape the suite compares. */
export function recordedIn(mock: ReturnType<typeof createMockJelou>): NonNullable<ContractTarget["recorded"]> {
  return async (id) => mock.inbox.get(id);
}

/** Target (a): the mock Jelou called in-process through `mock.fetch`, no socket involved. */
export const inProcessMockTarget: TargetFactory = {
  name: "mock in-process",
  capabilities: ALL_CAPABILITIES,
  lacking: {},
  async start(options) {
    const { mock, logs } = startMock(options);
    return {
      send: async (request) => readOutcome(await mock.fetch(toRequest("http://mock.jelou.test", request)), "body"),
      recorded: recordedIn(mock),
      logs: () => `--- mock ---\n${logs.toString()}`,
      close: async () => {},
    };
  },
};

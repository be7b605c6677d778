import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FlowMessageSender } from "../../src/bulk/types.js";
import type { FlowMessageInput } from "../../src/index.js";

/** A valid template using the columns `name` and `order`. */
export const TEMPLATE = {
  title: "Hi {{name}}",
  text: "Your order {{order}} is ready. Tell us how it went.",
  caption: "Jelou",
  parameters: { flow_name: "survey", flow_cta: "Answer", flow_action_payload: { screen: "START", data: { order: "{{order}}" } } },
  payload: { order: "{{order}}" },
};

export function rows(n: number, start = 593_900_000_000): Array<Record<string, string>> {
  return Array.from({ length: n }, (_, i) => ({ userId: String(start + i), name: `Name ${i}`, order: `A-${i}` }));
}

/** A sender that records calls and answers by `answer` (default: 200 after a tick). */
export function fakeSender(answer?: (message: FlowMessageInput, call: number) => Promise<void> | void) {
  const calls: FlowMessageInput[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const sender: FlowMessageSender & { calls: FlowMessageInput[]; readonly maxInFlight: number } = {
    calls,
    get maxInFlight() {
      return maxInFlight;
    },
    async sendFlowMessage(message) {
      calls.push(message);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        await new Promise((r) => setTimeout(r, 1));
        await answer?.(message, calls.length);
        return { status: 200, attempts: 1, messageId: `msg_${calls.length}` };
      } finally {
        inFlight--;
      }
    },
  };
  return sender;
}

/** A JelouError-shaped error. */
export function jelouError(kind: string, maybeSent: boolean, status?: number): Error {
  return Object.assign(new Error(`${kind} error`), { kind, maybeSent, ...(status && { status }) });
}

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "jelou-bulk-"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sendFlowMessages } from "../../src/bulk/send-flow-messages.js";
import type { FlowMessageSender } from "../../src/bulk/types.js";
import { collect, jelouError, rows, tempDir, TEMPLATE } from "./helpers.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

const SECRET = "s3cret-value";
const BASIC = Buffer.from(`ops:${SECRET}`).toString("base64");

describe("the journal is scrubbed of the secrets it is given, whatever the sender returns", () => {
  it("ids of a success and the message of an error never reach the file; its keys stay whole", async () => {
    // A sender that does not scrub: the journal's own scrubbing is the defense tested here.
    let call = 0;
    const sender: FlowMessageSender = {
      async sendFlowMessage() {
        if (++call % 2 === 0) throw Object.assign(jelouError("http", false, 400), { message: `server said ${SECRET} and Basic ${BASIC}` });
        return { status: 200, attempts: 1, messageId: SECRET, requestId: `req ${BASIC}` };
      },
    };
    const journal = join(dir, "j.jsonl");
    const results = await collect(sendFlowMessages(sender, rows(6), { template: TEMPLATE, botId: "b", journal, secrets: [SECRET, BASIC] }));
    expect(results.filter((r) => r.status === "sent")).toHaveLength(3);
    const text = await readFile(journal, "utf8");
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(BASIC);
    expect(text).toContain("[REDACTED]");
    for (const line of text.trimEnd().split("\n")) expect(() => JSON.parse(line)).not.toThrow();
    expect(text).toContain('"key":"b:593900000000"');
  });
});

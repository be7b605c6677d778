/**
 * What the command line prints for a message that may have been sent: the warning once, never the library's
 * `retry: { unsafe: true }` (no command has it), in `send`, in `bulk`'s lines and in its --json results.
 */
import { describe, expect, it } from "vitest";
import { describeResult } from "../../src/cli/bulk-report.js";
import { describeError } from "../../src/cli/send-command.js";
import { redirectError } from "../../src/errors/from-response.js";
import { createMockJelou } from "../../mock/index.js";
import { CREDENTIALS, runInProcess, workspace } from "./helpers.js";

const times = (text: string) => text.match(/may have been sent/gi)?.length ?? 0;

describe("the may-have-been-sent warning", () => {
  it("a redirect's error says it once", () => {
    const context = { method: "POST", path: "/v1/bots/b/users/5939****4321/flow_message", attempts: 1, secrets: [], earlierMaybeSent: false };
    const error = redirectError(302, new Headers({ location: "http://elsewhere.example/" }), "http://127.0.0.1/", context);
    expect(times(describeError(error))).toBe(1);
  });

  it("an unknown bulk row says it once, and a message without it still gets it", () => {
    const unknown = (message: string) =>
      describeResult({ status: "unknown", row: 2, key: "b:1", error: { kind: "timeout", message, maybeSent: true } } as never) ?? "";
    expect(times(unknown("POST ... got no answer in time. The message may have been sent: check before sending it again."))).toBe(1);
    expect(times(unknown("POST ... got no answer in time."))).toBe(1);
  });

  it("bulk --json results and lines carry no retry: { unsafe: true }, and each unknown row warns once", async () => {
    const mock = createMockJelou({ clientId: CREDENTIALS.JELOU_CLIENT_ID, clientSecret: CREDENTIALS.JELOU_CLIENT_SECRET });
    const ws = await workspace();
    try {
      const list = await ws.file("list.csv", "userId\n593987650001\n593987650002\n");
      const message = { title: "Hi", text: "Hello", caption: "Jelou", parameters: { flow_name: "f", flow_cta: "Go" } };
      const template = await ws.file("t.json", JSON.stringify(message));
      mock.faults.add({ kind: "server_error", userId: "593987650001" });
      mock.faults.add({ kind: "drop", userId: "593987650002" });
      const args = ["bulk", list, "--template", template, "--bot", "bot-1", "--progress", "none"];
      const human = await runInProcess(args, CREDENTIALS, { fetch: mock.fetch });
      const rows = human.stderr.split("\n").filter((line) => line.includes("UNKNOWN"));
      expect(rows).toHaveLength(2);
      for (const row of rows) expect(times(row)).toBe(1);
      expect(human.stderr + human.stdout).not.toContain("unsafe");
      const second = await ws.file("second.csv", "userId\n593987650003\n");
      mock.faults.add({ kind: "server_error", userId: "593987650003" });
      const jsonArgs = ["bulk", second, "--template", template, "--bot", "bot-1", "--progress", "none", "--json"];
      const json = await runInProcess(jsonArgs, CREDENTIALS, { fetch: mock.fetch });
      const results = json.stdout.split("\n").filter((line) => line.includes('"type":"result"'));
      expect(results.map((line) => JSON.parse(line).status)).toEqual(["unknown"]);
      expect(json.stdout + json.stderr).not.toContain("unsafe");
    } finally {
      await ws.cleanup();
    }
  });
});

/**
 * One in-process send, from `sendFlowMessage` to the inbox record, runs code in at most 12 hand-written files of src/ and
 * mock/ (plus generated/validators.js): a reader follows it without a map. The files are read from V8's coverage.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

it("an in-process send runs code in at most 12 hand-written files", async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "test/structure/fixtures/send-path.ts"], {
    cwd: ROOT,
  });
  const files = stdout.trim().split("\n").filter((file) => /^(src|mock)\//.test(file));
  expect(files).toContain("src/client/create-client.ts");
  expect(files.some((file) => file.startsWith("mock/inbox/"))).toBe(true);
  expect(files.length, files.join("\n")).toBeLessThanOrEqual(12);
});

import { describe, expect, it } from "vitest";
import { escapeControls, terminalSafe } from "../../src/cli/terminal-safe.js";

describe("the output boundary", () => {
  it("scrubs the secrets it is given and escapes controls, in human lines and JSON lines alike", () => {
    let out = "";
    const stream = terminalSafe({ write: (t: string) => (out += t) }, ["s3cret-value", "b3BzOnMzY3JldC12YWx1ZQ=="]);
    stream.write("row 2 (593\u001b[2K): failed: echoed s3cret-value and Basic b3BzOnMzY3JldC12YWx1ZQ==\n");
    stream.write(`${JSON.stringify({ messageId: "s3cret-value", name: "Ana\u202e\u007f" })}\n`);
    expect(out).not.toContain("s3cret-value");
    expect(out).not.toContain("b3BzOnMzY3JldC12YWx1ZQ==");
    expect(out).toContain("593\\u001b[2K");
    expect(JSON.parse(out.split("\n")[1]!)).toEqual({ messageId: "[REDACTED]", name: "Ana\u202e\u007f" });
    stream.writeControl("\r\u001b[2K");
    expect(out.endsWith("\r\u001b[2K")).toBe(true);
    expect(escapeControls("a\tb\r\nc\u009b")).toBe("a\\u0009b\\u000d\nc\\u009b");
  });
});

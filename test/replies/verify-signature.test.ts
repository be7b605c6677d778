import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signJelouWebhook, verifyJelouSignature } from "../../src/index.js";

const body = JSON.stringify({ type: "flow_reply", text: "ñandú 🙂" });
const secret = "whsec_test";
const expected = `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;

describe("signJelouWebhook", () => {
  it("is sha256= and the hex HMAC-SHA256 of the UTF-8 body", () => {
    expect(signJelouWebhook(body, secret)).toBe(expected);
    expect(signJelouWebhook(new TextEncoder().encode(body), secret)).toBe(expected);
  });

  it("refuses an empty secret", () => {
    expect(() => signJelouWebhook(body, "")).toThrow(/secret is empty/);
  });
});

describe("verifyJelouSignature", () => {
  it("accepts the signature of the exact body, as a string or as bytes", () => {
    expect(verifyJelouSignature(body, expected, secret)).toBe(true);
    expect(verifyJelouSignature(Buffer.from(body), expected, secret)).toBe(true);
    expect(verifyJelouSignature(body, expected.toUpperCase().replace("SHA256=", "sha256="), secret)).toBe(true);
  });

  it("refuses another body, another secret, or a changed digest", () => {
    expect(verifyJelouSignature(`${body} `, expected, secret)).toBe(false);
    expect(verifyJelouSignature(body, expected, "other")).toBe(false);
    const flipped = expected.slice(0, -1) + (expected.endsWith("0") ? "1" : "0");
    expect(verifyJelouSignature(body, flipped, secret)).toBe(false);
  });

  it("answers false, without throwing, to missing or malformed headers and an empty secret", () => {
    const hex = expected.slice("sha256=".length);
    for (const header of [undefined, null, "", hex, `sha1=${hex}`, "sha256=", `sha256=${hex}00`, `sha256=${hex.slice(2)}`, "sha256=zz"]) {
      expect(verifyJelouSignature(body, header, secret)).toBe(false);
    }
    expect(verifyJelouSignature(body, expected, "")).toBe(false);
  });
});

import { createHmac, timingSafeEqual } from "node:crypto";

/** The scheme prefix of the `X-Jelou-Signature` header: `sha256=<hex>`. */
const PREFIX = "sha256=";
/** An HMAC-SHA256 is 32 bytes: 64 hex digits. */
const HEX_DIGEST = /^[0-9a-f]{64}$/i;

function digest(body: string | Uint8Array, secret: string): Buffer {
  return createHmac("sha256", secret).update(body).digest();
}

/**
 * Computes the `X-Jelou-Signature` header value of a webhook body: `sha256=` and the hex HMAC-SHA256 of the exact bytes
 * sent, keyed with the webhook secret. The mock Jelou signs its simulated Flow replies with it; tests of a webhook handler
 * can sign their own fixtures the same way.
 *
 * @param body the raw request body, exactly as sent (a string is hashed as UTF-8)
 * @param secret the webhook secret shared with the receiver
 * @returns the header value, such as `sha256=5d41...`
 * @throws `TypeError` when `secret` is empty: an empty key would sign anything for anyone
 * @example
 * ```ts
 * const body = JSON.stringify({ type: "flow_reply" });
 * await fetch(url, { method: "POST", body, headers: { "X-Jelou-Signature": signJelouWebhook(body, "s3cret") } });
 * ```
 */
export function signJelouWebhook(body: string | Uint8Array, secret: string): string {
  if (typeof secret !== "string" || secret.length === 0) {
    throw new TypeError("signJelouWebhook: the secret is empty; pass the webhook secret shared with the receiver.");
  }
  return PREFIX + digest(body, secret).toString("hex");
}

/**
 * Checks the `X-Jelou-Signature: sha256=<hex>` header of a webhook request against its raw body, in constant time.
 * Verify the raw body before parsing it: re-serialised JSON does not hash the same.
 *
 * A missing or malformed header, an empty secret, or a wrong signature all answer `false`; it never throws on input a
 * client controls, so a handler can answer 401 on `false` and stop.
 *
 * @param body the raw request body, as received (a string is hashed as UTF-8)
 * @param header the value of the `X-Jelou-Signature` header, or `null`/`undefined` when it is missing
 * @param secret the webhook secret configured on the sender (the mock's `--webhook-secret`)
 * @returns `true` only when the header is the HMAC-SHA256 of `body` keyed with `secret`
 * @example
 * ```ts
 * import { verifyJelouSignature } from "jelou-flow";
 *
 * app.post("/jelou/webhook", async (c) => {
 *   const body = await c.req.text();
 *   if (!verifyJelouSignature(body, c.req.header("x-jelou-signature"), process.env.JELOU_WEBHOOK_SECRET!)) {
 *     return c.text("bad signature", 401);
 *   }
 *   const event = JSON.parse(body);
 *   // ...
 *   return c.body(null, 204);
 * });
 * ```
 */
export function verifyJelouSignature(
  body: string | Uint8Array,
  header: string | null | undefined,
  secret: string,
): boolean {
  if (typeof header !== "string" || typeof secret !== "string" || secret.length === 0) return false;
  const value = header.trim();
  if (value.slice(0, PREFIX.length).toLowerCase() !== PREFIX) return false;
  const hex = value.slice(PREFIX.length);
  // The length check leaks only the length of what the caller sent, never anything about the expected digest.
  if (!HEX_DIGEST.test(hex)) return false;
  if (typeof body !== "string" && !(body instanceof Uint8Array)) return false;
  return timingSafeEqual(Buffer.from(hex, "hex"), digest(body, secret));
}

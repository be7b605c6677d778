import { afterEach, describe, expect, it } from "vitest";
import { verifyJelouSignature } from "../../src/index.js";
import { createWebhookSender, type WebhookDelivery } from "../../mock/replies/webhook-sender.js";
import { startWebhookReceiver, type WebhookReceiver } from "./webhook-receiver.js";

const secret = "whsec_sender";
let receiver: WebhookReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

function track() {
  const changes: WebhookDelivery[] = [];
  return { changes, onChange: (d: WebhookDelivery) => changes.push(d) };
}

describe("createWebhookSender", () => {
  it("POSTs the event as JSON, signed so verifyJelouSignature accepts it, and reports it delivered", async () => {
    receiver = await startWebhookReceiver();
    const { changes, onChange } = track();
    const sender = createWebhookSender({ url: receiver.url, secret, onChange });
    const first = sender.send({ id: "evt_1" });
    expect(first).toMatchObject({ status: "pending", attempts: 0, eventId: "evt_1", maxAttempts: 4 });
    await sender.idle();
    const [request] = await receiver.waitFor(1);
    expect(request?.method).toBe("POST");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers["x-jelou-delivery"]).toBe(first.id);
    expect(JSON.parse(request?.body ?? "")).toEqual({ id: "evt_1" });
    expect(verifyJelouSignature(request?.body ?? "", request?.headers["x-jelou-signature"] as string, secret)).toBe(true);
    expect(verifyJelouSignature(request?.body ?? "", request?.headers["x-jelou-signature"] as string, "wrong")).toBe(false);
    expect(changes.map((c) => c.status)).toEqual(["delivered"]);
    expect(changes[0]).toMatchObject({ attempts: 1, responseStatus: 204 });
  });

  it("retries 5xx and 429 with growing waits, then delivers", async () => {
    receiver = await startWebhookReceiver([500, 429]);
    const { changes, onChange } = track();
    const sender = createWebhookSender({ url: receiver.url, secret, backoffMs: 20, onChange });
    sender.send({ id: "evt_2" });
    await sender.idle();
    expect(receiver.received).toHaveLength(3);
    expect(changes.map((c) => `${c.status}:${c.attempts}:${c.responseStatus}`)).toEqual([
      "retrying:1:500",
      "retrying:2:429",
      "delivered:3:204",
    ]);
    const bodies = new Set(receiver.received.map((r) => r.body));
    expect(bodies.size).toBe(1);
  });

  it("gives up after maxAttempts and says why", async () => {
    receiver = await startWebhookReceiver([503, 503, 503]);
    const { changes, onChange } = track();
    const sender = createWebhookSender({ url: receiver.url, secret, maxAttempts: 3, backoffMs: 5, onChange });
    sender.send({ id: "evt_3" });
    await sender.idle();
    expect(receiver.received).toHaveLength(3);
    expect(changes.at(-1)).toMatchObject({ status: "failed", attempts: 3, responseStatus: 503, error: "answered 503" });
  });

  it("does not retry an answer that will not change (401 from a signature check)", async () => {
    receiver = await startWebhookReceiver([401]);
    const { changes, onChange } = track();
    const sender = createWebhookSender({ url: receiver.url, secret, backoffMs: 5, onChange });
    sender.send({ id: "evt_4" });
    await sender.idle();
    expect(receiver.received).toHaveLength(1);
    expect(changes.map((c) => c.status)).toEqual(["failed"]);
  });

  it("retries a receiver that is down, and reports the connection error", async () => {
    receiver = await startWebhookReceiver();
    const url = receiver.url;
    await receiver.close();
    receiver = undefined;
    const { changes, onChange } = track();
    const sender = createWebhookSender({ url, secret, maxAttempts: 2, backoffMs: 5, onChange });
    sender.send({ id: "evt_5" });
    await sender.idle();
    expect(changes.map((c) => c.status)).toEqual(["retrying", "failed"]);
    expect(changes.at(-1)?.error).toBe("ECONNREFUSED");
  });

  it("stops waiting retries on close()", async () => {
    receiver = await startWebhookReceiver([500]);
    const { changes, onChange } = track();
    const sender = createWebhookSender({ url: receiver.url, secret, backoffMs: 60_000, onChange });
    sender.send({ id: "evt_6" });
    await receiver.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    sender.close();
    await sender.idle();
    expect(changes.map((c) => c.status)).toEqual(["retrying", "failed"]);
    expect(changes.at(-1)?.error).toBe("the mock stopped");
  });

  it("shows the URL without credentials or query, and refuses unusable options", () => {
    const sender = createWebhookSender({ url: "https://user:pw@example.test/hook?token=abc", secret });
    expect(sender.url).toBe("https://example.test/hook");
    expect(sender.send({ id: "evt_x" }).url).toBe("https://example.test/hook");
    sender.close();
    expect(() => createWebhookSender({ url: "not a url", secret })).toThrow(/is not a URL/);
    expect(() => createWebhookSender({ url: "ftp://127.0.0.1/x", secret })).toThrow(/http: or https:/);
    expect(() => createWebhookSender({ url: "http://127.0.0.1/x", secret: "" })).toThrow(/secret is empty/);
  });
});

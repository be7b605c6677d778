import { describe, expect, it, vi } from "vitest";
import { createMockJelou, runMockCli } from "../../mock/index.js";
import { startWebhookReceiver } from "./webhook-receiver.js";

const AUTH = `Basic ${Buffer.from("a:b").toString("base64")}`;
const MESSAGE = { title: "T", text: "B", caption: "F", parameters: { flow_name: "f", flow_cta: "Go" } };

function sendAndReply(base: string): Promise<number[]> {
  return (async () => {
    const sent = await fetch(`${base}/v1/bots/b/users/593987654321/flow_message`, {
      method: "POST",
      headers: { authorization: AUTH, "content-type": "application/json" },
      body: JSON.stringify(MESSAGE),
    });
    const replied = await fetch(`${base}/__mock/messages/latest/reply`, { method: "POST" });
    return [sent.status, replied.status];
  })();
}

/** A mock whose webhook receiver answers 500 once, so its first delivery waits a minute to retry. */
async function mockWithFailingReceiver() {
  const receiver = await startWebhookReceiver([500]);
  const mock = createMockJelou({ env: false, webhook: { url: receiver.url, secret: "whsec", backoffMs: 60_000 } });
  return { receiver, mock };
}

describe("webhook deliveries stop with the server", () => {
  it("server.close() ends a delivery waiting to retry as failed", async () => {
    const { receiver, mock } = await mockWithFailingReceiver();
    const server = await mock.listen();
    try {
      expect(await sendAndReply(server.url)).toEqual([200, 200]);
      await vi.waitFor(() => expect(mock.replies.list()[0]?.delivery?.status).toBe("retrying"));
      await server.close();
      await vi.waitFor(() => expect(mock.replies.list()[0]?.delivery).toMatchObject({ status: "failed", error: "the mock stopped" }));
      await mock.replies.idle();
      expect(receiver.received).toHaveLength(1);
    } finally {
      await server.close();
      mock.replies.close();
      await receiver.close();
    }
  });

  it("leaves the mock usable: served again, it delivers new replies, and clearing the inbox still empties them", async () => {
    const { receiver, mock } = await mockWithFailingReceiver();
    const first = await mock.listen();
    expect(await sendAndReply(first.url)).toEqual([200, 200]);
    await vi.waitFor(() => expect(mock.replies.list()[0]?.delivery?.status).toBe("retrying"));
    await first.close();
    const second = await mock.listen();
    try {
      expect(await sendAndReply(second.url)).toEqual([200, 200]);
      await mock.replies.idle();
      expect(mock.replies.list().map((r) => r.delivery?.status)).toEqual(expect.arrayContaining(["failed", "delivered"]));
      expect(receiver.received).toHaveLength(2);
      mock.inbox.clear();
      expect(mock.replies.list()).toEqual([]);
    } finally {
      await Promise.all([first.close(), second.close()]);
      mock.replies.close();
      await receiver.close();
    }
  });

  it("goes on while another server of the mock is open, and stops with the last", async () => {
    const { receiver, mock } = await mockWithFailingReceiver();
    const [first, second] = [await mock.listen(), await mock.listen()];
    try {
      expect(await sendAndReply(first.url)).toEqual([200, 200]);
      await vi.waitFor(() => expect(mock.replies.list()[0]?.delivery?.status).toBe("retrying"));
      await first.close();
      // The mock still serves through the second server: its delivery waits for its retry as before.
      expect(mock.replies.list()[0]?.delivery?.status).toBe("retrying");
      await second.close();
      await vi.waitFor(() => expect(mock.replies.list()[0]?.delivery).toMatchObject({ status: "failed", error: "the mock stopped" }));
    } finally {
      await Promise.all([first.close(), second.close()]);
      mock.replies.close();
      await receiver.close();
    }
  });

  it("jelou-flow mock stops retrying when it stops", async () => {
    const receiver = await startWebhookReceiver([500, 500, 500]);
    const stop = new AbortController();
    let base = "";
    const done = runMockCli(["--port", "0", "--webhook", receiver.url, "--webhook-secret", "whsec"], {
      stdout: () => undefined,
      stderr: () => undefined,
      signal: stop.signal,
      env: {},
      onListening: (url) => (base = url),
    });
    try {
      await expect.poll(() => base).not.toBe("");
      expect(await sendAndReply(base)).toEqual([200, 200]);
      await receiver.waitFor(1);
    } finally {
      stop.abort();
      expect(await done).toBe(0);
    }
    try {
      // The first retry would come 250 ms after the first attempt; a stopped mock sends none.
      await expect(receiver.waitFor(2, 1000)).rejects.toThrow(/expected 2 webhook requests/);
    } finally {
      await receiver.close();
    }
  });
});

import { describe, expect, it } from "vitest";
import { runMockCli } from "../../mock/index.js";
import { startWebhookReceiver } from "./webhook-receiver.js";

function capture() {
  let out = "";
  let err = "";
  const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (err += t), env: {} };
  return { io, out: () => out, err: () => err };
}

describe("jelou-flow mock --webhook", () => {
  it("wants --webhook and --webhook-secret together", async () => {
    const c = capture();
    expect(await runMockCli(["--port", "0", "--webhook", "http://127.0.0.1:9/x"], c.io)).toBe(2);
    expect(c.err()).toMatch(/--webhook and --webhook-secret go together/);
  });

  it("refuses a webhook that is not an http(s) URL", async () => {
    const c = capture();
    expect(await runMockCli(["--port", "0", "--webhook", "ftp://x", "--webhook-secret", "s"], c.io)).toBe(2);
    expect(c.err()).toMatch(/http: or https:/);
  });

  it("says where replies go, without the secret, and delivers them there signed", async () => {
    const receiver = await startWebhookReceiver();
    const c = capture();
    const stop = new AbortController();
    let base = "";
    const done = runMockCli(["--port", "0", "--webhook", receiver.url, "--webhook-secret", "cli-secret-77"], {
      ...c.io,
      signal: stop.signal,
      onListening: (url) => (base = url),
    });
    try {
      await expect.poll(() => base).not.toBe("");
      const auth = `Basic ${Buffer.from("a:b").toString("base64")}`;
      const sent = await fetch(`${base}/v1/bots/b/users/593987654321/flow_message`, {
        method: "POST",
        headers: { authorization: auth, "content-type": "application/json" },
        body: JSON.stringify({ title: "T", text: "B", caption: "F", parameters: { flow_name: "f", flow_cta: "Go" }, payload: { k: 1 } }),
      });
      expect(sent.status).toBe(200);
      expect((await fetch(`${base}/__mock/messages/latest/reply`, { method: "POST" })).status).toBe(200);
      const [request] = await receiver.waitFor(1);
      expect(JSON.parse(request!.body).payload).toEqual({ k: 1 });
    } finally {
      stop.abort();
      expect(await done).toBe(0);
      await receiver.close();
    }
    expect(c.out()).toContain(`Flow replies are POSTed, signed, to ${receiver.url}`);
    expect(c.out() + c.err()).not.toContain("cli-secret-77");
  });
});

import { createServer } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runMockCli } from "../../mock/index.js";
import { startProcessGroup, type ProcessGroup } from "../helpers/process-group.js";
import { AUTH, SEND_PATH, validMessage } from "./harness.js";

/** Runs the CLI in this process until `use` is done with its URL, then stops it as Ctrl-C would. */
async function withCli(
  argv: string[],
  use: (url: string) => Promise<void>,
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const controller = new AbortController();
  let failure: unknown;
  const code = await runMockCli(argv, {
    stdout: (text) => (out += text),
    stderr: (text) => (err += text),
    signal: controller.signal,
    env,
    onListening: (url) => {
      use(url)
        .catch((error: unknown) => (failure = error))
        .finally(() => controller.abort());
    },
  });
  if (failure !== undefined) throw failure;
  return { code, out, err };
}

describe("runMockCli", () => {
  it("takes its default credentials from the environment it is given, never from the process's", async () => {
    vi.stubEnv("JELOU_CLIENT_ID", "from-the-shell");
    vi.stubEnv("JELOU_CLIENT_SECRET", "shell-secret");
    try {
      const status = (url: string, id: string, secret: string) =>
        fetch(`${url}${SEND_PATH}`, {
          method: "POST",
          headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`, "content-type": "application/json" },
          body: JSON.stringify(validMessage()),
        }).then((r) => r.status);
      await withCli(["--port", "0"], async (url) => {
        expect(await status(url, "given-id", "given-secret")).toBe(200);
        expect(await status(url, "from-the-shell", "shell-secret")).toBe(401);
      }, { JELOU_CLIENT_ID: "given-id", JELOU_CLIENT_SECRET: "given-secret" });
      await withCli(["--port", "0"], async (url) => expect(await status(url, "anyone", "anything")).toBe(200));
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("prints the base URL, the inbox URL and the credential rule (never the secret), serves, and stops cleanly", async () => {
    const { code, out } = await withCli(["--port", "0", "--client-id", "test-client", "--client-secret", "s3cr3t-Value-That-Must-Not-Leak"], async (url) => {
      const response = await fetch(`${url}${SEND_PATH}`, {
        method: "POST",
        headers: { authorization: AUTH, "content-type": "application/json" },
        body: JSON.stringify(validMessage()),
      });
      expect(response.status).toBe(200);
    });
    expect(code).toBe(0);
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    expect(url).toBeDefined();
    expect(out).toContain(`Base URL     ${url}`);
    expect(out).toContain(`${url}/__mock/messages`);
    expect(out).toContain('client id "test-client"');
    expect(out).not.toContain("s3cr3t");
    expect(out).toContain("Stopped. It accepted 1 and rejected 0 requests.");
  });

  it("says when any credentials pass, and checks a registry file", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "mock-cli-"));
    const file = path.join(dir, "bots.json");
    writeFileSync(file, JSON.stringify({ bots: { "bot-1": { flows: ["welcome_flow"] } } }));
    try {
      const { out } = await withCli(["--port", "0", "--bots", file, "--max-messages", "5", "--max-retained-bytes", "200000"], async (url) => {
        const other = await fetch(`${url}/v1/bots/bot-2/users/593987654321/flow_message`, {
          method: "POST",
          headers: { authorization: "Basic YTpi", "content-type": "application/json" },
          body: JSON.stringify(validMessage()),
        });
        expect(other.status).toBe(404);
        const health = (await (await fetch(`${url}/__mock/health`)).json()) as { inbox: { maxMessages: number; maxRetainedBytes: number } };
        expect(health.inbox.maxMessages).toBe(5);
        expect(health.inbox.maxRetainedBytes).toBe(200_000);
      });
      expect(out).toContain("any well-formed Basic");
      expect(out).toContain("1 bots from the registry");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exits 2 on a wrong flag, a half-given credential or a broken registry, naming the problem", async () => {
    const run = async (argv: string[]) => {
      let err = "";
      const code = await runMockCli(argv, { stdout: () => undefined, stderr: (t) => (err += t), env: {} });
      return { code, err };
    };
    expect(await run(["--port", "abc"])).toMatchObject({ code: 2, err: expect.stringContaining("--port") });
    expect(await run(["--nope"])).toMatchObject({ code: 2 });
    expect(await run(["--client-id", "x"])).toMatchObject({ code: 2, err: expect.stringContaining("both a client id and a client secret") });
    expect(await run(["--bots", "/nonexistent.json"])).toMatchObject({ code: 2, err: expect.stringContaining("Cannot read the bot registry") });
    expect(await run(["--chaos", "2"])).toMatchObject({ code: 2 });
  });

  it("exits 0 after --help", async () => {
    let out = "";
    expect(await runMockCli(["--help"], { stdout: (t) => (out += t), stderr: () => undefined })).toBe(0);
    expect(out).toContain("--max-messages");
  });

  it("exits 1 with a hint when the port is taken", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as { port: number };
    try {
      let err = "";
      const code = await runMockCli(["--port", String(port)], { stdout: () => undefined, stderr: (t) => (err += t) });
      expect(code).toBe(1);
      expect(err).toContain("--port 0");
    } finally {
      blocker.close();
    }
  });
});

describe("npm start", () => {
  let group: ProcessGroup | undefined;
  afterEach(async () => {
    await group?.stop();
  });

  it("starts the mock, sends a demo message that reads back from /__mock/messages, and stops on SIGINT", async () => {
    group = startProcessGroup("npm start", process.execPath, ["--import", "tsx", "scripts/start.ts"], {
      env: { PORT: "0", JELOU_CLIENT_ID: "", JELOU_CLIENT_SECRET: "" },
    });
    await group.waitForOutput(/Press Ctrl-C to stop/, 30_000);
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(group.logs())?.[1] as string;
    const list = (await (await fetch(`${url}/__mock/messages`)).json()) as { messages: { botId: string; body: { title: string } }[] };
    expect(list.messages).toHaveLength(1);
    expect(list.messages[0]).toMatchObject({ botId: "demo-bot", body: { title: "Welcome to Clinic Norte" } });
    process.kill(-group.pid, "SIGINT");
    await group.waitForOutput(/Stopping the mock Jelou/, 10_000);
    await expect.poll(() => group?.exitStatus(), { timeout: 5000 }).toBe("exit code 0");
  });

  it("jelou-flow mock exits promptly on SIGINT even with a ten-minute hang in flight", async () => {
    const script = "const m = await import('./mock/index.ts'); process.exitCode = await m.runMockCli(['--port', '0']);";
    group = startProcessGroup("mock cli", process.execPath, ["--import", "tsx", "--input-type=module", "-e", script]);
    const [, url] = await group.waitForOutput(/listening on (http:\/\/127\.0\.0\.1:\d+)/, 30_000);
    await fetch(`${url}/__mock/faults`, { method: "POST", body: JSON.stringify({ kind: "hang", delayMs: 600_000 }) });
    const hung = fetch(`${url}${SEND_PATH}`, { method: "POST", body: "{}" }).catch((error: unknown) => error);
    await expect.poll(async () => (await (await fetch(`${url}/__mock/faults`)).json()) as unknown).toEqual({ faults: [] });
    const started = Date.now();
    process.kill(-group.pid, "SIGINT");
    await expect.poll(() => group?.exitStatus(), { timeout: 8000 }).toBe("exit code 0");
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await hung).toBeInstanceOf(TypeError);
  });
});

import { afterEach, describe, expect, it, vi } from "vitest";
import { createMockJelou } from "../../mock/index.js";
import { EXIT } from "../../src/cli/exit-codes.js";
import { CREDENTIALS, runInProcess } from "./helpers.js";

const mock = createMockJelou({
  clientId: CREDENTIALS.JELOU_CLIENT_ID,
  clientSecret: CREDENTIALS.JELOU_CLIENT_SECRET,
  bots: {
    bots: {
      "bot-1": { provider: "whatsapp_cloud" },
      "bot-private": { clientIds: ["someone-else"] },
      "bot-sms": { provider: "twilio_sms" },
    },
  },
});
afterEach(() => {
  mock.faults.clear();
  mock.inbox.clear();
});

const message = (bot = "bot-1") => [
  "send", "--bot", bot, "--to", "+593 98 765 4321", "--title", "Hello", "--text", "Complete this flow", "--caption", "Jelou",
  "--flow", "welcome_flow", "--cta", "Start Flow", "--screen", "START", "--data", '{"doctor":"Dr. Vera"}',
];
const send = (args: string[], env: Record<string, string> = CREDENTIALS, interrupt?: (trigger: () => void) => void) =>
  runInProcess(args, env, { fetch: mock.fetch, ...(interrupt && { interrupt }) });

describe("send", () => {
  it("sends and prints the outcome; --json prints one object", async () => {
    const human = await send(message());
    expect(human.code).toBe(EXIT.ok);
    expect(human.stdout).toMatch(/^Sent: HTTP 200, message id \S+ \(1 attempt\)\.\n$/);
    const machine = await send([...message(), "--json"]);
    expect(JSON.parse(machine.stdout)).toMatchObject({ ok: true, status: 200, attempts: 1 });
    const latest = mock.inbox.get("latest");
    expect(latest).toMatchObject({ botId: "bot-1", userId: "593987654321", body: { parameters: { flow_action_payload: { data: { doctor: "Dr. Vera" } } } } });
  });

  it("reads the address from the command's environment only, not from the process's", async () => {
    vi.stubEnv("JELOU_BASE_URL", "http://127.0.0.1:9");
    try {
      const run = await send([...message(), "--dry-run"]);
      expect(run.stdout).toContain("POST https://api.jelou.ai/v1/bots/bot-1/");
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("--dry-run prints the request with the credential redacted and a curl, and sends nothing", async () => {
    const run = await send([...message(), "--dry-run"]);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain("POST https://api.jelou.ai/v1/bots/bot-1/users/593987654321/flow_message\n");
    expect(run.stdout).toMatch(/^Authorization: Basic \S*REDACTED/im);
    expect(run.stdout).toContain("curl ");
    expect(run.stdout).not.toContain(CREDENTIALS.JELOU_CLIENT_SECRET);
    expect(mock.inbox.list()).toHaveLength(0);
    const json = await send([...message(), "--dry-run", "--json"], {});
    expect(JSON.parse(json.stdout)).toMatchObject({ dryRun: true, method: "POST", body: { title: "Hello" } });
  });

  it("reads the message from --file, with flags taking precedence", async () => {
    const { workspace } = await import("./helpers.js");
    const ws = await workspace();
    try {
      const file = await ws.file("m.json", JSON.stringify({ botId: "bot-1", title: "From file", text: "t", caption: "c", parameters: { flow_name: "f", flow_cta: "Go" } }));
      const run = await send(["send", "--file", file, "--to", "593987654321", "--title", "From flag"]);
      expect(run.code).toBe(EXIT.ok);
      expect(mock.inbox.get("latest")?.body).toMatchObject({ title: "From flag", text: "t" });
      expect((await send(["send", "--file", `${ws.dir}/none.json`])).code).toBe(EXIT.usage);
    } finally {
      await ws.cleanup();
    }
  });

  const cases: Array<[string, number, () => Promise<{ code: number; stdout: string; stderr: string }>]> = [
    ["validation", EXIT.validation, () => send([...message(), "--cta", "A button text far too long"])],
    ["auth", EXIT.auth, () => send(message(), { ...CREDENTIALS, JELOU_CLIENT_SECRET: "wrong" })],
    ["forbidden", EXIT.forbidden, () => send(message("bot-private"))],
    ["not_found", EXIT.not_found, () => send(message("bot-unknown"))],
    ["http", EXIT.http, () => send(message("bot-sms"))],
    ["rate_limited", EXIT.rate_limited, async () => (mock.faults.add({ kind: "rate_limit", times: 3, retryAfterSeconds: 0 }), send(message()))],
    ["server", EXIT.server, async () => (mock.faults.add({ kind: "server_error" }), send(message()))],
    ["network", EXIT.network, () => runInProcess(message(), { ...CREDENTIALS, JELOU_BASE_URL: "http://127.0.0.1:1" })],
    ["timeout", EXIT.timeout, async () => (mock.faults.add({ kind: "hang", delayMs: 2000 }), send([...message(), "--timeout", "200"]))],
    ["aborted", EXIT.aborted, async () => (mock.faults.add({ kind: "hang", delayMs: 2000 }), send(message(), CREDENTIALS, (trigger) => setTimeout(trigger, 100)))],
  ];

  it.each(cases)("exits with the code of a %s error, and names it in --json", async (kind, code, run) => {
    const result = await run();
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(/^Error: /);
    expect(result.stderr + result.stdout).not.toContain(CREDENTIALS.JELOU_CLIENT_SECRET);
    if (kind === "timeout" || kind === "aborted") {
      // Said once, and without the library's `retry: { unsafe: true }`, which no command has.
      expect(result.stderr.match(/may have been sent/g)).toHaveLength(1);
      expect(result.stderr).not.toContain("unsafe");
      if (kind === "timeout") {
        mock.faults.add({ kind: "hang", delayMs: 2000 });
        const json = JSON.parse((await send([...message(), "--timeout", "200", "--json"])).stdout);
        expect(json).toMatchObject({ exitCode: code, error: { kind, maybeSent: true } });
        expect(json.error.message).toContain("may have been sent");
        expect(json.error.message).not.toContain("unsafe");
      }
    }
    if (kind === "validation") {
      expect(result.stderr).toContain("parameters.flow_cta");
      const json = await send([...message(), "--cta", "A button text far too long", "--json"]);
      expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, exitCode: code, error: { kind } });
    }
  });

  it("each error kind has its own exit code", () => {
    const codes = cases.map(([, code]) => code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it("exits 2 on usage errors: unknown flag, bad JSON flag, no credentials", async () => {
    expect((await send(["send", "--nope"])).code).toBe(EXIT.usage);
    expect((await send([...message(), "--data", "[1]"])).stderr).toContain("--data must be a JSON object");
    const noCredentials = await send(message(), {});
    expect(noCredentials.code).toBe(EXIT.usage);
    expect(noCredentials.stderr).toContain("JELOU_CLIENT_ID and JELOU_CLIENT_SECRET are not set");
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/cli/exit-codes.js";
import { startJelouStandIn, STAND_IN_CLIENT_ID, STAND_IN_SECRET, type JelouStandIn } from "../helpers/jelou-stand-in.js";
import { startRedis, type RedisServer } from "../helpers/redis.js";
import { csvOf, inboxCounts, runInProcess, useMockAndWorkspace } from "./helpers.js";

const ctx = useMockAndWorkspace();

describe("the queue's commands and verify on the command line", () => {
  it("--help lists worker, campaign and verify; verify --help lists its options", async () => {
    const help = await runInProcess(["--help"]);
    for (const text of ["worker [options]", "campaign [options] <name>", "verify [options]"]) expect(help.stdout).toContain(text);
    const verify = await runInProcess(["verify", "--help"]);
    expect(verify.code).toBe(EXIT.ok);
    for (const flag of ["--send-to <phone>", "--bot <botId>", "--flow <slug>", "--template <message.json>", "--yes", "--json"]) {
      expect(verify.stdout).toContain(flag);
    }
    expect(verify.stdout).toContain("--report <file.md>");
    expect((await runInProcess(["bulk", "--help"])).stdout).toMatch(/--queue <redis-url>[\s\S]*--campaign <name>/);
    expect((await runInProcess(["worker", "--help"])).stdout).toMatch(/--exit-when-idle[\s\S]*--allow-unsafe-redis/);
  });

  it("bulk --queue needs --campaign, and refuses the journal's flags, before reading anything", async () => {
    const list = await ctx.ws.file("list.csv", csvOf(3));
    const base = ["bulk", list, "--template", ctx.ws.template, "--bot", "bot-1", "--queue", "redis://127.0.0.1:1/0"];
    const noCampaign = await runInProcess(base);
    expect(noCampaign.code).toBe(EXIT.usage);
    expect(noCampaign.stderr).toMatch(/--queue needs --campaign/);
    for (const flag of [["--journal", "x.jsonl"], ["--resume"], ["--skip-invalid"]]) {
      const refused = await runInProcess([...base, "--campaign", "spring", ...flag]);
      expect(refused.code).toBe(EXIT.usage);
      expect(refused.stderr).toContain(`${flag[0]} cannot be used with --queue`);
    }
    // A queued campaign may be enqueued again with another template when asked: only the journal's own flags are refused.
    const both = await runInProcess([...base, "--campaign", "spring", "--journal", "x.jsonl", "--allow-template-change"]);
    expect(both.stderr).toContain("--journal cannot be used with --queue");
    expect(both.stderr).not.toContain("--allow-template-change cannot");
    const noQueue = await runInProcess(["bulk", list, "--template", ctx.ws.template, "--bot", "bot-1", "--campaign", "spring"]);
    expect(noQueue.code).toBe(EXIT.usage);
  });

  it("worker and campaign need --queue", async () => {
    expect((await runInProcess(["worker"])).code).toBe(EXIT.usage);
    expect((await runInProcess(["campaign", "spring"])).code).toBe(EXIT.usage);
  });
});

describe("verify through the real program", () => {
  let standIn: JelouStandIn | undefined;
  afterEach(() => standIn?.close());
  const env = () => ({ JELOU_CLIENT_ID: STAND_IN_CLIENT_ID, JELOU_CLIENT_SECRET: STAND_IN_SECRET, JELOU_BASE_URL: standIn!.url });

  it("exits 17 when the answers drift from openapi.yaml, 0 when they conform", async () => {
    standIn = await startJelouStandIn("drift");
    const drift = await runInProcess(["verify", "--json"], env());
    expect(drift.code, drift.stderr).toBe(EXIT.drift);
    expect(JSON.parse(drift.stdout)).toMatchObject({ conforms: false, exitCode: 17 });
    await standIn.close();
    standIn = await startJelouStandIn("contract");
    const conforms = await runInProcess(["verify"], env());
    expect(conforms.code, conforms.stdout + conforms.stderr).toBe(EXIT.ok);
  });
});

describe("bulk --queue and campaign against a Redis", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  }, 30_000);
  afterAll(() => redis.stop());

  it("enqueues the list, prints the campaign, and campaign --json shows it pending", { timeout: 30_000 }, async () => {
    const list = await ctx.ws.file("queued.csv", csvOf(4));
    const args = ["bulk", list, "--template", ctx.ws.template, "--bot", "bot-1", "--queue", redis.url, "--campaign", "cli-wired"];
    const enqueued = await runInProcess(args);
    expect(enqueued.code, enqueued.stderr).toBe(EXIT.ok);
    expect(enqueued.stdout).toBe("cli-wired\n");
    const shown = await runInProcess(["campaign", "cli-wired", "--queue", redis.url, "--json"]);
    expect(shown.code, shown.stderr).toBe(EXIT.ok);
    expect(JSON.parse(shown.stdout)).toMatchObject({ campaign: "cli-wired", counts: { total: 4 } });
    expect(inboxCounts(ctx.server.mock).size).toBe(0); // the worker sends, not bulk --queue
  });
});

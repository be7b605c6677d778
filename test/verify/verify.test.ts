import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runVerify, VERIFY_EXIT, type VerifyIo, type VerifyOptions } from "../../src/verify/verify.js";
import { NOBODY } from "../../src/verify/probes.js";
import type { VerifyReport } from "../../src/verify/report.js";
import { startJelouStandIn, STAND_IN_BOT, STAND_IN_CLIENT_ID, STAND_IN_SECRET, type JelouStandIn } from "../helpers/jelou-stand-in.js";
import { createMockJelou } from "../../mock/index.js";

const OWN_NUMBER = "593987654321";
const TOKEN = Buffer.from(`${STAND_IN_CLIENT_ID}:${STAND_IN_SECRET}`).toString("base64");
let standIn: JelouStandIn | undefined;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "jelou-flow-verify-"));
});

afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  prompts: string[];
}

async function verify(options: VerifyOptions, over: Partial<VerifyIo> & { typed?: string } = {}): Promise<Run> {
  const run: Run = { code: -1, stdout: "", stderr: "", prompts: [] };
  const io: VerifyIo = {
    stdout: { write: (text) => (run.stdout += text) },
    stderr: { write: (text) => (run.stderr += text) },
    env: { JELOU_CLIENT_ID: STAND_IN_CLIENT_ID, JELOU_CLIENT_SECRET: STAND_IN_SECRET, JELOU_BASE_URL: standIn?.url },
    isTTY: false,
    prompt: async (question) => {
      run.prompts.push(question);
      return over.typed ?? "";
    },
    ...over,
  };
  run.code = await runVerify(options, io);
  return run;
}

const SEND: VerifyOptions = { sendTo: "+593 98 765 4321", bot: STAND_IN_BOT, flow: "welcome_flow", yes: true };

describe("jelou-flow verify against a stand-in that answers as the contract says", () => {
  it("exits 0, and its reports say every probe conforms", async () => {
    standIn = await startJelouStandIn("contract");
    const report = path.join(dir, "verify.md");
    const run = await verify({ ...SEND, json: true, report });
    expect(run.code).toBe(VERIFY_EXIT.ok);
    const json = JSON.parse(run.stdout) as VerifyReport;
    expect(json.conforms).toBe(true);
    expect(json.probes.map((p) => [p.name, p.status, p.conforms, p.differences])).toEqual([
      ["wrong-credentials", 401, true, []],
      ["unknown-bot", 404, true, []],
      ["send", 200, true, []],
    ]);
    expect(run.stderr).toContain("The real message went to 5939****4321, once.");
    const markdown = await readFile(report, "utf8");
    expect(markdown).toContain("**Every probe conforms to openapi.yaml (3 run).**");
    expect(markdown.match(/: conforms$/gm)).toHaveLength(3);
  });

  it("sends each probe once, the real message only to --send-to, the others to nobody", async () => {
    standIn = await startJelouStandIn("contract");
    await verify(SEND);
    const requests = standIn.requests;
    expect(requests).toHaveLength(3);
    expect(requests.map((r) => r.userId)).toEqual([NOBODY, NOBODY, OWN_NUMBER]);
    expect(requests[0]!.authorization).not.toBe(`Basic ${TOKEN}`);
    expect(requests.slice(1).map((r) => r.authorization)).toEqual([`Basic ${TOKEN}`, `Basic ${TOKEN}`]);
    expect(requests[1]!.botId).toMatch(/^jelou-flow-verify-no-such-bot-/);
    expect(JSON.parse(requests[2]!.body)).toMatchObject({ parameters: { flow_name: "welcome_flow" } });
  });

  it("sends the --template message, its Flow replaced by --flow when given", async () => {
    standIn = await startJelouStandIn("contract");
    const template = path.join(dir, "survey.json");
    const message = { title: "Survey", text: "Tell us", caption: "Jelou", parameters: { flow_name: "survey_flow", flow_cta: "Start" } };
    await writeFile(template, JSON.stringify({ ...message, botId: "ignored", userId: "1234567" }));
    expect((await verify({ ...SEND, flow: undefined, template })).code).toBe(VERIFY_EXIT.ok);
    expect((await verify({ ...SEND, flow: "other_flow", template })).code).toBe(VERIFY_EXIT.ok);
    const sent = standIn.requests.filter((r) => r.userId === OWN_NUMBER).map((r) => JSON.parse(r.body) as typeof message);
    expect(sent).toEqual([message, { ...message, parameters: { ...message.parameters, flow_name: "other_flow" } }]);
    // Every probe that reaches nobody opens the same Flow, so that only the credentials or the bot can be refused.
    expect(JSON.parse(standIn.requests[0]!.body)).toMatchObject({ parameters: { flow_name: "jelou_flow_verify" } });
  });

  it("without --send-to runs the two probes that reach nobody and says the real send was not run", async () => {
    standIn = await startJelouStandIn("contract");
    const run = await verify({});
    expect(run.code).toBe(VERIFY_EXIT.ok);
    expect(standIn.requests.map((r) => r.userId)).toEqual([NOBODY, NOBODY]);
    expect(run.stdout).toMatch(/^skipped One real Flow message: give --send-to NUMBER and --bot BOT/m);
  });
});

describe("jelou-flow verify against a stand-in that drifted from the contract", () => {
  it("names each difference, its schema path and the change to openapi.yaml, and exits with the drift code", async () => {
    standIn = await startJelouStandIn("drift");
    const report = path.join(dir, "verify.md");
    const run = await verify({ ...SEND, json: true, report });
    expect(run.code).toBe(VERIFY_EXIT.drift);
    expect(VERIFY_EXIT.drift).toBe(17);
    const json = JSON.parse(run.stdout) as VerifyReport;
    expect(json.conforms).toBe(false);
    const [auth, bot, send] = json.probes;
    expect(auth).toMatchObject({ status: 401, contentType: "text/html", body: '{ "error": "Unauthorized" }' });
    expect(auth!.differences.map((d) => [d.part, d.schemaPath, d.suggestion])).toEqual([
      ["content-type", "#/components/responses/Unauthorized/content",
        "401 answered text/html: add `text/html` to the content of Unauthorized (#/components/responses/Unauthorized/content)"],
      ["body", "#/components/schemas/JelouError/required",
        "401 body has no `code`: remove it from the required list of JelouError (#/components/schemas/JelouError/required)"],
      ["body", "#/components/schemas/JelouError/properties", "401 body has `error` (string): add it to JelouError"],
    ]);
    expect(bot!.status).toBe(500);
    expect(bot!.differences).toHaveLength(1);
    expect(bot!.differences[0]).toMatchObject({ part: "status", schemaPath: "#/components/responses/NotFound",
      expected: "404 `bot_not_found` or 403 `forbidden_bot`", actual: "500 `internal_server_error`" });
    expect(bot!.differences[0]!.suggestion).toContain("description of the 500 response (#/components/responses/InternalServerError)");
    expect(send!.differences.map((d) => d.suggestion)).toEqual([
      "200 body has `success` (boolean): add it to FlowMessageSent",
      "200 body has `messageId` (string): add it to FlowMessageSent",
    ]);
    const markdown = await readFile(report, "utf8");
    expect(markdown).toContain("**3 of 3 probes differ from openapi.yaml (exit 17).**");
    expect(markdown).toContain("| body | /messageId | `#/components/schemas/FlowMessageSent/properties` |");
    expect(markdown).toContain("200 body has `messageId` (string): add it to FlowMessageSent |");
    // Each probe was sent once, drift or not: nothing is retried, not even the 500.
    expect(standIn.requests).toHaveLength(3);
  });

  it("prints the same findings for a person, each with its schema path and change", async () => {
    standIn = await startJelouStandIn("drift");
    const run = await verify(SEND);
    expect(run.code).toBe(VERIFY_EXIT.drift);
    expect(run.stdout).toContain("DIFFERS A bot that cannot exist: 500, 1 difference");
    expect(run.stdout).toContain("      schema path: #/components/schemas/FlowMessageSent/properties\n      change: 200 body has `messageId`");
  });
});

describe("what jelou-flow verify never does", () => {
  it("without --yes on a non-terminal sends nothing at all, to --send-to or anyone", async () => {
    standIn = await startJelouStandIn("contract");
    const run = await verify({ ...SEND, yes: false });
    expect(run.code).toBe(VERIFY_EXIT.usage);
    expect(run.stderr).toMatch(/add --yes to confirm.*Nothing was sent\./);
    expect(run.prompts).toEqual([]);
    expect(standIn.requests).toEqual([]);
  });

  it("on a terminal, sends only once the number is typed again", async () => {
    standIn = await startJelouStandIn("contract");
    const wrong = await verify({ ...SEND, yes: false }, { isTTY: true, typed: "593987650000" });
    expect(wrong.code).toBe(VERIFY_EXIT.usage);
    expect(standIn.requests).toEqual([]);
    const typed = await verify({ ...SEND, yes: false }, { isTTY: true, typed: "+593 98-765-4321" });
    expect(typed.prompts).toEqual([`verify sends one real Flow message to ${OWN_NUMBER}. Type that number to confirm: `]);
    expect(typed.code).toBe(VERIFY_EXIT.ok);
    expect(standIn.requests.filter((r) => r.userId === OWN_NUMBER)).toHaveLength(1);
  });

  it("puts the secret in no output or report, in any form, even when the server echoes it", async () => {
    standIn = await startJelouStandIn("contract", { echo: true });
    const report = path.join(dir, "verify.md");
    const json = await verify({ ...SEND, json: true, report });
    const text = await verify(SEND);
    const everything = [json.stdout, json.stderr, text.stdout, text.stderr, await readFile(report, "utf8")].join("\n");
    expect(everything).toContain("[REDACTED]");
    for (const form of [STAND_IN_SECRET, TOKEN, encodeURIComponent(STAND_IN_SECRET)]) expect(everything).not.toContain(form);
  });

  it("refuses a missing credential or --send-to without --bot before sending anything", async () => {
    standIn = await startJelouStandIn("contract");
    const noSecret = await verify({}, { env: { JELOU_CLIENT_ID: "x", JELOU_BASE_URL: standIn.url } });
    expect(noSecret.code).toBe(VERIFY_EXIT.usage);
    expect(noSecret.stderr).toContain("JELOU_CLIENT_SECRET must be set");
    const noBot = await verify({ sendTo: OWN_NUMBER, yes: true, flow: "welcome_flow" });
    expect(noBot.code).toBe(VERIFY_EXIT.usage);
    expect(noBot.stderr).toContain("--send-to needs --bot BOT");
    expect(standIn.requests).toEqual([]);
  });

  it("exits with the network code when nothing answers", async () => {
    standIn = await startJelouStandIn("contract");
    const url = standIn.url;
    await standIn.close();
    standIn = undefined;
    const env = { JELOU_CLIENT_ID: STAND_IN_CLIENT_ID, JELOU_CLIENT_SECRET: STAND_IN_SECRET, JELOU_BASE_URL: url };
    const run = await verify({ json: true }, { env });
    expect(run.code).toBe(VERIFY_EXIT.network);
    const json = JSON.parse(run.stdout) as VerifyReport;
    expect(json.probes.map((p) => p.error?.kind)).toEqual(["network", "network"]);
  });
});

describe("what verify says became of the real message", () => {
  it("says it may have been sent when no answer or a 5xx came, and that nothing was sent when it was refused", async () => {
    const mock = createMockJelou({ clientId: STAND_IN_CLIENT_ID, clientSecret: STAND_IN_SECRET, env: false });
    const server = await mock.listen();
    const env = { JELOU_CLIENT_ID: STAND_IN_CLIENT_ID, JELOU_CLIENT_SECRET: STAND_IN_SECRET, JELOU_BASE_URL: server.url };
    try {
      mock.faults.add({ kind: "drop", userId: OWN_NUMBER });
      const dropped = await verify(SEND, { env });
      expect(dropped.stderr).toMatch(/The real message may have reached 5939\*\*\*\*4321 \(no answer: network\); it was sent at most once/);
      mock.faults.add({ kind: "server_error", userId: OWN_NUMBER });
      expect((await verify(SEND, { env })).stderr).toContain("may have reached 5939****4321 (Jelou answered 500)");
      const refused = await verify(SEND, { env: { ...env, JELOU_CLIENT_SECRET: "wrong" } });
      expect(refused.stderr).toContain("Jelou refused the real message (401): nothing was sent to 5939****4321.");
      expect(dropped.stderr + refused.stderr).not.toContain("went to 5939****4321, once");
    } finally {
      await server.close();
    }
  });
});

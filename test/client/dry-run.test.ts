import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { createJelouClient } from "../../src/index.js";
import { validMessage, useFakeJelou } from "./fake-jelou.js";

const jelou = useFakeJelou();

/** The curl test runs the command for real; a machine without curl skips it (and says so in the report). */
const hasCurl = spawnSync("curl", ["--version"]).status === 0;

const credentials = { clientId: "my_client_id", clientSecret: "my_client_secret" };

describe("dryRun", () => {
  it("returns the exact request, credential redacted, and sends nothing", async () => {
    const client = createJelouClient({ ...credentials, baseUrl: jelou.url });
    const dry = await client.sendFlowMessage({ ...validMessage(), userId: "+593 98-765-4321" }, { dryRun: true, type: "std flow" });
    const { botId: _b, userId: _u, ...body } = validMessage();
    expect(dry).toMatchObject({
      dryRun: true,
      method: "POST",
      url: `${jelou.url}/v1/bots/bot-1/users/593987654321/flow_message?type=std%20flow`,
      headers: { Authorization: "Basic [REDACTED]", "Content-Type": "application/json" },
      body,
    });
    expect(dry.curl.split(" \\\n  ")).toEqual([
      `curl -X POST '${dry.url}'`,
      `-u "$JELOU_CLIENT_ID:$JELOU_CLIENT_SECRET"`,
      `-H 'Content-Type: application/json'`,
      `--data-raw '${JSON.stringify(body)}'`,
    ]);
    expect(JSON.stringify(dry)).not.toContain("my_client_secret");
    expect(JSON.stringify(dry)).not.toContain(Buffer.from("my_client_id:my_client_secret").toString("base64"));
    expect(jelou.received).toHaveLength(0);
  });

  it("gives the URL and body a real send uses", async () => {
    const client = createJelouClient({ ...credentials, baseUrl: jelou.url });
    const message = { ...validMessage(), botId: "bot-é:1", payload: { note: "it's" } };
    const dry = await client.sendFlowMessage(message, { dryRun: true });
    await client.sendFlowMessage(message);
    expect(dry.url).toBe(`${jelou.url}${jelou.received[0]?.url}`);
    expect(JSON.stringify(dry.body)).toBe(jelou.received[0]?.body);
  });

  it.skipIf(!hasCurl)("gives a curl command that sends the same request", async () => {
    const client = createJelouClient({ ...credentials, baseUrl: jelou.url });
    const message = { ...validMessage(), payload: { note: "it's \"quoted\" $HOME `x`" } };
    const dry = await client.sendFlowMessage(message, { dryRun: true });
    await client.sendFlowMessage(message);
    await promisify(execFile)("sh", ["-c", dry.curl], {
      env: { PATH: process.env.PATH, JELOU_CLIENT_ID: credentials.clientId, JELOU_CLIENT_SECRET: credentials.clientSecret },
    });
    const [sent, curled] = jelou.received;
    expect(curled?.method).toBe(sent?.method);
    expect(curled?.url).toBe(sent?.url);
    expect(curled?.body).toBe(sent?.body);
    expect(curled?.headers.authorization).toBe(sent?.headers.authorization);
    expect(curled?.headers["content-type"]).toBe("application/json");
  });
});

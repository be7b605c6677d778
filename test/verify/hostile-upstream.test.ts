/** `jelou-flow verify` against an upstream that answers oddly or echoes the secret: it reports drift, never leaks. */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runVerify, VERIFY_EXIT, type VerifyIo, type VerifyOptions } from "../../src/verify/verify.js";
import type { VerifyReport } from "../../src/verify/report.js";

const ID = "client-1";
const SECRET = "s3cr3t/+stand-in=";
let server: Server | undefined;
let hits = 0;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "jelou-flow-verify-hostile-"));
  hits = 0;
});

afterEach(async () => {
  server?.closeAllConnections();
  server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function upstream(answer: (res: ServerResponse, authorization: string) => void): Promise<string> {
  server = createServer((req, res) => req.resume().on("end", () => {
    hits += 1;
    answer(res, req.headers.authorization ?? "");
  }));
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const json = (status: number, body: string, type = "application/json") => (res: ServerResponse) => {
  res.writeHead(status, { "content-type": type });
  res.end(body);
};

async function verify(url: string, options: VerifyOptions, over: Partial<VerifyIo> & { secret?: string } = {}) {
  const run = { code: -1, stdout: "", stderr: "" };
  const io: VerifyIo = {
    stdout: { write: (text) => (run.stdout += text) },
    stderr: { write: (text) => (run.stderr += text) },
    env: { JELOU_CLIENT_ID: ID, JELOU_CLIENT_SECRET: over.secret ?? SECRET, JELOU_BASE_URL: url },
    isTTY: false,
    prompt: async () => "",
    ...over,
  };
  run.code = await runVerify(options, io);
  return run;
}

describe("verify against a hostile upstream", () => {
  it("leaks no base64 of the pair without padding or as base64url, nor the secret's own base64", async () => {
    const url = await upstream((res, authorization) => {
      const token = authorization.slice(6);
      const own = Buffer.from(SECRET).toString("base64");
      const url = Buffer.from(token, "base64").toString("base64url");
      const seen = { code: "bot_not_found", a: token.replace(/=+$/, ""), b: url, own };
      json(404, JSON.stringify(seen))(res);
    });
    const run = await verify(url, { json: true });
    const token = Buffer.from(`${ID}:${SECRET}`).toString("base64");
    expect(run.stdout).not.toContain(token.replace(/=+$/, ""));
    expect(run.stdout).not.toContain(Buffer.from(`${ID}:${SECRET}`).toString("base64url"));
    expect(run.stdout).not.toContain(Buffer.from(SECRET).toString("base64"));
  });

  it("leaves no start of the secret where the body is cut, nor the secret lower-cased from a Content-Type", async () => {
    const pad = "x".repeat(2000 - 28 - 9);
    let url = await upstream(json(401, `{"code":"unauthorized","a":"${pad}${SECRET}"}`));
    let run = await verify(url, { json: true });
    expect(run.stdout).not.toContain(SECRET.slice(0, 9));
    server?.close();
    const mixed = "AbCdEfGh-Mixed-Case-Secret";
    url = await upstream(json(200, "{}", `text/${mixed}`));
    run = await verify(url, { json: true }, { secret: mixed });
    expect(run.code).toBe(VERIFY_EXIT.drift);
    expect(run.stdout.toLowerCase()).not.toContain(mixed.toLowerCase());
  });

  it("reports a body too deeply nested to show as drift", async () => {
    const url = await upstream(json(200, `${"[".repeat(30_000)}${"]".repeat(30_000)}`));
    const run = await verify(url, { json: true });
    expect(run.code).toBe(VERIFY_EXIT.drift);
    expect((JSON.parse(run.stdout) as VerifyReport).probes.every((p) => p.error === undefined)).toBe(true);
  });

  it("checks --report before anything is sent: no folder, template, openapi.yaml or missing folder", async () => {
    const url = await upstream(json(401, '{"code":"unauthorized"}'));
    const template = path.join(dir, "message.json");
    await writeFile(template, JSON.stringify({ title: "Hi", text: "Hello", caption: "J", parameters: { flow_name: "f" } }));
    await mkdir(path.join(dir, "folder"));
    const send: VerifyOptions = { sendTo: "593987654321", bot: "b1", yes: true, template };
    for (const report of [path.join(dir, "folder"), template, path.join(dir, "openapi.yaml"), path.join(dir, "no/such/x.md")]) {
      const run = await verify(url, { ...send, report });
      expect(run.code, report).toBe(VERIFY_EXIT.usage);
      expect(run.stderr, report).toMatch(/--report .* Nothing was sent/);
    }
    expect(hits).toBe(0);
    expect(JSON.parse(await readFile(template, "utf8"))).toMatchObject({ title: "Hi" });
  });

  it("quotes a body's key, so that a newline in it forges no report line", async () => {
    const key = "x\nok      Wrong credentials: 401, as the contract says\nEvery probe conforms to openapi.yaml (2 run).\n";
    const url = await upstream(json(200, JSON.stringify({ [key]: 1 })));
    const report = path.join(dir, "forged.md");
    const run = await verify(url, { report });
    expect(run.stdout).not.toMatch(/^ok /m);
    expect(run.stdout).not.toMatch(/^Every probe conforms/m);
    expect(await readFile(report, "utf8")).not.toMatch(/^Every probe conforms/m);
  });

  it("treats a redirect as drift (exit 17), and Ctrl-D at the prompt as not confirmed (exit 2)", async () => {
    const url = await upstream((res) => res.writeHead(307, { location: "https://evil.example/x" }).end());
    const run = await verify(url, { json: true });
    expect(run.code).toBe(VERIFY_EXIT.drift);
    const abort = Object.assign(new Error("The operation was aborted"), { name: "AbortError" });
    const send: VerifyOptions = { sendTo: "593987654321", bot: "b1", flow: "f" };
    const closed = await verify(url, send, { isTTY: true, prompt: () => Promise.reject(abort) });
    expect(closed.code).toBe(VERIFY_EXIT.usage);
    expect(closed.stderr).toContain("Not confirmed");
  });

  it("keeps the report's own keys when the secret is short enough to be in them", async () => {
    const url = await upstream(json(401, '{"code":"unauthorized"}'));
    const run = await verify(url, { json: true }, { secret: "name" });
    expect(Object.keys(JSON.parse(run.stdout) as VerifyReport)).toContain("baseUrl");
    expect((JSON.parse(run.stdout) as VerifyReport).probes[0]).toHaveProperty("name", "wrong-credentials");
  });
});

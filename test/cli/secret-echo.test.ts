import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csvOf, phone, runCliProcess, workspace } from "./helpers.js";

const CLIENT_ID = "ops-team";
/** A secret that every encoding changes: JSON (" and \), percent (space, %, +, /), HTML (<, &, >, '). */
const SECRET = `s3c"r\\et <&>'+%/x`;
const BASIC = Buffer.from(`${CLIENT_ID}:${SECRET}`).toString("base64");
const html = (s: string) => s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;").replaceAll("'", "&#39;");
const json = (s: string) => JSON.stringify(s).slice(1, -1);
const FORMS = [SECRET, BASIC, json(SECRET), encodeURIComponent(SECRET), html(SECRET), json(BASIC), encodeURIComponent(BASIC)];
const ECHO = FORMS.join(" | ");

let server: Server;
let url: string;
let ws: Awaited<ReturnType<typeof workspace>>;

/** Echoes every form of the credentials: in the ids, the body and the headers of a 200, and in a 500's body for odd recipients. */
beforeAll(async () => {
  ws = await workspace();
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const odd = /\/users\/\d*[13579]\//.test(req.url ?? "");
      res.setHeader("x-request-id", BASIC);
      res.setHeader("x-echo", encodeURIComponent(SECRET));
      res.setHeader("x-message-id", odd ? BASIC : SECRET);
      res.setHeader("content-type", "application/json");
      if (odd) {
        res.statusCode = 500;
        res.end(JSON.stringify({ error: { code: "boom", message: `failed for ${ECHO}` }, echo: ECHO }));
      } else {
        res.end(JSON.stringify({ messageId: SECRET, requestId: BASIC, echo: ECHO, html: html(SECRET) }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await ws?.cleanup();
});

const env = () => ({ JELOU_CLIENT_ID: CLIENT_ID, JELOU_CLIENT_SECRET: SECRET, JELOU_BASE_URL: url });

function expectNoSecret(where: string, text: string): void {
  for (const form of FORMS) expect(text.includes(form), `${where} holds ${form}`).toBe(false);
}

describe.concurrent("a server echoing the credentials in every form", () => {
  for (const json of [false, true]) {
    const flag = json ? ["--json"] : [];
    it(`send${json ? " --json" : ""}: neither the success nor the error shows any form of the secret`, async () => {
      for (const to of [phone(0), phone(1)]) {
        const run = await runCliProcess(["send", "--bot", "bot-1", "--to", to, "--title", "Hi", "--text", "Hello", "--caption", "J", "--flow", "f", "--cta", "Go", "--screen", "S", ...flag], env());
        expect(run.stdout + run.stderr).not.toBe("");
        expectNoSecret(`send ${to} stdout`, run.stdout);
        expectNoSecret(`send ${to} stderr`, run.stderr);
      }
    });

    it(`bulk${json ? " --json" : ""}: neither the journal nor the output shows any form of the secret`, async () => {
      const list = await ws.file(`list-${json}.csv`, csvOf(6));
      const journal = `${list}.journal.jsonl`;
      const run = await runCliProcess(["bulk", list, "--template", ws.template, "--bot", "bot-1", "--progress", "lines", ...flag], env());
      expect(run.code, run.stderr).toBe(14);
      const lines = await readFile(journal, "utf8");
      expect(lines).toContain('"type":"sent"');
      expectNoSecret("journal", lines);
      expectNoSecret("bulk stdout", run.stdout);
      expectNoSecret("bulk stderr", run.stderr);
    });
  }
});

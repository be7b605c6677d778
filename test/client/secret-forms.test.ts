import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { createJelouClient, JelouError, type ResponseEvent } from "../../src/index.js";
import { failure, json, useFakeJelou, validMessage, type Handler } from "./fake-jelou.js";

const jelou = useFakeJelou();

const CLIENT_ID = "my-id";
/** Every character here changes under at least one of the encodings below. */
const SECRET = `s3"c<r>e&t/+='é`;
const BASE64 = Buffer.from(`${CLIENT_ID}:${SECRET}`, "utf8").toString("base64");

const jsonEscaped = (s: string) => JSON.stringify(s).slice(1, -1);
const asciiJson = (s: string, upper: boolean) =>
  jsonEscaped(s).replace(/[^\x20-\x7e]/g, (c) => {
    const hex = c.charCodeAt(0).toString(16).padStart(4, "0");
    return `\\u${upper ? hex.toUpperCase() : hex}`;
  });
const lowerHex = (s: string) => s.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase());
const html = (s: string, apostrophe: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, apostrophe);
const htmlNumeric = (s: string, hex: boolean) =>
  s.replace(/[&<>"']/g, (c) => (hex ? `&#x${c.charCodeAt(0).toString(16)};` : `&#${c.charCodeAt(0)};`));

/** The secret and the encoded credentials as a server might echo them. */
const FORMS: [string, string][] = [
  ["raw", SECRET],
  ["JSON-escaped", jsonEscaped(SECRET)],
  ["JSON-escaped with \\/", jsonEscaped(SECRET).replace(/\//g, "\\/")],
  ["JSON ASCII-only", asciiJson(SECRET, false)],
  ["JSON ASCII-only, upper hex", asciiJson(SECRET, true)],
  ["percent-encoded", encodeURIComponent(SECRET)],
  ["percent-encoded, lower hex", lowerHex(encodeURIComponent(SECRET))],
  ["form-encoded", new URLSearchParams({ v: SECRET }).toString().slice(2)],
  ["HTML-escaped (&#39;)", html(SECRET, "&#39;")],
  ["HTML-escaped (&#x27;)", html(SECRET, "&#x27;")],
  ["HTML decimal entities", htmlNumeric(SECRET, false)],
  ["HTML hex entities", htmlNumeric(SECRET, true)],
  ["base64(id:secret)", BASE64],
  ["Basic header value", `Basic ${BASE64}`],
  ["base64 percent-encoded", encodeURIComponent(BASE64)],
];

function expectClean(text: string, where: string): void {
  for (const [name, form] of FORMS) expect(text, `${name} form in ${where}`).not.toContain(form);
  expect(text, where).not.toContain(BASE64.slice(0, 12));
}

function client(events: ResponseEvent[] = []) {
  return createJelouClient({
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    baseUrl: jelou.url,
    retry: false,
    onResponse: (event) => events.push(event),
  });
}

function everyPrint(error: JelouError): string {
  return [error.message, String(error), inspect(error), JSON.stringify(error), error.stack ?? "", JSON.stringify(error.problems)].join("\n");
}

describe("the secret never shows, in any encoding a server echoes it", () => {
  for (const [name, form] of FORMS) {
    it(`${name}: scrubbed from hook headers and every field of a 200`, async () => {
      const echo = { "x-request-id": form, "x-message-id": form, "x-echo": form, "www-authenticate": form };
      jelou.script(json(200, { echo: form, [form]: [form, { nested: form }] }, echo));
      const events: ResponseEvent[] = [];
      const result = await client(events).sendFlowMessage(validMessage());
      expect(result.status).toBe(200);
      expectClean(JSON.stringify(result), "the result");
      expectClean(inspect(result, { depth: 10 }), "the inspected result");
      expect(events).toHaveLength(1);
      expectClean(JSON.stringify(events[0]?.headers), "onResponse headers");
      expect(result.requestId).toContain("[REDACTED]");
    });

    it(`${name}: scrubbed from 4xx and 5xx errors however printed`, async () => {
      const headers = { "x-request-id": form };
      const answers: Handler[] = [
        json(400, { code: form, description: `bad: ${form}` }, headers),
        json(401, { message: `denied ${form}` }, headers),
        json(422, { code: "invalid", description: form, errors: [{ path: form, rule: form, message: `x ${form}`, extra: form }] }, headers),
        (_request, res) => {
          res.writeHead(500, { "content-type": "text/html", ...headers });
          res.end(`<p>${form}</p>`);
        },
      ];
      for (const answer of answers) {
        jelou.script(answer);
        const error = await failure(client().sendFlowMessage(validMessage()));
        expect(error.status).toBeGreaterThanOrEqual(400);
        expectClean(everyPrint(error), `the ${error.status} error`);
      }
    });
  }

  it("a redirect's Location that echoes the secret is scrubbed from the message", async () => {
    jelou.script((_request, res) => {
      res.writeHead(307, { location: `http://${encodeURIComponent(SECRET).toLowerCase()}.example/`, "x-echo": `Basic ${BASE64}` });
      res.end();
    });
    const events: ResponseEvent[] = [];
    const error = await failure(client(events).sendFlowMessage(validMessage()));
    expect(error.status).toBe(307);
    expectClean(everyPrint(error), "the redirect error");
    expectClean(JSON.stringify(events[0]?.headers), "onResponse headers");
  });

  it("a secret echoed as raw UTF-8 in a header, which fetch reads as latin1, is scrubbed too", async () => {
    const latin1 = Buffer.from(SECRET, "utf8").toString("latin1");
    jelou.script((_request, res) => {
      res.writeHead(200, [["Content-Type", "application/json"], ["X-Echo", latin1], ["X-Request-Id", latin1]]);
      res.end("{}");
    });
    const events: ResponseEvent[] = [];
    const result = await client(events).sendFlowMessage(validMessage());
    expect(JSON.stringify(events[0]?.headers)).not.toContain(latin1);
    expect(result.requestId).toBe("[REDACTED]");
  });
});

describe("the secret's and the pair's bytes, however base64 or hex writes them, never show", () => {
  const bytes = Buffer.from(SECRET, "utf8");
  const encoded: [string, string][] = [
    ["base64(id:secret) without padding", BASE64.replace(/=+$/, "")],
    ["base64url(id:secret)", Buffer.from(`${CLIENT_ID}:${SECRET}`, "utf8").toString("base64url")],
    ["base64(secret)", bytes.toString("base64")],
    ["base64url(secret)", bytes.toString("base64url")],
    ["hex(secret)", bytes.toString("hex")],
    ["HEX(secret)", bytes.toString("hex").toUpperCase()],
  ];
  for (const [name, form] of encoded) {
    it(`${name}: scrubbed from a 200 and from an error`, async () => {
      jelou.script(json(200, { echo: form, [`k${form}`]: `say ${form}.` }, { "x-request-id": form }));
      const result = await client().sendFlowMessage(validMessage());
      expect(JSON.stringify(result)).not.toContain(form);
      jelou.script(json(400, { code: "bad", description: `bad: ${form}` }, { "x-request-id": form }));
      const error = await failure(client().sendFlowMessage(validMessage()));
      expect(everyPrint(error)).not.toContain(form);
    });
  }
});

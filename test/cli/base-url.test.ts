import { describe, expect, it } from "vitest";
import { EXIT } from "../../src/cli/exit-codes.js";
import { CREDENTIALS, csvOf, runInProcess, workspace } from "./helpers.js";

const send = ["send", "--bot", "bot-1", "--to", "593987654321", "--title", "Hi", "--text", "Hello", "--caption", "Jelou", "--flow", "survey", "--cta", "Go"];

describe("an unusable JELOU_BASE_URL", () => {
  it.each([
    ["127.0.0.1:4710", /JELOU_BASE_URL is "127\.0\.0\.1:4710", not an http\(s\) address/],
    ["localhost:4010", /JELOU_BASE_URL is "localhost:4010", not an http\(s\) address/],
    ["ftp://127.0.0.1/", /not an http\(s\) address/],
    ["http://127.0.0.1:4010/?x=1", /a query or a fragment/],
  ])("%s is a usage error naming the variable and the fix, without a stack", async (baseUrl, message) => {
    for (const args of [send, [...send, "--dry-run"]]) {
      const run = await runInProcess(args, { ...CREDENTIALS, JELOU_BASE_URL: baseUrl });
      expect(run.code).toBe(EXIT.usage);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toContain("http://127.0.0.1:4010 for the mock");
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it.each(["http://ops:hunter2@127.0.0.1:4010", "ops:hunter2@127.0.0.1:4010", "http://ops:hun ter2@127.0.0.1"])(
    "with credentials in it (%s) is refused without showing them",
    async (baseUrl) => {
      const ws = await workspace();
      try {
        const csv = await ws.file("list.csv", csvOf(2));
        const bulk = ["bulk", csv, "--template", ws.template, "--bot", "bot-1", "--progress", "none"];
        for (const args of [send, bulk, [...bulk, "--dry-run"]]) {
          const run = await runInProcess(args, { ...CREDENTIALS, JELOU_BASE_URL: baseUrl });
          expect(run.code).toBe(EXIT.usage);
          expect(run.stderr).toContain("JELOU_BASE_URL");
          expect(run.stderr).toContain("[REDACTED]@");
          expect(run.stderr).not.toMatch(/hunter|hun ter|ops:/);
        }
      } finally {
        await ws.cleanup();
      }
    },
  );
});

describe("JELOU_BASE_URL: what is shown of it, and what a blank value means", () => {
  it.each([
    ["https://ops:pa/ss@api.example", "pa/ss"],
    ["https://ops:se#cret@api.example", "se#cret"],
    ["https://ops:se?cret@api.example/v1", "se?cret"],
    ["https://ops:123/x@api.example", "123/x"],
  ])("%s: a password holding / # or ? is refused and never shown", async (baseUrl, secret) => {
    for (const args of [send, [...send, "--dry-run"]]) {
      const run = await runInProcess(args, { ...CREDENTIALS, JELOU_BASE_URL: baseUrl });
      expect(run.code).toBe(EXIT.usage);
      expect(run.stderr).toContain('JELOU_BASE_URL is "https://[REDACTED]@api.example');
      expect(run.stderr).toMatch(/credentials go in JELOU_CLIENT_ID/);
      expect(run.stderr).not.toContain(secret);
      expect(run.stderr).not.toContain("ops");
    }
  });

  it("a query or fragment is refused without echoing it: it may hold a token", async () => {
    for (const baseUrl of ["https://api.example/?token=s3cr3t", "https://api.example/v1#s3cr3t"]) {
      const run = await runInProcess(send, { ...CREDENTIALS, JELOU_BASE_URL: baseUrl });
      expect(run.code).toBe(EXIT.usage);
      expect(run.stderr).toMatch(/JELOU_BASE_URL is "https:\/\/api\.example\/(v1)?\?\[REDACTED\]", an address with a query or a fragment/);
      expect(run.stderr).not.toContain("s3cr3t");
    }
  });

  it.each([
    ["https://", /there is no host after https:\/\//],
    ["https://api example.com", /it contains a space/],
    ["https://api.example:99999", /its port 99999 is above 65535/],
    ["https://api.example:44x", /its port \("44x"\) is not a number/],
    ["https://api%example", /its host "api%example" is not a host name or an IP address/],
  ])("%s, which has its https:// but does not parse, is told what is wrong with it", async (baseUrl, message) => {
    const run = await runInProcess(send, { ...CREDENTIALS, JELOU_BASE_URL: baseUrl });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toContain("needs http:// or https:// in front");
  });

  it("blanks only are a usage error, not a stack trace nor a silent default (send, bulk and their dry runs)", async () => {
    const ws = await workspace();
    try {
      const csv = await ws.file("list.csv", csvOf(2));
      const bulk = ["bulk", csv, "--template", ws.template, "--bot", "bot-1", "--progress", "none"];
      for (const args of [send, [...send, "--dry-run"], bulk, [...bulk, "--dry-run"]]) {
        for (const blank of [" ", "\t "]) {
          const run = await runInProcess(args, { ...CREDENTIALS, JELOU_BASE_URL: blank });
          expect(run.code, args.join(" ")).toBe(EXIT.usage);
          expect(run.stderr).toContain("JELOU_BASE_URL is set but blank");
          expect(run.stderr).toContain("or set it empty: JELOU_BASE_URL=) to send to Jelou");
          expect(run.stderr).not.toMatch(/\n\s+at /);
        }
      }
    } finally {
      await ws.cleanup();
    }
  });

  it("empty means unset: the send goes to Jelou; spaces around an address are ignored", async () => {
    for (const [value, origin] of [["", "https://api.jelou.ai"], [" http://127.0.0.1:4010 ", "http://127.0.0.1:4010"]] as const) {
      const urls: string[] = [];
      const fetch = (request: Request) => {
        urls.push(request.url);
        return Promise.reject(new TypeError("fetch failed")); // no network: the address is all this test needs
      };
      const run = await runInProcess(send, { ...CREDENTIALS, JELOU_BASE_URL: value }, { fetch });
      expect(run.code).toBe(EXIT.network);
      expect(urls.length).toBeGreaterThan(0);
      expect(urls.every((url) => url.startsWith(`${origin}/`))).toBe(true);
    }
  });
});

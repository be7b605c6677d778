import { describe, expect, it } from "vitest";
import { maskPath, redactHeaders, scrubSecrets } from "../../src/client/redact.js";
import { maskUserId } from "../../src/contract/validate-flow-message.js";
import { neverReachedServer } from "../../src/errors/from-failure.js";
import { kindOfStatus, refusedBeforeWork } from "../../src/errors/from-response.js";
import { parseRetryAfter } from "../../src/errors/retry-after.js";

const withCode = (code: string) => Object.assign(new Error(code), { code });
const fetchFailed = (cause: unknown) => new TypeError("fetch failed", { cause });

describe("maskUserId and maskPath", () => {
  it("keeps the country code and the last four digits", () => {
    expect(maskUserId("593987654321")).toBe("5939****4321");
    expect(maskUserId("12345678")).toBe("12****78");
    expect(maskUserId("1234")).toBe("****");
  });

  it("masks the users segment of a path or URL, and only it", () => {
    expect(maskPath("/v1/bots/b/users/593987654321/flow_message")).toBe("/v1/bots/b/users/5939****4321/flow_message");
    expect(maskPath("http://h/v1/bots/b/users/593987654321/flow_message?type=x")).toBe("http://h/v1/bots/b/users/5939****4321/flow_message?type=x");
  });
});

describe("redaction", () => {
  it("redacts credentials in headers, keeping the scheme", () => {
    const headers = new Headers({ Authorization: "Basic bXlfaWQ6c2VjcmV0", Cookie: "a=b", "Content-Type": "application/json" });
    expect(redactHeaders(headers)).toEqual({ authorization: "Basic [REDACTED]", cookie: "[REDACTED]", "content-type": "application/json" });
  });

  it("scrubs every occurrence of a secret", () => {
    expect(scrubSecrets("a SECRET b SECRET", ["SECRET", ""])).toBe("a [REDACTED] b [REDACTED]");
  });
});

describe("neverReachedServer", () => {
  it("is true for failures before any connection", () => {
    for (const code of ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH", "UND_ERR_CONNECT_TIMEOUT"]) {
      expect(neverReachedServer(fetchFailed(withCode(code))), code).toBe(true);
    }
  });

  it("reads the AggregateError of happy eyeballs: true only when every address refused", () => {
    const all = Object.assign(new AggregateError([withCode("ECONNREFUSED"), withCode("ECONNREFUSED")]), { code: "ECONNREFUSED" });
    expect(neverReachedServer(fetchFailed(all))).toBe(true);
    const mixed = new AggregateError([withCode("ECONNREFUSED"), withCode("ECONNRESET")]);
    expect(neverReachedServer(fetchFailed(mixed))).toBe(false);
  });

  it("is false for failures that may come after the request went out, and for unknown ones", () => {
    for (const cause of [withCode("ECONNRESET"), withCode("UND_ERR_SOCKET"), withCode("EPIPE"), new Error("other side closed"), undefined]) {
      expect(neverReachedServer(fetchFailed(cause))).toBe(false);
    }
    expect(neverReachedServer(new Error("boom"))).toBe(false);
    expect(neverReachedServer("a string")).toBe(false);
  });

  it("is true for undici's refusal of a blocked port", () => {
    expect(neverReachedServer(fetchFailed(new Error("bad port")))).toBe(true);
  });
});

describe("statuses", () => {
  it("maps each status to its kind", () => {
    expect([400, 401, 403, 404, 409, 413, 422, 429, 500, 502, 503].map(kindOfStatus)).toEqual([
      "http", "auth", "forbidden", "not_found", "http", "http", "validation", "rate_limited", "server", "server", "server",
    ]);
  });

  it("counts as refused before work only a 429 and a 503 with Retry-After", () => {
    expect(refusedBeforeWork(429, new Headers())).toBe(true);
    expect(refusedBeforeWork(503, new Headers({ "retry-after": "1" }))).toBe(true);
    expect(refusedBeforeWork(503, new Headers())).toBe(false);
    expect(refusedBeforeWork(500, new Headers({ "retry-after": "1" }))).toBe(false);
  });
});

describe("parseRetryAfter", () => {
  it("reads delay-seconds and HTTP-dates, and ignores what it cannot read", () => {
    expect(parseRetryAfter("2")).toBe(2000);
    expect(parseRetryAfter(" 0 ")).toBe(0);
    expect(parseRetryAfter("1.5")).toBe(1500);
    const now = Date.parse("Wed, 21 Oct 2015 07:27:58 GMT");
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now)).toBe(2000);
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:27:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it("reads the three HTTP-date forms as UTC, and refuses what Date.parse would guess at", () => {
    const now = Date.parse("Sun, 06 Nov 1994 08:49:30 GMT");
    expect(parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now)).toBe(7000);
    expect(parseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", now)).toBe(7000);
    // asctime has no zone: read as local time, it would be off by the machine's offset (Node follows TZ at once).
    const zone = process.env.TZ;
    process.env.TZ = "America/Guayaquil";
    try {
      expect(parseRetryAfter("Sun Nov  6 08:49:37 1994", now)).toBe(7000);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
    // RFC 9110 asks recipients to be robust: any case, a one-digit day.
    for (const tolerated of ["Sun, 6 Nov 1994 08:49:37 GMT", "sun, 06 nov 1994 08:49:37 gmt", "SUNDAY, 06-NOV-94 08:49:37 GMT"]) {
      expect(parseRetryAfter(tolerated, now), tolerated).toBe(7000);
    }
    // Each of these is a date long past to Date.parse, which would mean "retry at once".
    for (const junk of ["-1", "-5", "5 5", "1, 2", "Nov 1994", "Sun, 32 Nov 1994 08:49:37 GMT", "0x10", "1e3"]) {
      expect(parseRetryAfter(junk, now), junk).toBeUndefined();
    }
  });
});

import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { validateMockError } from "../../generated/mock/validators.js";
import { AUTH, send, SEND_PATH, useTarget, validMessage } from "./harness.js";

interface RawAnswer {
  status: number;
  body: string;
}

/** A request with the Host header given (fetch sets its own), over HTTP to 127.0.0.1. */
function raw(port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const sized = body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) };
    const req = request({ host: "127.0.0.1", port, method, path, headers: sized }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      // An event stream stays open: its head is the answer.
      if (res.headers["content-type"]?.startsWith("text/event-stream")) {
        res.destroy();
        resolve({ status: res.statusCode ?? 0, body: "" });
        return;
      }
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const FAULT = JSON.stringify({ kind: "server_error", times: 1 });

describe("browsers that name the mock by a foreign host (DNS rebinding)", () => {
  const target = useTarget("http");
  const port = () => Number(new URL(target.url as string).port);
  const rebound = () => ({ host: `rebind.evil.example:${port()}`, origin: `http://rebind.evil.example:${port()}` });

  it.each([
    ["POST", "/__mock/faults", FAULT],
    ["DELETE", "/__mock/messages", undefined],
    ["GET", "/__mock/messages", undefined],
    ["GET", "/__mock/rejections", undefined],
    ["GET", "/__mock/ui/events", undefined],
    ["GET", "/", undefined],
  ])("%s %s answers 403 forbidden_host, naming the host and where to open the mock", async (method, path, body) => {
    target.mock.faults.clear();
    await send(target);
    const answer = await raw(port(), method, path, { ...rebound(), "content-type": "text/plain" }, body);
    expect(answer.status).toBe(403);
    const error = JSON.parse(answer.body) as { code: string; description: string };
    expect(validateMockError(error)).toBe(true);
    expect(error.code).toBe("forbidden_host");
    expect(error.description).toContain(`rebind.evil.example:${port()}`);
    expect(error.description).toContain(`http://127.0.0.1:${port()}`);
    expect(target.mock.faults.list()).toEqual([]);
    expect(target.mock.inbox.stats().messages).toBeGreaterThan(0);
  });

  it("refuses a browser known by Sec-Fetch-Site alone (a same-origin GET carries no Origin)", async () => {
    const answer = await raw(port(), "GET", "/__mock/messages", { host: `rebind.evil.example:${port()}`, "sec-fetch-site": "same-origin" });
    expect(answer.status).toBe(403);
    expect(answer.body).toContain("forbidden_host");
  });

  it.each([`127.0.0.1`, `localhost`, `inbox.localhost`, `[::1]`, `LOCALHOST`])(
    "serves a browser that names it %s",
    async (name) => {
      const host = `${name}:${port()}`;
      // Browsers send the Host as typed, and the Origin in lower case.
      const headers = { host, origin: `http://${host.toLowerCase()}`, "sec-fetch-site": "same-origin" };
      expect((await raw(port(), "GET", "/", headers)).status).toBe(200);
      expect((await raw(port(), "GET", "/__mock/messages", headers)).status).toBe(200);
      const added = await raw(port(), "POST", "/__mock/faults", { ...headers, "content-type": "application/json" }, FAULT);
      expect(added.status).toBe(201);
      target.mock.faults.clear();
    },
  );

  it("refuses clients other than browsers by a foreign name too (allowedHosts admits a container's name)", async () => {
    const headers = { host: `jelou-mock.internal:${port()}` };
    expect((await raw(port(), "GET", "/__mock/messages", headers)).status).toBe(403);
    expect((await raw(port(), "POST", "/__mock/faults", { ...headers, "content-type": "application/json" }, FAULT)).status).toBe(403);
    expect(target.mock.faults.list()).toEqual([]);
  });

  it("leaves the send route alone: it takes credentials, and is the benchmarked path", async () => {
    const headers = { ...rebound(), authorization: AUTH, "content-type": "application/json" };
    const answer = await raw(port(), "POST", SEND_PATH, headers, JSON.stringify(validMessage()));
    expect(answer.status).toBe(200);
  });
});

import { connect } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createMockJelou, type MockServer } from "../../mock/index.js";
import { AUTH, CLIENT_ID, CLIENT_SECRET, SEND_PATH } from "./harness.js";

const START = '{"title": "Hel';

/** Writes a request's head and the start of its body, then ends the connection: the client is gone mid-body. */
function leaveMidBody(port: number, path: string, framing: "length" | "chunked"): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => {
      const length = framing === "chunked" ? "Transfer-Encoding: chunked" : "Content-Length: 500";
      const body = framing === "chunked" ? `${START.length.toString(16)}\r\n${START}\r\n` : START;
      socket.end(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${AUTH}\r\nContent-Type: application/json\r\n${length}\r\n\r\n${body}`);
    });
    socket.on("error", reject);
    socket.on("close", () => resolve());
    socket.resume();
  });
}

describe("a client that leaves in the middle of its body", () => {
  let server: MockServer;
  afterEach(() => server.close());

  it.each([
    ["a send with a query (Hono's route)", `${SEND_PATH}?type=x`, "length"],
    ["a chunked send (Hono's route)", SEND_PATH, "chunked"],
    ["an inspection route", "/__mock/faults", "length"],
  ] as const)("is a quiet abort, not an internal error: %s", async (_, path, framing) => {
    const lines: string[] = [];
    const mock = createMockJelou({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, env: false, logger: (line) => lines.push(line) });
    server = await mock.listen();
    // Readiness: Hono hands the failed body read to the app's error handler (a private field in Hono's types).
    const app = mock.app as unknown as { errorHandler: (error: Error, c: unknown) => Response | Promise<Response> };
    const original = app.errorHandler.bind(app);
    let failedRead!: () => void;
    const handled = new Promise<void>((resolve) => (failedRead = resolve));
    vi.spyOn(app, "errorHandler").mockImplementation((error, c) => {
      try {
        return original(error, c);
      } finally {
        failedRead();
      }
    });
    await leaveMidBody(server.port, path, framing);
    await handled;
    expect(lines.filter((line) => line.includes("internal error"))).toEqual([]);
    expect(mock.inbox.stats()).toMatchObject({ received: 0, rejected: 0 });
    expect(mock.faults.list()).toEqual([]);
  });
});

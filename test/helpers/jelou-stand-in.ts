/**
 * Local stand-ins for Jelou's flow_message endpoint, on 127.0.0.1 and port 0 (never the real host), that record every
 * request they get. `contract` answers exactly as openapi.yaml says; `drift` answers as an older or looser Jelou might:
 * `{ "success": true, "messageId": "msg_1" }` on 200, `{ "error": "Unauthorized" }` as text/html on 401, and a 500 for a
 * bot it does not know.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const STAND_IN_CLIENT_ID = "stand-in-client";
export const STAND_IN_SECRET = "s3cr3t/+stand-in=";
export const STAND_IN_BOT = "stand-in-bot";

/** One request the stand-in got. */
export interface RecordedRequest {
  method: string;
  path: string;
  botId: string;
  userId: string;
  authorization: string | undefined;
  body: string;
}

export interface JelouStandIn {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

const BASIC = `Basic ${Buffer.from(`${STAND_IN_CLIENT_ID}:${STAND_IN_SECRET}`).toString("base64")}`;

function answer(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", "x-request-id": "req_stand_in", ...headers });
  res.end(body);
}

function contract(req: RecordedRequest, res: ServerResponse): void {
  if (req.authorization !== BASIC) {
    const body = { code: "unauthorized", description: "Not authorized. Send Authorization Basic base64(clientId:clientSecret)." };
    return answer(res, 401, JSON.stringify(body), { "www-authenticate": 'Basic realm="jelou"' });
  }
  if (req.botId !== STAND_IN_BOT) {
    return answer(res, 404, JSON.stringify({ code: "bot_not_found", description: "The company may not use this bot." }));
  }
  answer(res, 200, "{}", { "x-message-id": "msg_stand_in_1" });
}

function drift(req: RecordedRequest, res: ServerResponse): void {
  if (req.authorization !== BASIC) return answer(res, 401, '{ "error": "Unauthorized" }', { "content-type": "text/html" });
  if (req.botId !== STAND_IN_BOT) {
    const body = { code: "internal_server_error", description: "token does not have an assigned company" };
    return answer(res, 500, JSON.stringify(body));
  }
  answer(res, 200, JSON.stringify({ success: true, messageId: "msg_1" }));
}

/**
 * Starts a stand-in; close it in the test's teardown.
 *
 * @param behaviour `contract` or `drift`
 * @param options `echo`: also put the request's Authorization into every answer's body, as a careless server might
 */
export async function startJelouStandIn(behaviour: "contract" | "drift", options: { echo?: boolean } = {}) {
  const requests: RecordedRequest[] = [];
  const server = createServer((incoming: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const path = incoming.url ?? "/";
      const match = /^\/v1\/bots\/([^/]+)\/users\/([^/]+)\/flow_message(?:\?.*)?$/.exec(path);
      const req: RecordedRequest = {
        method: incoming.method ?? "",
        path,
        botId: decodeURIComponent(match?.[1] ?? ""),
        userId: decodeURIComponent(match?.[2] ?? ""),
        authorization: incoming.headers.authorization,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(req);
      if (match === null || req.method !== "POST") return answer(res, 404, JSON.stringify({ code: "not_found" }));
      if (options.echo) {
        const decoded = Buffer.from((req.authorization ?? "").slice(6), "base64").toString();
        const body = { code: "unauthorized", description: `You sent ${req.authorization}`, message: `decoded ${decoded}` };
        return answer(res, 401, JSON.stringify(body));
      }
      (behaviour === "contract" ? contract : drift)(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * An in-process send: `sendFlowMessage` on a client whose `fetch` is the mock's own (`mock.fetch`), from the call to the
 * inbox record, beside the same send answered by an MSW handler (the usual in-process peer: MSW patches the global
 * `fetch`, and its handler parses the JSON body and answers `{}`, as a typical handler does; it checks and keeps
 * nothing). Compiled copies, as published; blocks run A B C C B A after a warm-up, like the client cost.
 *
 * `node --import tsx bench/in-process.ts` prints the figures alone.
 */
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { pathToFileURL } from "node:url";
import type { createMockJelou } from "../mock/index.js";
import type { createJelouClient } from "../src/index.js";
import { type ClientFigures, type ClientSettings, timeClients } from "./client-cost.js";
import { compileCheckout } from "./lib/compile.js";
import { COMPILED } from "./lib/processes.js";
import { BOT_ID, CLIENT_ID, CLIENT_SECRET, flowMessage, USER_ID } from "./lib/workload.js";

// Loopback's discard port: were MSW ever not to intercept, nothing would leave the machine.
const BASE_URL = "http://127.0.0.1:9";
const credentials = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET };

async function inProcessSend(root: string): Promise<() => Promise<unknown>> {
  const { createJelouClient: create } = (await import(`${root}src/index.js`)) as { createJelouClient: typeof createJelouClient };
  const { createMockJelou: mock } = (await import(`${root}mock/index.js`)) as { createMockJelou: typeof createMockJelou };
  const jelou = mock({ ...credentials, env: false });
  const client = create({ ...credentials, baseUrl: BASE_URL, fetch: jelou.fetch });
  const message = { botId: BOT_ID, userId: USER_ID, ...flowMessage() };
  return () => client.sendFlowMessage(message);
}

/**
 * Measures this checkout's in-process send, the same send through MSW, and earlier copies given in `others`.
 *
 * @param settings warm-up calls, calls per block, rounds
 * @param others compiled trees of earlier commits (their `src/` and `mock/`), measured in the same blocks
 * @returns one row per send: "mock.fetch" first, then "MSW handler", then `others` by name
 */
export async function measureInProcess(
  settings: ClientSettings,
  others: { name: string; root: string }[] = [],
): Promise<ClientFigures[]> {
  const msw = setupServer(
    http.post(`${BASE_URL}/v1/bots/:botId/users/:userId/flow_message`, async ({ request }) => {
      await request.json();
      return HttpResponse.json({});
    }),
  );
  msw.listen({ onUnhandledRequest: "error" });
  try {
    const { createJelouClient: create } = (await import(`${COMPILED}src/index.js`)) as { createJelouClient: typeof createJelouClient };
    // Created after listen(): openapi-fetch takes the global fetch, which MSW has replaced, when the client is made.
    const viaMsw = create({ ...credentials, baseUrl: BASE_URL });
    const message = { botId: BOT_ID, userId: USER_ID, ...flowMessage() };
    const sends = [
      { name: "mock.fetch", send: await inProcessSend(COMPILED) },
      { name: "MSW handler", send: () => viaMsw.sendFlowMessage(message) },
    ];
    for (const { name, root } of others) sends.push({ name, send: await inProcessSend(root) });
    return await timeClients(sends, settings);
  } finally {
    msw.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  compileCheckout();
  const rows = await measureInProcess({ warmupCalls: 3000, callsPerBlock: 1000, rounds: 6 });
  for (const row of rows) process.stdout.write(`${row.name}: ${row.microsPerCall.toFixed(1)} µs per send\n`);
}

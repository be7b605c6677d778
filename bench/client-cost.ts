/**
 * Client cost per send on loopback: plain `fetch`, bare openapi-fetch, and `sendFlowMessage` with validation on, against
 * the same bare node:http server in another process. The client is this checkout's compiled copy (bench/lib/compile.ts).
 * One call at a time, timed with `process.hrtime.bigint()` per block
 * of calls; blocks run A B C C B A after a warm-up, because timing one client after the other favours the later one.
 */
import createClient from "openapi-fetch";
import type { paths } from "../generated/openapi.js";
import type { createJelouClient } from "../src/index.js";
import { COMPILED, startFixtureServer } from "./lib/processes.js";
import { median } from "./lib/stats.js";
import { AUTHORIZATION, BODY_TEXT, BOT_ID, CLIENT_ID, CLIENT_SECRET, flowMessage, SEND_HEADERS, SEND_PATH, USER_ID } from "./lib/workload.js";

export interface ClientSettings {
  warmupCalls: number;
  callsPerBlock: number;
  /** Each round runs every client twice (A B C C B A). */
  rounds: number;
}

export interface ClientFigures {
  name: string;
  /** Median over the blocks of the mean time per call, in microseconds. */
  microsPerCall: number;
  blocks: number[];
  /** Per round, the mean of this client's two blocks (one on each side of the round's middle). */
  perRound: number[];
}

/**
 * How much slower `a` is than `b`: the median over rounds of the ratio of their times in that round. Both ran twice in
 * each round, mirrored around its middle (A B C C B A), so a slow drift of the machine cancels out within a round, and
 * a noisy round weighs no more than one ratio; the ratio of two medians taken over all blocks keeps both noises.
 *
 * @param a the client measured
 * @param b its reference, measured in the same rounds
 * @returns the ratio, 1 when they cost the same
 */
export function pairedRatio(a: ClientFigures, b: ClientFigures): number {
  return median(a.perRound.map((time, round) => time / (b.perRound[round] as number)));
}

type Send = () => Promise<unknown>;

async function timeBlock(send: Send, calls: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await send();
  return Number(process.hrtime.bigint() - start) / 1000 / calls;
}

/**
 * Measures the three clients against a bare server started for the purpose.
 *
 * @param settings warm-up calls, calls per block, rounds
 * @param others more versions of the client to measure in the same blocks (an earlier commit's, for a comparison)
 * @returns one row per client, plain fetch first
 */
export async function measureClients(
  settings: ClientSettings,
  others: { name: string; create: typeof createJelouClient }[] = [],
): Promise<ClientFigures[]> {
  const server = await startFixtureServer("bare");
  try {
    const url = `${server.url}${SEND_PATH}`;
    const bare = createClient<paths>({ baseUrl: server.url, headers: { Authorization: AUTHORIZATION } });
    // The compiled client, as published: through tsx, every closure made per call would also pay for esbuild's `__name`.
    const { createJelouClient: create } = (await import(`${COMPILED}src/index.js`)) as { createJelouClient: typeof createJelouClient };
    const client = create({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, baseUrl: server.url });
    const message = { botId: BOT_ID, userId: USER_ID, ...flowMessage() };
    const body = flowMessage();
    const clients: { name: string; send: Send }[] = [
      {
        name: "plain fetch",
        send: async () => (await fetch(url, { method: "POST", headers: SEND_HEADERS, body: BODY_TEXT })).text(),
      },
      {
        name: "bare openapi-fetch",
        send: async () => {
          const { response } = await bare.POST("/v1/bots/{botId}/users/{userId}/flow_message", {
            params: { path: { botId: BOT_ID, userId: USER_ID } },
            body,
          });
          if (!response.ok) throw new Error(`bare openapi-fetch got ${response.status}`);
        },
      },
      { name: "sendFlowMessage (validation on)", send: () => client.sendFlowMessage(message) },
      ...others.map(({ name, create }) => {
        const other = create({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, baseUrl: server.url });
        return { name, send: () => other.sendFlowMessage(message) };
      }),
    ];
    return await timeClients(clients, settings);
  } finally {
    await server.stop();
  }
}

/**
 * Times sends in blocks, A B C C B A per round after a warm-up of each.
 *
 * @param clients the sends, each with its name
 * @param settings warm-up calls, calls per block, rounds
 * @returns one row per client, in the order given
 */
export async function timeClients(clients: { name: string; send: Send }[], settings: ClientSettings): Promise<ClientFigures[]> {
  for (const { send } of clients) await timeBlock(send, settings.warmupCalls);
  const blocks = new Map<string, number[]>(clients.map((c) => [c.name, []]));
  for (let round = 0; round < settings.rounds; round++) {
    for (const { name, send } of [...clients, ...[...clients].reverse()]) {
      blocks.get(name)?.push(await timeBlock(send, settings.callsPerBlock));
    }
  }
  return clients.map(({ name }) => {
    const times = blocks.get(name) ?? [];
    // Blocks were pushed round by round, two per client per round.
    const perRound = Array.from({ length: settings.rounds }, (_, r) => ((times[2 * r] as number) + (times[2 * r + 1] as number)) / 2);
    return { name, microsPerCall: median(times), blocks: times, perRound };
  });
}

/**
 * `npm start`: starts the mock Jelou over HTTP on 127.0.0.1 (port 4010, or PORT; any free port when that one is taken),
 * sends it one demo flow message with the real client so the inbox is not empty, prints where to read it back, and
 * serves until Ctrl-C.
 *
 * Credentials: with JELOU_CLIENT_ID and JELOU_CLIENT_SECRET set, the mock accepts only those and the demo uses them;
 * otherwise the mock accepts any well-formed pair and the demo sends `demo-client:demo-secret`.
 */
import { createMockJelou, describeMock, type MockServer } from "../mock/index.js";
import { createJelouClient, type FlowMessageInput } from "../src/index.js";

const HOST = "127.0.0.1";
const DEFAULT_PORT = 4010;

const DEMO: FlowMessageInput = {
  botId: "demo-bot",
  userId: "593987654321",
  title: "Welcome to Clinic Norte",
  text: "*Book your first appointment* in under a minute. _Pick a doctor, a day and a time._",
  caption: "Sent by npm start",
  parameters: {
    flow_name: "book_appointment",
    flow_cta: "Book now",
    flow_action_payload: { screen: "PICK_DOCTOR", data: { clinic: "Norte" } },
  },
  payload: { orderId: "DEMO-1" },
};

function requestedPort(): number {
  const raw = process.env.PORT;
  if (raw === undefined || raw === "") return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`PORT must be a port number, not "${raw}".`);
  return port;
}

async function listen(mock: ReturnType<typeof createMockJelou>, port: number): Promise<MockServer> {
  try {
    return await mock.listen({ port, hostname: HOST });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    console.log(`Port ${port} is taken; using a free port instead.`);
    return mock.listen({ port: 0, hostname: HOST });
  }
}

async function main(): Promise<void> {
  const mock = createMockJelou();
  const server = await listen(mock, requestedPort());
  console.log(`${describeMock(server.url, mock.context).join("\n")}`);
  // Since the process started, imports included: what a user waits for.
  console.log(`Ready ${Math.round(process.uptime() * 1000)} ms after start.\n`);

  const configured = mock.context.credentialsConfigured;
  const client = createJelouClient({
    baseUrl: server.url,
    clientId: configured ? process.env.JELOU_CLIENT_ID : "demo-client",
    clientSecret: configured ? process.env.JELOU_CLIENT_SECRET : "demo-secret",
  });
  try {
    const result = await client.sendFlowMessage(DEMO);
    console.log(`Sent a demo flow message with the client: ${result.messageId ?? "(no id)"}. Read it back with`);
    console.log(`  curl ${server.url}/__mock/messages/latest`);
    console.log(`  curl ${server.url}/__mock/messages`);
    console.log(`or open ${server.url}/ in a browser.\n`);
  } catch (error) {
    console.error(`The demo message was not accepted: ${(error as Error).message}`);
  }
  console.log("Press Ctrl-C to stop.");

  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  console.log("\nStopping the mock Jelou…");
  await server.close();
}

main().catch((error: unknown) => {
  console.error(`npm start failed: ${(error as Error).message}`);
  process.exitCode = 1;
});

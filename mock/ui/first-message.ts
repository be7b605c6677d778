/**
 * The message the inbox page's empty state tells a developer to send first. A test sends it to the mock, so the
 * instructions on the page are known to work.
 */
import type { FlowMessageBody } from "../../src/contract/index.js";

/** The bot and recipient of the example; any bot id works with a mock started without a bot registry. */
export const FIRST_MESSAGE_TARGET = { botId: "my-bot", userId: "593987654321" } as const;

/** The example body: Jelou's own documentation example, with formatting and a payload to show what the page does. */
export const FIRST_MESSAGE_BODY: FlowMessageBody = {
  title: "Hello",
  text: "Complete this flow to *get started*",
  caption: "Jelou",
  parameters: { flow_name: "welcome_flow", flow_cta: "Start Flow", flow_action_payload: { screen: "RECOMMEND" } },
  payload: { orderId: "A-1001" },
};

/**
 * The curl command that sends the example to a mock.
 *
 * @param origin the mock's origin, such as `http://127.0.0.1:4010`
 * @returns a shell command, with placeholder credentials (the page never shows real ones)
 */
export function firstMessageCurl(origin: string): string {
  const { botId, userId } = FIRST_MESSAGE_TARGET;
  return [
    `curl -u my_client_id:my_client_secret \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d '${JSON.stringify(FIRST_MESSAGE_BODY)}' \\`,
    `  ${origin}/v1/bots/${botId}/users/${userId}/flow_message`,
  ].join("\n");
}

/**
 * The same send with the typed client.
 *
 * @param origin the mock's origin
 * @returns TypeScript source
 */
export function firstMessageCode(origin: string): string {
  const { botId, userId } = FIRST_MESSAGE_TARGET;
  return [
    `import { createJelouClient } from "jelou-flow";`,
    ``,
    `const jelou = createJelouClient({ baseUrl: "${origin}", clientId: "my_client_id", clientSecret: "my_client_secret" });`,
    `await jelou.sendFlowMessage(${JSON.stringify({ botId, userId, ...FIRST_MESSAGE_BODY }, null, 2)});`,
  ].join("\n");
}

/**
 * The one request every benchmark and soak sends: the same credentials, path and body everywhere, so that figures of
 * different servers and clients are of the same work.
 */

export const CLIENT_ID = "bench-client";
export const CLIENT_SECRET = "bench-secret";
export const AUTHORIZATION = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64")}`;
export const BOT_ID = "bot-1";
export const USER_ID = "593987654321";
export const SEND_PATH = `/v1/bots/${BOT_ID}/users/${USER_ID}/flow_message`;

/** A flow message that breaks no rule of openapi.yaml: the body the mock validates and records. */
export function flowMessage(): {
  title: string;
  text: string;
  caption: string;
  parameters: { flow_name: string; flow_cta: string; flow_action_payload: { screen: string; data: Record<string, string> } };
  payload: Record<string, string>;
} {
  return {
    title: "Hello",
    text: "Complete this flow to get started",
    caption: "Jelou",
    parameters: {
      flow_name: "welcome_flow",
      flow_cta: "Start Flow",
      flow_action_payload: { screen: "RECOMMEND", data: { customer: "Ana" } },
    },
    payload: { orderId: "A-1001" },
  };
}

export const BODY_TEXT = JSON.stringify(flowMessage());

/** The headers of a send, as autocannon and plain `fetch` send them. */
export const SEND_HEADERS: Record<string, string> = {
  authorization: AUTHORIZATION,
  "content-type": "application/json",
};

/** A phone number per index, so that a run of sends has distinct recipients. */
export function userIdFor(index: number): string {
  return `5939${String(index).padStart(8, "0")}`;
}

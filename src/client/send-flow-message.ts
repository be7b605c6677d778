import type { FlowMessageInput } from "../contract/validate-flow-message.js";
import { createJelouClient, type FlowMessageResult } from "./create-client.js";
import type { DryRunRequest } from "./dry-run.js";
import type { JelouClientOptions, SendOptions } from "./options.js";

/** Options of the one-off {@link sendFlowMessage}: those of a client and those of a send together. */
export type OneOffSendOptions = Omit<JelouClientOptions, "timeoutMs" | "totalTimeoutMs" | "retry"> & SendOptions;

/**
 * Sends one flow message with a client made for the occasion, from the options and the `JELOU_*` environment variables.
 * For more than one message, create a client once with {@link createJelouClient} and reuse it.
 *
 * @param message the body plus `botId` and `userId`
 * @param options client options (credentials, baseUrl, fetch, hooks) and send options (type, signal, timeouts, retry, dryRun)
 * @returns what Jelou answered, or with `dryRun: true` the request that would be sent
 * @throws JelouError: `auth` when no credentials are found, `validation` before anything is sent, else the failure's kind;
 *   TypeError or RangeError for a malformed option (nothing is sent)
 * @example
 * ```ts
 * import { sendFlowMessage } from "jelou-flow";
 * // JELOU_CLIENT_ID and JELOU_CLIENT_SECRET are set in the environment.
 * await sendFlowMessage({
 *   botId: "8f3c2a7e-bot", userId: "+593 98-765-4321", title: "Hello", text: "Complete this flow to get started",
 *   caption: "Jelou", parameters: { flow_name: "welcome_flow", flow_cta: "Start Flow" },
 * });
 * ```
 */
export function sendFlowMessage(message: FlowMessageInput, options: OneOffSendOptions & { dryRun: true }): Promise<DryRunRequest>;
export function sendFlowMessage(message: FlowMessageInput, options?: OneOffSendOptions & { dryRun?: false }): Promise<FlowMessageResult>;
export function sendFlowMessage(message: FlowMessageInput, options?: OneOffSendOptions): Promise<FlowMessageResult | DryRunRequest>;
export async function sendFlowMessage(message: FlowMessageInput, options: OneOffSendOptions = {}): Promise<FlowMessageResult | DryRunRequest> {
  const { type, signal, timeoutMs, totalTimeoutMs, retry, dryRun, ...clientOptions } = options;
  const client = createJelouClient(clientOptions);
  return client.sendFlowMessage(message, { type, signal, timeoutMs, totalTimeoutMs, retry, dryRun });
}

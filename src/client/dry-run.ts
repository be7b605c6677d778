import { createFinalURL, createQuerySerializer, defaultPathSerializer } from "openapi-fetch";
import type { FlowMessageBody, FlowMessageRequestParts } from "../contract/validate-flow-message.js";
import { REDACTED } from "./redact.js";

/** The path template of the endpoint, as `openapi.yaml` names it. */
export const FLOW_MESSAGE_PATH = "/v1/bots/{botId}/users/{userId}/flow_message";

/** What `sendFlowMessage(..., { dryRun: true })` returns: the exact request, with the credential redacted. */
export interface DryRunRequest {
  dryRun: true;
  method: "POST";
  /** The exact URL that would be requested (the phone number is not masked: this is the request itself). */
  url: string;
  /** The headers that would be sent, `Authorization: Basic [REDACTED]`. */
  headers: Record<string, string>;
  /** The JSON body that would be sent, after normalisation (`userId` digits only). */
  body: FlowMessageBody;
  /** An equivalent curl command; it reads the credentials from JELOU_CLIENT_ID and JELOU_CLIENT_SECRET. */
  curl: string;
}

const querySerializer = createQuerySerializer();

/** Quotes a value for a POSIX shell: inside single quotes, with each `'` written as `'\''`. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Builds the request a valid message would become, without sending it. The URL is built by openapi-fetch's own
 * functions, so it is the one a real send requests.
 *
 * @param baseUrl the client's base URL, without a trailing slash
 * @param parts the validated, normalised message
 */
export function buildDryRun(baseUrl: string, parts: FlowMessageRequestParts): DryRunRequest {
  const params: { path: Record<string, string>; query?: Record<string, string> } = {
    path: { botId: parts.botId, userId: parts.userId },
  };
  if (parts.type !== undefined) params.query = { type: parts.type };
  const url = createFinalURL(FLOW_MESSAGE_PATH, { baseUrl, params, querySerializer, pathSerializer: defaultPathSerializer });
  const json = JSON.stringify(parts.body);
  const curl = [
    `curl -X POST ${shellQuote(url)}`,
    `-u "$JELOU_CLIENT_ID:$JELOU_CLIENT_SECRET"`,
    `-H 'Content-Type: application/json'`,
    `--data-raw ${shellQuote(json)}`,
  ].join(" \\\n  ");
  return {
    dryRun: true,
    method: "POST",
    url,
    headers: { Authorization: `Basic ${REDACTED}`, "Content-Type": "application/json" },
    body: parts.body,
    curl,
  };
}

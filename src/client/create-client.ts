import createClient, { type Client, createFinalURL, createQuerySerializer, defaultPathSerializer } from "openapi-fetch";
import type { paths } from "../contract/index.js";
import { validateFlowMessage, type FlowMessageBody, type FlowMessageInput, type FlowMessageRequestParts } from "../contract/validate-flow-message.js";
import { errorFromResponse, validationError } from "../errors/from-response.js";
import { parseLoose } from "./bounded-body.js";
import { checkDuration, resolveConfig, resolveRetry, type ClientConfig } from "./config.js";
import type { FetchLike, JelouClientOptions, SendOptions } from "./options.js";
import { isRecord, REDACTED, scrubDeep, scrubSecrets } from "./redact.js";
import { send, type SendOutcome, type SendSettings } from "./send-loop.js";

/** The path template of the endpoint, as `openapi.yaml` names it. */
export const FLOW_MESSAGE_PATH = "/v1/bots/{botId}/users/{userId}/flow_message";

/** What `sendFlowMessage(..., { dryRun: true })` returns: the exact request, with the credential redacted. */
export interface DryRunRequest {
  /** Always `true`: nothing was sent. */
  dryRun: true;
  /** The HTTP method that would be used. */
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

/** The path and query parameters of a send, as openapi-fetch takes them. */
function paramsOf({ botId, userId, type }: FlowMessageRequestParts) {
  return type === undefined ? { path: { botId, userId } } : { path: { botId, userId }, query: { type } };
}

/** The request a valid message would become, URL built by openapi-fetch's own functions, without sending it. */
function buildDryRun(baseUrl: string, parts: FlowMessageRequestParts): DryRunRequest {
  const pathSerializer = defaultPathSerializer;
  const url = createFinalURL(FLOW_MESSAGE_PATH, { baseUrl, params: paramsOf(parts), querySerializer, pathSerializer });
  // Quoted for a POSIX shell: inside single quotes, each `'` written as `'\''`.
  const quote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;
  const curl = [`curl -X POST ${quote(url)}`, `-u "$JELOU_CLIENT_ID:$JELOU_CLIENT_SECRET"`];
  curl.push(`-H 'Content-Type: application/json'`, `--data-raw ${quote(JSON.stringify(parts.body))}`);
  const headers = { Authorization: `Basic ${REDACTED}`, "Content-Type": "application/json" };
  return { dryRun: true, method: "POST", url, headers, body: parts.body, curl: curl.join(" \\\n  ") };
}

/** What a send resolves with: what Jelou answered. */
export interface FlowMessageResult {
  /** The HTTP status (200). */ status: number;
  /** The JSON body Jelou answered (documented as `{}`); `{}` when it was empty or not a JSON object. */
  body: Record<string, unknown>;
  /** How many HTTP attempts it took. */ attempts: number;
  /** `X-Request-Id`, when the server sent one. */ requestId?: string;
  /** `X-Message-Id` (the mock Jelou's id of the message in its inbox), when the server sent one. */ messageId?: string;
  /** `true` when the body passed `maxResponseBytes` (after decompression): `body` is `{}`, and the message was still sent. */
  bodyTruncated?: true;
}

/** A client made by {@link createJelouClient}. */
export interface JelouClient {
  /**
   * The dry run: checks a message against the contract and returns the exact request it would send, with the credential
   * redacted. Nothing is sent.
   *
   * @param message the body plus `botId` and `userId`; `userId` may be written `+593 98-765-4321`
   * @param options `dryRun: true`, and `type`, `timeoutMs`, `totalTimeoutMs`, `retry` as for a send
   * @returns the request that would be sent: method, URL, headers, body and a curl command
   * @throws JelouError: `validation` when the message breaks the contract; RangeError for a malformed option
   * @example
   * ```ts
   * const { url, curl } = await client.sendFlowMessage(message, { dryRun: true });
   * ```
   */
  sendFlowMessage(message: FlowMessageInput, options: SendOptions & { dryRun: true }): Promise<DryRunRequest>;
  /**
   * Checks a message against the contract, then sends it, retrying only when that cannot send it twice.
   *
   * @param message the body plus `botId` and `userId`; `userId` may be written `+593 98-765-4321`
   * @param options `type`, `signal`, `timeoutMs`, `totalTimeoutMs`, `retry`
   * @returns what Jelou answered
   * @throws JelouError: `validation` before anything is sent, else the kind of the failure; RangeError for a
   *   malformed `timeoutMs`, `totalTimeoutMs` or `retry` option (nothing is sent)
   * @example
   * ```ts
   * const { status, messageId } = await client.sendFlowMessage({
   *   botId: "8f3c2a7e-bot", userId: "+593 98-765-4321", title: "Hello", text: "Complete this flow to get started",
   *   caption: "Jelou", parameters: { flow_name: "welcome_flow", flow_cta: "Start Flow" },
   * });
   * ```
   */
  sendFlowMessage(message: FlowMessageInput, options?: SendOptions & { dryRun?: false }): Promise<FlowMessageResult>;
  /**
   * Checks a message, then sends it, or with `dryRun: true` returns the request instead: the form for a `dryRun` known
   * only at run time.
   *
   * @param message the body plus `botId` and `userId`
   * @param options `type`, `signal`, `timeoutMs`, `totalTimeoutMs`, `retry`, `dryRun`
   * @returns what Jelou answered, or the request that would be sent
   * @throws JelouError: `validation` before anything is sent, else the kind of the failure; RangeError for a
   *   malformed option (nothing is sent)
   */
  sendFlowMessage(message: FlowMessageInput, options?: SendOptions): Promise<FlowMessageResult | DryRunRequest>;
  /**
   * The underlying openapi-fetch client, typed from `openapi.yaml`, for `{ data, error, response }` calls. It sends with the
   * same credentials, timeouts, retries and hooks, but without the client-side validation; its timeouts cover an attempt
   * up to the response headers.
   */
  readonly raw: Client<paths>;
  /** The base URL the client sends to. */
  readonly baseUrl: string;
}

const NO_OPTIONS: SendOptions = {};
type Result = FlowMessageResult;

/** The result of a 2xx, every field scrubbed: a server may echo the secret anywhere, and bulk journals and prints these. */
function resultOf(response: Response, text: string | undefined, outcome: SendOutcome<unknown>, secrets: readonly string[]) {
  // A body cut at the limit is dropped: a prefix of JSON is no answer.
  const parsed = outcome.bodyTruncated ? undefined : parseLoose(text);
  const body = isRecord(parsed) ? scrubDeep(parsed, secrets) : {};
  const result: FlowMessageResult = { status: response.status, body, attempts: outcome.attempts };
  if (outcome.bodyTruncated) result.bodyTruncated = true;
  const requestId = response.headers.get("x-request-id");
  if (requestId !== null) result.requestId = scrubSecrets(requestId, secrets);
  const messageId = response.headers.get("x-message-id");
  if (messageId !== null) result.messageId = scrubSecrets(messageId, secrets);
  return result;
}

function settingsFor(config: ClientConfig, options: SendOptions, path: string, signal = options.signal): SendSettings {
  const { timeoutMs = config.timeoutMs, totalTimeoutMs = config.totalTimeoutMs } = options;
  // A send without options (the usual one) has nothing to check.
  if (options === NO_OPTIONS) return { timeoutMs, totalTimeoutMs, retry: config.retry, signal, path };
  checkDuration("timeoutMs", options.timeoutMs, true);
  checkDuration("totalTimeoutMs", options.totalTimeoutMs, true);
  const retry = options.retry === undefined ? config.retry : resolveRetry(options.retry, config.retry);
  return { timeoutMs, totalTimeoutMs, retry, signal, path };
}

/** The `fetch` of `client.raw`: the same send, with the signal openapi-fetch put on the request, its body kept as text. */
async function sendRaw(config: ClientConfig, request: Request): Promise<Response> {
  const settings = settingsFor(config, NO_OPTIONS, new URL(request.url).pathname, request.signal);
  settings.bodyText = request.body === null ? undefined : await request.clone().text();
  return (await send(config, settings, (fetch) => fetch(request))).value;
}

/**
 * Creates a client for Jelou's flow_message endpoint: openapi-fetch underneath, with the contract's validation before
 * sending, typed errors, per-attempt and total timeouts, and retries that cannot send a message twice.
 *
 * @param options credentials, base URL, fetch, timeouts, retry, hooks; each documented with its default
 * @returns the client; it holds no secret in any property
 * @throws JelouError (kind `auth`) when clientId or clientSecret is missing from both the options and the environment;
 *   TypeError or RangeError for a malformed option
 * @example
 * ```ts
 * import { createJelouClient } from "jelou-flow";
 * const client = createJelouClient({ clientId: "my_client_id", clientSecret: process.env.JELOU_CLIENT_SECRET });
 * await client.sendFlowMessage({
 *   botId: "8f3c2a7e-bot", userId: "593987654321", title: "Hello", text: "Complete this flow to get started",
 *   caption: "Jelou", parameters: { flow_name: "welcome_flow", flow_cta: "Start Flow" },
 * });
 * ```
 */
export function createJelouClient(options: JelouClientOptions = {}): JelouClient {
  const config = resolveConfig(options);
  const raw = createClient<paths>({
    baseUrl: config.baseUrl,
    headers: { Authorization: config.authorization },
    // Every request openapi-fetch builds, and so every request a custom fetch is given, refuses to follow a redirect.
    redirect: "manual",
    fetch: (request) => sendRaw(config, request),
  });

  async function sendFlowMessage(message: FlowMessageInput, sendOptions = NO_OPTIONS): Promise<Result | DryRunRequest> {
    const checked = validateFlowMessage(message, sendOptions);
    if (!checked.ok) throw validationError(checked.problems, message);
    const { botId, userId, body } = checked.request;
    // Checked before a dry run too, so that a dry run proves the options as well as the message.
    const settings = settingsFor(config, sendOptions, `/v1/bots/${botId}/users/${userId}/flow_message`);
    if (sendOptions.dryRun === true) return buildDryRun(config.baseUrl, checked.request);
    settings.body = body;
    const params = paramsOf(checked.request);
    const post = (fetch: FetchLike) => raw.POST(FLOW_MESSAGE_PATH, { params, body, parseAs: "text", fetch });
    const outcome = await send(config, settings, post);
    const { data, error, response } = outcome.value;
    if (response.ok) return resultOf(response, data, outcome, config.secrets);
    throw errorFromResponse(response.status, response.headers, error, outcome.context);
  }

  return { sendFlowMessage: sendFlowMessage as JelouClient["sendFlowMessage"], raw, baseUrl: config.baseUrl };
}

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
export function sendFlowMessage(message: FlowMessageInput, options?: OneOffSendOptions & { dryRun?: false }): Promise<Result>;
export function sendFlowMessage(message: FlowMessageInput, options?: OneOffSendOptions): Promise<Result | DryRunRequest>;
export async function sendFlowMessage(message: FlowMessageInput, options: OneOffSendOptions = {}) {
  const { type, signal, timeoutMs, totalTimeoutMs, retry, dryRun, ...clientOptions } = options;
  return createJelouClient(clientOptions).sendFlowMessage(message, { type, signal, timeoutMs, totalTimeoutMs, retry, dryRun });
}

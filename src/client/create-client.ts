import createClient, { type Client } from "openapi-fetch";
import type { paths } from "../../generated/openapi.js";
import { errorFromResponse } from "../errors/from-response.js";
import { JelouError } from "../errors/jelou-error.js";
import { validationError } from "../errors/validation-error.js";
import { validateFlowMessage, type FlowMessageInput } from "../contract/validate-flow-message.js";
import { parseLoose, runAttempts } from "./attempts.js";
import { Call, type CallSettings } from "./call.js";
import { scrubDeep, scrubSecrets } from "./redact.js";
import { checkDuration, resolveConfig, resolveRetry, type ClientConfig } from "./config.js";
import { buildDryRun, FLOW_MESSAGE_PATH, type DryRunRequest } from "./dry-run.js";
import type { JelouClientOptions, SendOptions } from "./options.js";

/** What a send resolves with: what Jelou answered. */
export interface FlowMessageResult {
  /** The HTTP status (200). */
  status: number;
  /** The JSON body Jelou answered (documented as `{}`); `{}` when it was empty or not a JSON object. */
  body: Record<string, unknown>;
  /** How many HTTP attempts it took. */
  attempts: number;
  /** `X-Request-Id`, when the server sent one. */
  requestId?: string;
  /** `X-Message-Id` (the mock Jelou's id of the message in its inbox), when the server sent one. */
  messageId?: string;
  /**
   * `true` when the answer's body was longer than the client's `maxResponseBytes` (counted after decompression): it was
   * not read past the limit and `body` is `{}`. The message was still sent (the status says so). Absent otherwise.
   */
  bodyTruncated?: true;
}

/** A client made by {@link createJelouClient}. */
export interface JelouClient {
  /**
   * Checks a message against the contract, then sends it, retrying only when that cannot send it twice.
   *
   * @param message the body plus `botId` and `userId`; `userId` may be written `+593 98-765-4321`
   * @param options `type`, `signal`, `timeoutMs`, `totalTimeoutMs`, `retry`, `dryRun`
   * @returns what Jelou answered; with `dryRun: true`, the request that would be sent
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
  sendFlowMessage(message: FlowMessageInput, options: SendOptions & { dryRun: true }): Promise<DryRunRequest>;
  sendFlowMessage(message: FlowMessageInput, options?: SendOptions & { dryRun?: false }): Promise<FlowMessageResult>;
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function resultOf(response: Response, text: string | undefined, call: Call): FlowMessageResult {
  // A body cut at the limit is dropped: a prefix of JSON is no answer.
  const parsed = call.bodyTruncated ? undefined : parseLoose(text);
  // Every field is scrubbed: a server may echo the secret anywhere, and bulk journals and prints these.
  const secrets = call.config.secrets;
  const body = isRecord(parsed) ? scrubDeep(parsed, secrets) : {};
  const result: FlowMessageResult = { status: response.status, body, attempts: call.attempts };
  if (call.bodyTruncated) result.bodyTruncated = true;
  const requestId = response.headers.get("x-request-id");
  if (requestId !== null) result.requestId = scrubSecrets(requestId, secrets);
  const messageId = response.headers.get("x-message-id");
  if (messageId !== null) result.messageId = scrubSecrets(messageId, secrets);
  return result;
}

function settingsFor(config: ClientConfig, options: SendOptions, body: unknown, path: string): CallSettings {
  checkDuration("timeoutMs", options.timeoutMs, true);
  checkDuration("totalTimeoutMs", options.totalTimeoutMs, true);
  return {
    timeoutMs: options.timeoutMs ?? config.timeoutMs,
    totalTimeoutMs: options.totalTimeoutMs ?? config.totalTimeoutMs,
    retry: options.retry === undefined ? config.retry : resolveRetry(options.retry, config.retry),
    signal: options.signal,
    body,
    path,
  };
}

/** The `fetch` of `client.raw`: the same attempt loop, with the body read back from the request so it can be resent. */
async function sendRaw(config: ClientConfig, request: Request): Promise<Response> {
  const url = request.url;
  // openapi-fetch put the caller's signal, if any, on the request: it is the call's signal.
  const settings = settingsFor(config, NO_OPTIONS, undefined, new URL(url).pathname);
  settings.signal = request.signal;
  const call = new Call(config, settings, runAttempts);
  try {
    call.url = url;
    call.bodyText = request.body === null ? undefined : await request.text();
    return await runAttempts(call.nextRequest(request), call);
  } finally {
    call.end();
  }
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

  async function sendFlowMessage(message: FlowMessageInput, sendOptions: SendOptions = NO_OPTIONS): Promise<FlowMessageResult | DryRunRequest> {
    const checked = validateFlowMessage(message, sendOptions);
    if (!checked.ok) throw validationError(checked.problems, message);
    const { botId, userId, type, body } = checked.request;
    // Checked before a dry run too, so that a dry run proves the options as well as the message.
    const settings = settingsFor(config, sendOptions, body, `/v1/bots/${botId}/users/${userId}/flow_message`);
    if (sendOptions.dryRun === true) return buildDryRun(config.baseUrl, checked.request);

    const call = new Call(config, settings, runAttempts);
    try {
      // Guarded as a whole, so the timers also cover reading the answer, which openapi-fetch does after the attempt loop.
      const { data, error, response } = await call.guard(() =>
        raw.POST(FLOW_MESSAGE_PATH, {
          params: type === undefined ? { path: { botId, userId } } : { path: { botId, userId }, query: { type } },
          body,
          parseAs: "text",
          fetch: call.fetch,
        }),
      );
      if (response.ok) return resultOf(response, data, call);
      throw errorFromResponse(response.status, response.headers, error, {
        method: "POST",
        path: call.path(),
        attempts: call.attempts,
        earlierMaybeSent: call.maybeSent,
        secrets: config.secrets,
      });
    } catch (failure) {
      // An abort or the deadline ends the whole call here; whether a request was out then says whether it may have been
      // sent (reading an answer counts: the request went out), not merely that an earlier one was.
      throw JelouError.is(failure) ? failure : call.failure(failure, call.inFlight);
    } finally {
      call.end();
    }
  }

  return { sendFlowMessage: sendFlowMessage as JelouClient["sendFlowMessage"], raw, baseUrl: config.baseUrl };
}

/**
 * Relay mode (`jelou-flow mock --upstream URL`): a send that passed the mock's own checks is forwarded, once, to a real
 * Jelou with the caller's credentials, and its answer is checked against openapi.yaml, for the caller and the inbox.
 */
import {
  checkFlowMessageResponse,
  credentialSecrets,
  scrubSecrets,
  type ResponseCheck,
} from "../../src/contract/index.js";

/** The send to forward: as the caller made it. */
export interface RelayRequest {
  method: string;
  /** The path and query, such as `/v1/bots/b1/users/593987654321/flow_message?type=standard`. */
  path: string;
  /** The caller's Authorization header, forwarded as is and never kept. */
  authorization: string | undefined;
  /** The body as the caller sent it. */
  body: string;
}

export interface RelayOptions {
  /** The upstream's address: `https:`, or `http:` on a loopback host (tests). A path prefix is kept. */
  upstream: URL;
  /** How long to wait for the whole answer. @default 30_000 */
  timeoutMs?: number;
  /** How many bytes of the answer's body are read. @default 65_536 */
  maxBodyBytes?: number;
}

/**
 * What the upstream answered: give the caller `status`, `headers` and `body`; record `status`, `body` and `check`. The
 * caller's credentials, should the upstream echo them, are `[REDACTED]` in every field.
 */
export interface RelayAnswer {
  ok: true;
  status: number;
  /** The upstream's headers, less those that describe the connection rather than the answer. */
  headers: Record<string, string>;
  /** The body as the upstream sent it, up to `maxBodyBytes`. */
  body: string;
  truncated: boolean;
  /** The answer checked against openapi.yaml; `check.conforms` false marks it on the page. */
  check: ResponseCheck;
  /** Why the caller gets the contract's 500 instead of this answer: a redirect off the upstream, a status HTTP lacks. */
  refused?: string;
}

/** No answer from the upstream: the caller gets the contract's 500 (the message may or may not have been sent). */
export interface RelayFailure {
  ok: false;
  /** `timeout` or `network`. */
  kind: "timeout" | "network";
  /** Why, without the credentials. */
  message: string;
}

/** Headers about the hop, not the answer (RFC 9110, section 7.6.1), and those the mock computes again. */
const HOP_HEADERS = new Set(["connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding", "upgrade"]);

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/**
 * Checks an `--upstream` address: `https:`, or `http:` to a loopback host; no credentials, query or fragment in it.
 *
 * @param value the option's value
 * @returns the address
 * @throws `TypeError` naming the rule it breaks
 */
export function parseUpstream(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`--upstream must be an https:// address, such as https://api.jelou.ai; got ${JSON.stringify(value)}.`);
  }
  const secure = url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.test(url.hostname));
  if (!secure) {
    throw new TypeError("--upstream must be https:// (http:// only to a loopback host): the credentials are forwarded to it.");
  }
  if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") {
    throw new TypeError("--upstream must hold no user name, password, query or fragment.");
  }
  return url;
}

/** What to scrub: the caller's secret and its Basic token (every encoding of them, as the client scrubs). */
function credentialForms(authorization: string | undefined): string[] {
  const token = /^Basic\s+(\S+)$/i.exec(authorization ?? "")?.[1];
  if (token === undefined) return authorization ? [authorization] : [];
  const pair = Buffer.from(token, "base64").toString("utf8");
  const colon = pair.indexOf(":");
  return [...new Set([...credentialSecrets(pair.slice(0, colon), pair.slice(colon + 1)), token])];
}

/** Bytes read past the bound, so that a secret the cut splits is still whole when scrubbed. */
const SCRUB_MARGIN = 4096;

async function boundedBytes(response: Response, maxBytes: number): Promise<Buffer> {
  const reader = response.body?.getReader();
  if (reader === undefined) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks);
    chunks.push(value.subarray(0, maxBytes - size));
    size += Math.min(value.byteLength, maxBytes - size);
    if (size >= maxBytes) {
      await reader.cancel().catch(() => undefined);
      return Buffer.concat(chunks);
    }
  }
}

/** The body scrubbed whole (with the margin), then cut to the bound; `read` is all that was read, for the check. */
async function scrubbedBody(response: Response, maxBytes: number, secrets: readonly string[]) {
  const bytes = await boundedBytes(response, maxBytes + SCRUB_MARGIN + 1);
  const text = bytes.toString("utf8");
  if (bytes.length <= maxBytes) return { read: text, text: scrubSecrets(text, secrets), truncated: false };
  const scrubbed = Buffer.from(scrubSecrets(text, secrets), "utf8");
  return { read: text, text: scrubbed.subarray(0, maxBytes).toString("utf8"), truncated: true };
}

/** Why an answer is not handed to the caller as it is, if it is not. */
function refusal(response: Response, upstream: URL): string | undefined {
  const { status } = response;
  if (status < 200 || status > 599) return `The upstream answered status ${status}, which HTTP does not define.`;
  const location = response.headers.get("location");
  if (status < 300 || status > 399 || location === null) return undefined;
  let target: URL | undefined;
  try {
    target = new URL(location, upstream);
  } catch {
    target = undefined;
  }
  if (target?.origin === upstream.origin) return undefined;
  return `The upstream redirected (${status}) off its host; the redirect was not followed.`;
}

/**
 * Forwards one checked send to the upstream, once (no retry, no redirect followed), and checks its answer.
 *
 * @param request the method, path, the caller's Authorization and the body
 * @param options the upstream (see {@link parseUpstream}), the timeout and the body bound
 * @returns the upstream's answer with its contract check, or why there is none
 */
export async function relaySend(request: RelayRequest, options: RelayOptions): Promise<RelayAnswer | RelayFailure> {
  const forms = credentialForms(request.authorization);
  const target = new URL(options.upstream.pathname.replace(/\/$/, "") + request.path, options.upstream);
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
  if (request.authorization !== undefined) headers.authorization = request.authorization;
  try {
    const signal = AbortSignal.timeout(options.timeoutMs ?? 30_000);
    const response = await fetch(target, { method: request.method, headers, body: request.body, redirect: "manual", signal });
    const { read, text, truncated } = await scrubbedBody(response, options.maxBodyBytes ?? 65_536, forms);
    const answerHeaders: Record<string, string> = {};
    response.headers.forEach((value, name) => !HOP_HEADERS.has(name) && (answerHeaders[name] = scrubSecrets(value, forms)));
    const check = checkFlowMessageResponse({ status: response.status, headers: response.headers, body: read, secrets: forms });
    const refused = refusal(response, options.upstream);
    const answer = { ok: true, status: response.status, headers: answerHeaders, body: text, truncated } as const;
    return { ...answer, check: scrubCheck(check, forms), ...(refused !== undefined && { refused }) };
  } catch (error) {
    const timeout = (error as Error).name === "TimeoutError";
    const message = timeout
      ? `The upstream did not answer within ${options.timeoutMs ?? 30_000} ms.`
      : `No connection to the upstream: ${(error as Error).message}`;
    return { ok: false, kind: timeout ? "timeout" : "network", message: scrubSecrets(message, forms) };
  }
}

/** Every field of the check scrubbed, though its input already was. */
function scrubCheck(check: ResponseCheck, forms: readonly string[]): ResponseCheck {
  const scrub = (text: string) => scrubSecrets(text, forms);
  const differences = check.differences.map((d) => ({
    ...d,
    schemaPath: scrub(d.schemaPath),
    at: scrub(d.at),
    expected: scrub(d.expected),
    actual: scrub(d.actual),
    suggestion: scrub(d.suggestion),
  }));
  return { ...check, expected: scrub(check.expected), differences };
}

/**
 * The answer the caller gets: the upstream's status, headers and body; without an answer, the contract's 500
 * `internal_server_error`, since the message may or may not have been sent.
 *
 * @param outcome what {@link relaySend} resolved with
 * @returns the Response for the caller
 */
export function relayResponse(outcome: RelayAnswer | RelayFailure): Response {
  if (outcome.ok && outcome.refused !== undefined) return internalError(`${outcome.refused} It was not passed on.`);
  if (outcome.ok) {
    const nullBody = outcome.status === 204 || outcome.status === 205 || outcome.status === 304;
    return new Response(nullBody ? null : outcome.body, { status: outcome.status, headers: outcome.headers });
  }
  return internalError(`${outcome.message} The message may or may not have been sent.`);
}

function internalError(description: string): Response {
  const body = JSON.stringify({ code: "internal_server_error", description });
  return new Response(body, { status: 500, headers: { "content-type": "application/json" } });
}

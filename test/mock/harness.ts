/**
 * Runs the mock's tests in both modes: in-process through `mock.fetch`, and over HTTP on 127.0.0.1 through the global
 * `fetch`. A test takes a {@link Target} and does not know which mode it is in.
 */
import { afterAll, beforeAll, expect } from "vitest";
import { validateFlowMessageSent, validateJelouError } from "../../generated/validators.js";
import { createMockJelou, type MockJelou, type MockJelouOptions, type MockServer } from "../../mock/index.js";
import { createJelouClient, type JelouClient, type JelouClientOptions } from "../../src/index.js";

export const CLIENT_ID = "test-client";
export const CLIENT_SECRET = "s3cr3t-Value-That-Must-Not-Leak";
export const AUTH = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64")}`;
export const BOT = "bot-1";
export const USER = "593987654321";
export const SEND_PATH = `/v1/bots/${BOT}/users/${USER}/flow_message`;

/** A message that breaks no rule. */
export function validMessage(): Record<string, unknown> {
  return {
    title: "Hello",
    text: "Complete this flow to get started",
    caption: "Jelou",
    parameters: { flow_name: "welcome_flow", flow_cta: "Start Flow", flow_action_payload: { screen: "RECOMMEND" } },
    payload: { orderId: "A-1001" },
  };
}

export type Mode = "in-process" | "http";
export const MODES: Mode[] = ["in-process", "http"];

/** A mock and a way to call it. */
export interface Target {
  mode: Mode;
  mock: MockJelou;
  /** The base URL over HTTP; undefined in-process. */
  url?: string;
  /** Calls the mock; `path` starts with `/`. */
  call(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/**
 * Starts a mock in one mode, with this suite's credentials unless the options say otherwise.
 *
 * @param mode in-process or over HTTP (real listen on 127.0.0.1, port 0)
 * @param options more options of createMockJelou
 */
export async function startTarget(mode: Mode, options: MockJelouOptions = {}): Promise<Target> {
  const mock = createMockJelou({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, env: false, ...options });
  if (mode === "in-process") {
    return { mode, mock, call: (path, init) => mock.fetch(path, init), close: async () => {} };
  }
  const server: MockServer = await mock.listen({ port: 0 });
  return { mode, mock, url: server.url, call: (path, init) => fetch(`${server.url}${path}`, init), close: () => server.close() };
}

/**
 * A target started before the suite's tests and closed after them (even when one fails). The object returned is
 * filled in by `beforeAll`, so use it inside tests only.
 *
 * @param mode in-process or over HTTP
 * @param options more options of createMockJelou
 */
export function useTarget(mode: Mode, options: MockJelouOptions = {}): Target {
  const target = {} as Target;
  beforeAll(async () => {
    Object.assign(target, await startTarget(mode, options));
  });
  afterAll(() => target.close());
  return target;
}

/** POSTs a JSON body (or a raw string) to the send route, with the suite's credentials unless overridden. */
export function send(
  target: Target,
  body: unknown = validMessage(),
  options: { path?: string; headers?: Record<string, string>; raw?: boolean } = {},
): Promise<Response> {
  return target.call(options.path ?? SEND_PATH, {
    method: "POST",
    headers: { authorization: AUTH, "content-type": "application/json", ...options.headers },
    body: options.raw === true ? (body as string) : JSON.stringify(body),
  });
}

/** POSTs a streamed body (no Content-Length, chunked over HTTP) to the send route with the suite's credentials. */
export function sendStream(target: Target, body: ReadableStream<Uint8Array>): Promise<Response> {
  return target.call(SEND_PATH, {
    method: "POST",
    headers: { authorization: AUTH, "content-type": "application/json" },
    body,
    duplex: "half",
  } as RequestInit);
}

const DECLARED_STATUSES = new Set([200, 400, 401, 403, 404, 413, 415, 422, 429, 500, 503]);

/** An answer of the send route, read and checked against openapi.yaml: status declared, body of the declared schema. */
export interface Answer {
  status: number;
  body: Record<string, unknown> & { code?: string; description?: string; errors?: { path: string; rule: string; message: string }[] };
  headers: Headers;
}

/**
 * Reads an answer of the send route and asserts that it conforms to openapi.yaml (status, JSON body schema, headers).
 *
 * @param response the answer
 * @param options.allow405 405 is the mock's answer to a wrong method, outside the POST operation
 */
export async function readAnswer(response: Response, options: { allow405?: boolean } = {}): Promise<Answer> {
  const text = await response.text();
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  const body = JSON.parse(text) as Answer["body"];
  if (!(options.allow405 === true && response.status === 405)) expect(DECLARED_STATUSES).toContain(response.status);
  if (response.status === 200) {
    expect(validateFlowMessageSent(body), JSON.stringify(validateFlowMessageSent.errors)).toBe(true);
    expect(response.headers.get("x-message-id")).toMatch(/^msg_/);
    // The README promises both ids on a 200; the contract makes X-Request-Id optional, so only this checks it.
    expect(response.headers.get("x-request-id")).toMatch(/^req_/);
  } else {
    expect(validateJelouError(body), JSON.stringify(validateJelouError.errors)).toBe(true);
  }
  if (response.status === 429) expect(response.headers.get("retry-after")).toMatch(/^[0-9]+$/);
  const requestId = response.headers.get("x-request-id");
  if (requestId !== null) expect(requestId).toMatch(/^req_/);
  return { status: response.status, body, headers: response.headers };
}

/**
 * The real client pointed at a target: over HTTP by its URL, in-process through `mock.fetch`.
 *
 * @param target the mock
 * @param options more client options (credentials default to the suite's)
 */
export function clientFor(target: Target, options: JelouClientOptions = {}): JelouClient {
  const where = target.url === undefined ? { baseUrl: "http://mock-jelou.local", fetch: target.mock.fetch } : { baseUrl: target.url };
  return createJelouClient({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...where, ...options });
}

/**
 * The probes of `jelou-flow verify`: each sends one request, once, and checks the answer against openapi.yaml. They go
 * through `createJelouClient` with retries off, by its `raw` openapi-fetch client: that skips the client's validation
 * (the probes are valid messages anyway) and hands back every status as an answer instead of an error.
 */
import { randomBytes } from "node:crypto";
import { checkFlowMessageResponse, credentialSecrets, maskUserId, scrubSecrets } from "../contract/index.js";
import type { ResponseCheck, ResponseDifference } from "../contract/index.js";
import type { FlowMessageBody } from "../contract/validate-flow-message.js";
import { createJelouClient } from "../index.js";

/** An unassigned number (country code 999 is reserved by the ITU): the probes that must reach nobody address it. */
export const NOBODY = "999000000000";

/** The statuses and Jelou codes a probe expects, and where the contract says so. */
interface Expectation {
  statuses: number[];
  codes: string[];
  pointers: string[];
  text: string;
}

/** One probe to run: who it goes to, with which credentials, and what the contract says it gets. */
export interface Probe {
  name: "wrong-credentials" | "unknown-bot" | "send";
  title: string;
  botId: string;
  userId: string;
  message: FlowMessageBody;
  /** True to send with a made-up secret instead of the operator's. */
  wrongSecret: boolean;
  expect: Expectation;
}

/** What one probe found. Every text in it comes from the answer and is scrubbed before it is shown. */
export interface ProbeResult {
  name: Probe["name"];
  title: string;
  /** `POST /v1/bots/{botId}/users/{masked}/flow_message`. */
  request: string;
  expected: string;
  status?: number;
  contentType?: string;
  /** The declared headers that came back, and Content-Type. */
  headers?: Record<string, string>;
  body?: string;
  /** The failure when no answer came: network, timeout, a redirect. */
  error?: { kind: string; message: string };
  conforms: boolean;
  differences: ResponseDifference[];
  check?: ResponseCheck;
}

/** Credentials and where to send, read from the environment. */
export interface ProbeTarget {
  baseUrl?: string;
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
}

const BODY_SHOWN = 2000;
/** Content-Type and every header openapi.yaml declares for some status: what a report shows of an answer's headers. */
const SHOWN_HEADERS = new Set(["content-type", "x-message-id", "x-request-id", "www-authenticate", "retry-after"]);
const SEND_PATH = "/v1/bots/{botId}/users/{userId}/flow_message";

/** The message the probes that reach nobody send: valid, so that only the credentials or the bot can be refused. */
export function probeMessage(flowName = "jelou_flow_verify"): FlowMessageBody {
  return {
    title: "jelou-flow verify",
    text: "A contract probe of jelou-flow verify.",
    caption: "jelou-flow",
    parameters: { flow_name: flowName, flow_cta: "Open" },
  };
}

/** The two probes that cannot message anyone, then the real send when it was asked for and confirmed. */
export function probesFor(options: { bot?: string; flow?: string; send?: Pick<Probe, "userId" | "message"> }): Probe[] {
  const message = probeMessage(options.flow);
  const unknownBot = `jelou-flow-verify-no-such-bot-${randomBytes(6).toString("hex")}`;
  const probes: Probe[] = [
    {
      name: "wrong-credentials",
      title: "Wrong credentials",
      botId: options.bot ?? unknownBot,
      userId: NOBODY,
      message,
      wrongSecret: true,
      expect: {
        statuses: [401],
        codes: ["unauthorized"],
        pointers: ["#/components/responses/Unauthorized"],
        text: "401 `unauthorized`",
      },
    },
    {
      name: "unknown-bot",
      title: "A bot that cannot exist",
      botId: unknownBot,
      userId: NOBODY,
      message,
      wrongSecret: false,
      expect: {
        statuses: [404, 403],
        codes: ["bot_not_found", "forbidden_bot"],
        pointers: ["#/components/responses/NotFound", "#/components/responses/Forbidden"],
        text: "404 `bot_not_found` or 403 `forbidden_bot`",
      },
    },
  ];
  if (options.send !== undefined && options.bot !== undefined) {
    const pointer = "#/paths/~1v1~1bots~1{botId}~1users~1{userId}~1flow_message/post/responses/200";
    probes.push({
      name: "send",
      title: "One real Flow message to --send-to",
      botId: options.bot,
      ...options.send,
      wrongSecret: false,
      expect: { statuses: [200], codes: [], pointers: [pointer], text: "200" },
    });
  }
  return probes;
}

/** The difference between what the probe expects and what came back, beyond what the status's own contract says. */
function expectationDifferences(probe: Probe, status: number, body: unknown, check: ResponseCheck): ResponseDifference[] {
  const { expect } = probe;
  const isObject = body !== null && typeof body === "object" && !Array.isArray(body);
  const code = isObject ? (body as Record<string, unknown>).code : undefined;
  const got = `${status}${typeof code === "string" ? ` \`${code}\`` : ""}`;
  const schemaPath = expect.pointers[0]!;
  if (!expect.statuses.includes(status)) {
    const where = check.pointer === undefined ? `a new '${status}' response` : `the ${status} response (${check.pointer})`;
    const suggestion = `${probe.title.toLowerCase()} answered ${got}, not ${expect.text}: if that is Jelou's answer, say so ` +
      `in the description of ${where} with this body as an example, and drop the case from ${schemaPath}`;
    return [{ part: "status", schemaPath, at: "", expected: expect.text, actual: got, suggestion }];
  }
  // Without a code, the contract's own check of the body says so.
  if (expect.codes.length === 0 || typeof code !== "string" || expect.codes.includes(code)) return [];
  const pointer = expect.pointers[expect.statuses.indexOf(status)]!;
  const suggestion = `${status} answered code \`${code}\`: add it as an example of ${pointer} and to the codes listed in ` +
    "JelouError.code's description (#/components/schemas/JelouError/properties/code)";
  return [{ part: "body", schemaPath: pointer, at: "/code", expected: expect.text, actual: got, suggestion }];
}

/** A redirect is an answer the contract does not declare (Jelou does not redirect): drift, not the lack of an answer. */
function redirected(probe: Probe, status: number): ResponseDifference {
  const schemaPath = "#/paths/~1v1~1bots~1{botId}~1users~1{userId}~1flow_message/post/responses";
  const suggestion = `${probe.title.toLowerCase()} answered ${status}, a redirect (not followed): check JELOU_BASE_URL; ` +
    `if Jelou does redirect, declare a '${status}' response at ${schemaPath}`;
  return { part: "status", schemaPath, at: "", expected: probe.expect.text, actual: `${status} (a redirect)`, suggestion };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Sends one probe, once, and checks the answer.
 *
 * @param probe what to send
 * @param target the credentials, the address and the per-attempt timeout
 * @returns what came back, checked; a failure without an answer is a result too (`error`)
 */
export async function runProbe(probe: Probe, target: ProbeTarget): Promise<ProbeResult> {
  const clientSecret = probe.wrongSecret ? `wrong-${randomBytes(12).toString("hex")}` : target.clientSecret;
  const client = createJelouClient({
    clientId: target.clientId,
    clientSecret,
    ...(target.baseUrl !== undefined && { baseUrl: target.baseUrl }),
    timeoutMs: target.timeoutMs,
    retry: false,
    env: {},
  });
  const request = `POST /v1/bots/${encodeURIComponent(probe.botId)}/users/${maskUserId(probe.userId)}/flow_message`;
  const base = { name: probe.name, title: probe.title, request, expected: probe.expect.text };
  let answer: { status: number; headers: Headers; body: string };
  try {
    // openapi-fetch parses an error body as JSON when it can: the text is read beside it, byte for byte as sent.
    let text = "";
    client.raw.use({ onResponse: async ({ response }) => void (text = await response.clone().text()) });
    const params = { path: { botId: probe.botId, userId: probe.userId } };
    const { response } = await client.raw.POST(SEND_PATH, { params, body: probe.message, parseAs: "text" });
    answer = { status: response.status, headers: response.headers, body: text };
  } catch (thrown) {
    const failure = thrown as { kind?: unknown; message?: unknown; status?: unknown };
    if (typeof failure.status === "number" && failure.status >= 300 && failure.status < 400) {
      return { ...base, status: failure.status, conforms: false, differences: [redirected(probe, failure.status)] };
    }
    const kind = typeof failure.kind === "string" ? failure.kind : "unexpected";
    return { ...base, error: { kind, message: String(failure.message ?? thrown) }, conforms: false, differences: [] };
  }
  const secrets = credentialSecrets(target.clientId, target.clientSecret);
  const check = checkFlowMessageResponse({ ...answer, secrets });
  const differences = [...expectationDifferences(probe, answer.status, parse(answer.body), check), ...check.differences];
  const headers: Record<string, string> = {};
  answer.headers.forEach((value, name) => SHOWN_HEADERS.has(name) && (headers[name] = value));
  // Scrubbed before it is cut, so that the cut leaves no start of a secret.
  const scrubbed = scrubSecrets(answer.body, secrets);
  const long = scrubbed.length > BODY_SHOWN;
  const body = long ? `${scrubbed.slice(0, BODY_SHOWN)}... (${answer.body.length} characters)` : scrubbed;
  const contentType = answer.headers.get("content-type") ?? undefined;
  // What the probe expects, then what the contract declares for the status that came (it may be another).
  const expected = `${probe.expect.text}; for the ${answer.status} it got, openapi.yaml declares ${check.expected}`;
  const conforms = differences.length === 0;
  const { status } = answer;
  return { ...base, expected, status, ...(contentType && { contentType }), headers, body, conforms, differences, check };
}

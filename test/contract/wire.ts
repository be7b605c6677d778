/**
 * The requests the contract suite sends and the outcomes it reads back, independent of the server answering: the same
 * `ContractRequest` becomes the same HTTP request for the in-process mock, the mock behind Prism, and the Prism mock.
 */

/** Credentials every target is started with; Prism accepts any well-formed Basic credentials. */
export const CREDENTIALS = { clientId: "contract-client", clientSecret: "contract-secret" } as const;
export const BOT_ID = "bot-contract";
export const USER_ID = "593987654321";

export type Auth = "valid" | "wrong-secret" | "none" | { header: string };

export interface ContractRequest {
  botId?: string;
  /** The userId as it goes in the path (percent-encoded here); the client normalises `+593 98…` before this point. */
  userId?: string;
  type?: string;
  /** Serialised with JSON.stringify. */
  body?: unknown;
  /** Sent as it is, instead of `body`. */
  rawBody?: string;
  contentType?: string;
  auth?: Auth;
  /** Replaces the whole path, for routes outside the contract. */
  path?: string;
}

/** One field problem, as the mock's `errors` or Prism's `sl-violations` name it. */
export interface Problem {
  path: string;
  rule: string;
}

/** What a target answered, normalised so that the same assertions apply to every target. */
export interface Outcome {
  status: number;
  body: unknown;
  headers: Headers;
  /** The field problems the answer names (mock: body `errors`; Prism mock: the `sl-violations` header). */
  problems: Problem[];
  /** What Prism found wrong, from `sl-violations` (a proxy with --errors: violations of the upstream's answer). */
  violations: PrismViolation[];
}

export interface PrismViolation {
  location: string[];
  severity: string;
  code: string | number;
  message: string;
}

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;
}

function authorization(auth: Auth): string | undefined {
  if (auth === "none") return undefined;
  if (auth === "valid") return basic(CREDENTIALS.clientId, CREDENTIALS.clientSecret);
  if (auth === "wrong-secret") return basic(CREDENTIALS.clientId, "not-the-secret");
  return auth.header;
}

/** The path of a flow_message request, encoded as a client encodes it. */
export function flowMessagePath(request: Pick<ContractRequest, "botId" | "userId" | "type">): string {
  const botId = encodeURIComponent(request.botId ?? BOT_ID);
  const userId = encodeURIComponent(request.userId ?? USER_ID);
  const query = request.type === undefined ? "" : `?type=${encodeURIComponent(request.type)}`;
  return `/v1/bots/${botId}/users/${userId}/flow_message${query}`;
}

/** Builds the HTTP request; `baseUrl` has no trailing slash. */
export function toRequest(baseUrl: string, request: ContractRequest): Request {
  const headers = new Headers({ "content-type": request.contentType ?? "application/json" });
  const auth = authorization(request.auth ?? "valid");
  if (auth !== undefined) headers.set("authorization", auth);
  const body = request.rawBody ?? JSON.stringify(request.body ?? {});
  return new Request(`${baseUrl}${request.path ?? flowMessagePath(request)}`, { method: "POST", headers, body });
}

function violationsOf(headers: Headers): PrismViolation[] {
  const raw = headers.get("sl-violations");
  if (raw === null) return [];
  try {
    return JSON.parse(raw) as PrismViolation[];
  } catch {
    return [{ location: [], severity: "Error", code: "unparsable", message: raw }];
  }
}

/** Prism lower-cases path parameter names in its reports (`userid`); the contract's spelling is restored here. */
const PARAMETER_NAMES = new Map(["botId", "userId", "type"].map((name) => [name.toLowerCase(), name]));

/**
 * Prism reports a missing or unknown property at its parent, naming it only in the message; the mock names the property
 * itself (`parameters.flow_cta`, as `toFieldProblems` does). This puts Prism's report in the mock's form.
 */
export function problemsInViolations(violations: readonly PrismViolation[]): Problem[] {
  const problems: Problem[] = [];
  for (const v of violations) {
    const [where, part, ...rest] = v.location;
    if (where !== "request" || part === undefined || typeof v.code !== "string") continue;
    const named = /(?:required property|found) '([^']+)'/.exec(v.message)?.[1];
    const segments = [...rest];
    if (named !== undefined && (v.code === "required" || v.code === "additionalProperties")) segments.push(named);
    if (part !== "body") segments.forEach((name, i) => (segments[i] = PARAMETER_NAMES.get(name.toLowerCase()) ?? name));
    problems.push({ path: segments.join("."), rule: v.code });
  }
  return problems;
}

/** The mock Jelou's `errors` array, reduced to path and rule. */
export function problemsInBody(body: unknown): Problem[] {
  if (body === null || typeof body !== "object" || !("errors" in body) || !Array.isArray(body.errors)) return [];
  return body.errors.map((e: { path?: unknown; rule?: unknown }) => ({ path: String(e.path), rule: String(e.rule) }));
}

/** Reads a response into an {@link Outcome}; `problemsFrom` says where this target names field problems. */
export async function readOutcome(response: Response, problemsFrom: "body" | "violations"): Promise<Outcome> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    // Not JSON: kept as text, and the assertion on the body shape will say so.
  }
  const violations = violationsOf(response.headers);
  const problems = problemsFrom === "body" ? problemsInBody(body) : problemsInViolations(violations);
  return { status: response.status, body, headers: response.headers, problems, violations };
}

/** One line per outcome, for assertion messages. */
export function describeOutcome(outcome: Outcome): string {
  const violations = outcome.violations.length > 0 ? `\nsl-violations: ${JSON.stringify(outcome.violations)}` : "";
  return `HTTP ${outcome.status} ${JSON.stringify(outcome.body)}${violations}`;
}

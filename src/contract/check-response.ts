import type { components as MockComponents } from "../../generated/mock/openapi.js";
import {
  sendFlowMessageResponses as operation,
  type ResponseContract,
  type ResponseMediaContract,
  type ValidationIssue,
} from "../../generated/validators.js";
import { scrubSecrets } from "./scrub-secrets.js";

/**
 * One way an answer differs from what `openapi.yaml` declares for its status. Its shape is the inspection contract's
 * UpstreamDifference, since the relay records these in the inbox as they are.
 * @interface
 */
export type ResponseDifference = MockComponents["schemas"]["UpstreamDifference"];

/** The outcome of {@link checkFlowMessageResponse}. */
export interface ResponseCheck {
  /** True when nothing differs. */
  conforms: boolean;
  /** What the contract declares for the answer's status, in a line. */
  expected: string;
  /** JSON Pointer to the response the contract declares for the status, when it declares one. */
  pointer?: string;
  /** Each way the answer differs, empty when it conforms; past 20, the rest are counted in one last entry. */
  differences: ResponseDifference[];
}

/** An answer to check: its status, its headers and its body as text. */
export interface AnswerToCheck {
  /** The HTTP status. */
  status: number;
  /** The response headers, as `fetch` gives them or as a plain object. */
  headers: Headers | Readonly<Record<string, string>>;
  /** The body exactly as received, before any parsing. */
  body: string;
  /** Credentials to scrub from the answer before it is checked, so that no difference (cut or lower-cased) shows them. */
  secrets?: readonly string[];
}

/** Differences kept, the rest counted in one last entry; and the characters kept of each field. */
const MAX_DIFFERENCES = 20;
const MAX_FIELD = 300;

/** `#/components/schemas/JelouError/required` is JelouError's; a pointer into a path is the operation's. */
function owner(pointer: string): string {
  return /^#\/components\/\w+\/([^/]+)/.exec(pointer)?.[1] ?? `${operation.method} ${operation.path}`;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value === "number" && Number.isInteger(value) ? "integer" : typeof value;
}

function shown(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    return `(${kindOf(value)} too deep to show)`;
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** A key of the answer's body, quoted when it holds anything but a plain name, and clipped. */
function keyShown(key: string): string {
  return /^[\w$.@-]{1,64}$/.test(key) ? `\`${key}\`` : shown(key);
}

/** Ajv's schema path, relative to the validated schema or to the components, as a pointer into the contract. */
function contractPointer(schemaPath: string, base: string): string {
  if (schemaPath.startsWith("#/")) return base + schemaPath.slice(1);
  return schemaPath.replace(/^[^#]*#\/\$defs\//, "#/components/schemas/");
}

type Part = ResponseDifference["part"];

function difference(part: Part, schemaPath: string, at: string, expected: string, actual: string, suggestion: string) {
  return { part, schemaPath, at, expected, actual, suggestion };
}

/** The difference one failed keyword of the body makes, with the change that would accept it. */
function bodyDifference(status: number, issue: ValidationIssue, media: ResponseMediaContract): ResponseDifference {
  const path = contractPointer(issue.schemaPath, media.pointer);
  const rule = `${owner(path)} (${path})`;
  const at = issue.instancePath;
  const field = `${status} body${at === "" ? "" : ` \`${at.slice(1).replaceAll("/", ".")}\``}`;
  const p = issue.params;
  const data = (): string => shown(issue.data);
  switch (issue.keyword) {
    case "required": {
      const name = keyShown(String(p.missingProperty));
      const suggestion = `${field} has no ${name}: remove it from the required list of ${rule}`;
      return difference("body", path, at, `${name} present`, "absent", suggestion);
    }
    case "additionalProperties": {
      const name = String(p.additionalProperty);
      const kind = kindOf((issue.data as Record<string, unknown> | undefined)?.[name]);
      const where = `${owner(path)} (${path.replace(/\/[^/]+$/, "")}/properties)`;
      const actual = `${keyShown(name)} (${kind})`;
      const suggestion = `${status} body has ${actual}: add it to ${where}`;
      return difference("body", path, `${at}/${name}`, "no other property", actual, suggestion);
    }
    case "type": {
      const kind = kindOf(issue.data);
      return difference("body", path, at, String(p.type), kind, `${field} is ${kind}: allow it in the \`type\` of ${rule}`);
    }
    case "enum":
      return difference("body", path, at, `one of ${shown(p.allowedValues)}`, data(),
        `${field} is ${data()}: add it to the enum of ${rule}`);
    default: {
      const expected = `${issue.keyword} ${shown(Object.values(p)[0])}`;
      return difference("body", path, at, expected, data(), `${field} breaks \`${issue.keyword}\`: relax it in ${rule}`);
    }
  }
}

/** Top-level properties the schema does not declare, though it allows them: the contract does not tell of them. */
function undeclared(status: number, body: unknown, media: ResponseMediaContract): ResponseDifference[] {
  if (media.closed || body === null || typeof body !== "object" || Array.isArray(body)) return [];
  const expected = media.properties.length === 0 ? "no declared property" : `declared: ${media.properties.join(", ")}`;
  return Object.entries(body)
    .filter(([key]) => !media.properties.includes(key))
    .map(([key, value]) => {
      const actual = `${keyShown(key)} (${kindOf(value)})`;
      const suggestion = `${status} body has ${actual}: add it to ${media.schema ?? owner(media.pointer)}`;
      return difference("body", `${media.pointer}/properties`, `/${key}`, expected, actual, suggestion);
    });
}

function headerDifferences(status: number, contract: ResponseContract, headers: Record<string, string>): ResponseDifference[] {
  if (contract.validateHeaders(headers)) return [];
  return (contract.validateHeaders.errors ?? []).map((issue) => {
    const key = issue.keyword === "required" ? String(issue.params.missingProperty) : issue.instancePath.slice(1);
    const { name, pointer } = contract.headers[key]!;
    if (issue.keyword === "required") {
      const suggestion = `${status} has no ${name} header: make it optional (drop \`required: true\` at ${pointer})`;
      return difference("header", `${pointer}/required`, name, "present", "absent", suggestion);
    }
    const path = `${pointer}/schema${issue.schemaPath.slice(`#/properties/${key}`.length)}`;
    const expected = `${issue.keyword} ${shown(Object.values(issue.params)[0])}`;
    const suggestion = `${status} ${name} breaks \`${issue.keyword}\`: relax it at ${path}`;
    return difference("header", path, name, expected, shown(issue.data), suggestion);
  });
}

function mediaTypeOf(headers: Record<string, string>): string | undefined {
  return headers["content-type"]?.split(";", 1)[0]!.trim().toLowerCase() || undefined;
}

function matches(declared: string, actual: string): boolean {
  if (declared === actual || declared === "*/*") return true;
  return declared.endsWith("/*") && actual.startsWith(declared.slice(0, -1));
}

function contractFor(status: number): ResponseContract | undefined {
  const { statuses } = operation;
  return statuses[String(status)] ?? statuses[`${String(status)[0]}XX`] ?? statuses.default;
}

/**
 * What the contract declares for a status of the flow_message operation, in one line.
 *
 * @param status an HTTP status
 * @returns such as `401 (#/components/responses/Unauthorized): application/json JelouError; headers WWW-Authenticate, ...`
 * @example
 * ```ts
 * describeFlowMessageResponse(404);
 * // "404 (#/components/responses/NotFound): application/json JelouError; headers X-Request-Id"
 * ```
 */
export function describeFlowMessageResponse(status: number): string {
  const contract = contractFor(status);
  const declared = Object.keys(operation.statuses).join(", ");
  if (contract === undefined) return `${status}: not declared (declared: ${declared})`;
  const content = Object.entries(contract.content).map(([type, media]) => `${type} ${media.schema ?? media.pointer}`);
  const headers = Object.values(contract.headers).map((h) => `${h.name}${h.required ? " (required)" : ""}`);
  const declaredHeaders = headers.length > 0 ? `; headers ${headers.join(", ")}` : "";
  return `${status} (${contract.pointer}): ${content.join(" or ") || "no body"}${declaredHeaders}`;
}

/**
 * Checks an answer of `POST /v1/bots/{botId}/users/{userId}/flow_message` against openapi.yaml: the status is declared,
 * the content type is one declared for it, the body is valid against its schema and declares every top-level property it
 * has, and the declared headers are valid. Each difference names its JSON Pointer in the contract and the smallest change
 * to openapi.yaml that would make the answer agree.
 *
 * @param answer the status, headers and body text that came back
 * @returns `conforms`, what the contract expects, and every difference
 * @example
 * ```ts
 * const headers = { "content-type": "application/json" };
 * const check = checkFlowMessageResponse({ status: 200, headers, body: '{"messageId":"m1"}' });
 * check.differences[0].suggestion; // "200 body has `messageId` (string): add it to FlowMessageSent"
 * ```
 */
export function checkFlowMessageResponse(answer: AnswerToCheck): ResponseCheck {
  const secrets = answer.secrets ?? [];
  const headers: Record<string, string> = {};
  const keep = (value: string, name: string) => (headers[name.toLowerCase()] = scrubSecrets(value, secrets));
  if (answer.headers instanceof Headers) answer.headers.forEach(keep);
  else for (const [name, value] of Object.entries(answer.headers)) keep(value, name);
  const scrubbed = { status: answer.status, headers, body: scrubSecrets(answer.body, secrets) };
  let check: ResponseCheck;
  try {
    check = checkScrubbed(scrubbed);
  } catch (error) {
    // A check that cannot finish (an answer too deep, say) is a difference of its own, never the lack of an answer.
    const actual = `an answer the check could not finish: ${String(error)}`;
    const suggestion = `${answer.status} answered a body that cannot be checked: declare what Jelou sends`;
    const failed = difference("body", `${operation.pointer}/responses`, "", "a body that can be checked", actual, suggestion);
    check = { conforms: false, expected: describeFlowMessageResponse(answer.status), differences: [failed] };
  }
  return { ...check, differences: bounded(check.differences) };
}

function bounded(differences: ResponseDifference[]): ResponseDifference[] {
  const clip = (text: string) => (text.length > MAX_FIELD ? `${text.slice(0, MAX_FIELD - 3)}...` : text);
  const kept = differences.slice(0, MAX_DIFFERENCES).map((d) => {
    const { part, schemaPath, at, expected, actual, suggestion } = d;
    return difference(part, clip(schemaPath), clip(at), clip(expected), clip(actual), clip(suggestion));
  });
  const more = differences.length - kept.length;
  if (more > 0) kept.push(difference("body", "", "", "", `...and ${more} more`, `${more} more differences are not shown`));
  return kept;
}

function checkScrubbed(answer: AnswerToCheck & { headers: Record<string, string> }): ResponseCheck {
  const { status, headers } = answer;
  const expected = describeFlowMessageResponse(status);
  const contract = contractFor(status);
  if (contract === undefined) {
    const schemaPath = `${operation.pointer}/responses`;
    const suggestion = `add a '${status}' response, with the body Jelou sends, at ${schemaPath}`;
    const declared = Object.keys(operation.statuses).join(", ");
    const differences = [difference("status", schemaPath, "", declared, String(status), suggestion)];
    return { conforms: false, expected, differences };
  }
  const differences = headerDifferences(status, contract, headers);
  const result = (): ResponseCheck => ({ conforms: differences.length === 0, expected, pointer: contract.pointer, differences });
  const declared = Object.keys(contract.content);
  const type = mediaTypeOf(headers);
  const where = `${contract.pointer}/content`;
  if (declared.length === 0) {
    if (answer.body !== "") {
      const actual = `${type ?? "a body"} of ${answer.body.length} characters`;
      differences.push(difference("body", where, "", "no body", actual, `${status} has a body: declare its content at ${where}`));
    }
    return result();
  }
  const matched = type === undefined ? undefined : declared.find((d) => matches(d, type));
  if (matched === undefined) {
    const add = `add \`${type}\` to the content of ${owner(where)} (${where})`;
    const change = type === undefined ? "no change can declare that" : add;
    const suggestion = `${status} answered ${type ?? "no Content-Type"}: ${change}`;
    differences.push(difference("content-type", where, "Content-Type", declared.join(" or "), type ?? "(none)", suggestion));
  }
  // A body sent with the wrong type is still read as the declared JSON, so that its own differences show too.
  const media = contract.content[matched ?? declared.find((d) => d.includes("json")) ?? declared[0]!]!;
  if (!(matched ?? declared[0]!).includes("json")) return result();
  let body: unknown;
  try {
    body = answer.body === "" ? undefined : JSON.parse(answer.body);
  } catch {
    body = undefined;
  }
  if (body === undefined) {
    const actual = answer.body === "" ? "an empty body" : `text that is not JSON: ${shown(answer.body)}`;
    const what = answer.body === "" ? "no body" : "a body that is not JSON";
    const suggestion = `${status} answered ${what}: declare that at ${where}`;
    differences.push(difference("body", media.pointer, "", `JSON (${media.schema ?? media.pointer})`, actual, suggestion));
  } else {
    if (!media.validate(body)) {
      differences.push(...(media.validate.errors ?? []).map((issue) => bodyDifference(status, issue, media)));
    }
    differences.push(...undeclared(status, body, media));
  }
  return result();
}

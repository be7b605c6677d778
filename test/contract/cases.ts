import type { Capability } from "./targets/target.js";
import type { BotRegistry } from "../../mock/index.js";
import { BOT_ID, type ContractRequest, type Problem } from "./wire.js";

/** One behaviour of Jelou's endpoint, checked on every target. */
export interface ContractCase {
  name: string;
  request: ContractRequest;
  /** The status every target answers. */
  status: number;
  /** A field problem the answer must name (the mock's `errors`, Prism's `sl-violations`). */
  problem?: Problem;
  /** The error code of the answer; checked in a test of its own that needs `answersErrorCodes`. */
  code?: string;
  /** For an accepted message: the target recorded exactly what was sent; needs `keepsState`. */
  recorded?: boolean;
  needs?: Capability[];
}

/** The example of Jelou's documentation, with initial screen data: every optional part present. */
export function validBody(): Record<string, unknown> {
  return {
    title: "Your appointment",
    text: "*Pick a time* that suits you.",
    caption: "Clinic Norte",
    parameters: { flow_name: "book_appointment", flow_cta: "Book now", flow_action_payload: { screen: "PICK_TIME", data: { doctor: "Dr. Vera" } } },
    payload: { orderId: "A-1001" },
  };
}

/** {@link validBody} with the top-level fields `top`, and the fields `parameters` of `parameters` replaced. */
function bodyWith(top: Record<string, unknown>, parameters: Record<string, unknown> = {}): Record<string, unknown> {
  const body = validBody();
  return { ...body, ...top, parameters: { ...(body.parameters as object), ...parameters } };
}

function withoutKey(record: Record<string, unknown>, key: string): Record<string, unknown> {
  const copy = { ...record };
  delete copy[key];
  return copy;
}

const ASTRAL = "𝐀"; // U+1D400, two UTF-16 units, one code point, not an emoji.
const EMOJI = "😀";

function accepted(name: string, request: ContractRequest): ContractCase {
  return { name, request, status: 200, recorded: true };
}

function refused(name: string, request: ContractRequest, problem: Problem): ContractCase {
  return { name, request, status: 422, problem, code: "unprocessable_entity" };
}

/** A text field at its limit is accepted, one code point more is refused: in ASCII and in astral characters. */
function lengthCases(field: "title" | "text" | "caption" | "flow_cta", limit: number): ContractCase[] {
  const put = (value: string) => (field === "flow_cta" ? bodyWith({}, { flow_cta: value }) : bodyWith({ [field]: value }));
  const path = field === "flow_cta" ? "parameters.flow_cta" : field;
  return [
    accepted(`${path} of ${limit} characters`, { body: put("a".repeat(limit)) }),
    refused(`${path} of ${limit + 1} characters`, { body: put("a".repeat(limit + 1)) }, { path, rule: "maxLength" }),
    accepted(`${path} of ${limit} astral code points (${limit * 2} UTF-16 units)`, { body: put(ASTRAL.repeat(limit)) }),
    refused(`${path} of ${limit + 1} astral code points`, { body: put(ASTRAL.repeat(limit + 1)) }, { path, rule: "maxLength" }),
    refused(`empty ${path}`, { body: put("") }, { path, rule: "minLength" }),
  ];
}

export const VALID_SENDS: ContractCase[] = [
  accepted("the example of Jelou's documentation", {
    body: { title: "Hello", text: "Complete this flow to get started", caption: "Jelou", parameters: { flow_name: "welcome_flow", flow_cta: "Start Flow", flow_action_payload: { screen: "RECOMMEND" } } },
  }),
  accepted("every optional field present", { body: validBody() }),
  accepted("only the required fields", { body: { title: "T", text: "B", caption: "F", parameters: { flow_name: "f", flow_cta: "Go" } } }),
  accepted("unknown keys in parameters are passed through", { body: bodyWith({}, { flow_id: "123", mode: "published" }) }),
  accepted("emoji in the title, body and footer", { body: bodyWith({ title: `Hi ${EMOJI}`, text: `🇪🇨 ${EMOJI} 1️⃣`, caption: "❤️" }) }),
  accepted("accented letters in flow_cta", { body: bodyWith({}, { flow_cta: "Reservá ahora ñ" }) }),
  accepted("a type query parameter", { body: validBody(), type: "standard" }),
  accepted("the shortest userId", { body: validBody(), userId: "1" }),
  accepted("a 15-digit userId", { body: validBody(), userId: "123456789012345" }),
];

export const VALIDATION_RULES: ContractCase[] = [
  ...lengthCases("title", 60),
  ...lengthCases("text", 1024),
  ...lengthCases("caption", 60),
  ...lengthCases("flow_cta", 20),
  ...["😀", "🇪🇨", "1️⃣", "❤️", "©"].map((emoji) =>
    refused(`emoji ${emoji} in flow_cta`, { body: bodyWith({}, { flow_cta: `Go ${emoji}` }) }, { path: "parameters.flow_cta", rule: "pattern" }),
  ),
  ...["title", "text", "caption", "parameters"].map((field) =>
    refused(`missing ${field}`, { body: withoutKey(validBody(), field) }, { path: field, rule: "required" }),
  ),
  ...["flow_name", "flow_cta"].map((field) =>
    refused(`missing parameters.${field}`, { body: { ...validBody(), parameters: withoutKey(bodyWith({}).parameters as Record<string, unknown>, field) } }, { path: `parameters.${field}`, rule: "required" }),
  ),
  refused("empty parameters.flow_name", { body: bodyWith({}, { flow_name: "" }) }, { path: "parameters.flow_name", rule: "minLength" }),
  refused("a misspelt top-level field", { body: { ...validBody(), paylaod: {} } }, { path: "paylaod", rule: "additionalProperties" }),
  refused("a title that is a number", { body: bodyWith({ title: 42 }) }, { path: "title", rule: "type" }),
  refused("a payload that is not an object", { body: bodyWith({ payload: "A-1001" }) }, { path: "payload", rule: "type" }),
  refused("empty flow_action_payload.data", { body: bodyWith({}, { flow_action_payload: { screen: "A", data: {} } }) }, { path: "parameters.flow_action_payload.data", rule: "minProperties" }),
  refused("flow_action_payload without screen", { body: bodyWith({}, { flow_action_payload: { data: { a: 1 } } }) }, { path: "parameters.flow_action_payload.screen", rule: "required" }),
  refused("an unknown key in flow_action_payload", { body: bodyWith({}, { flow_action_payload: { screen: "A", extra: 1 } }) }, { path: "parameters.flow_action_payload.extra", rule: "additionalProperties" }),
  refused("a body that is an array", { body: [validBody()] }, { path: "", rule: "type" }),
  ...[
    ["a leading 0", "0593987654321"],
    ["16 digits", "1234567890123456"],
    ["a + sign", "+593987654321"],
    ["spaces", "593 98 765 4321"],
    ["letters", "59398765432a"],
    ["Arabic-Indic digits", "٥٩٣٩٨٧٦٥٤٣٢١"],
  ].map(([what, userId]) => refused(`a userId with ${what}`, { body: validBody(), userId }, { path: "userId", rule: "pattern" })),
  { ...refused("an empty type query parameter", { body: validBody(), type: "" }, { path: "type", rule: "minLength" }), needs: ["rejectsEmptyQueryValue"] },
];

export const AUTH_AND_TRANSPORT: ContractCase[] = [
  { name: "no Authorization header", request: { body: validBody(), auth: "none" }, status: 401, code: "unauthorized", needs: ["answersMalformedCredentialsByContract"] },
  { name: "a Bearer token instead of Basic", request: { body: validBody(), auth: { header: "Bearer abc" } }, status: 401, code: "unauthorized", needs: ["answersMalformedCredentialsByContract"] },
  { name: "Basic credentials that are not base64 of id:secret", request: { body: validBody(), auth: { header: "Basic !!!" } }, status: 401, code: "unauthorized", needs: ["answersMalformedCredentialsByContract"] },
  { name: "a wrong client secret", request: { body: validBody(), auth: "wrong-secret" }, status: 401, code: "unauthorized", needs: ["checksCredentials"] },
  { name: "a body that is not JSON", request: { rawBody: '{"title": "Hello"' }, status: 400, code: "invalid_json", needs: ["answersMalformedJsonByContract"] },
  { name: "a body sent as text/plain", request: { body: validBody(), contentType: "text/plain" }, status: 415, code: "unsupported_media_type" },
];

/** The bots the targets that `knowsBots` are started with; BOT_ID is an ordinary bot with every Flow. */
export const BOTS: BotRegistry = {
  bots: {
    [BOT_ID]: {},
    "bot-of-another-client": { clientIds: ["another-client"] },
    "bot-on-another-provider": { provider: "twilio_sms" },
    "bot-with-flows": { provider: "whatsapp_cloud", flows: ["welcome_flow"] },
  },
};

function onBot(botId: string, flowName = "welcome_flow"): ContractRequest {
  return { botId, body: bodyWith({}, { flow_name: flowName }) };
}

export const JELOU_SIDE: ContractCase[] = [
  { ...accepted("a Flow the bot has", onBot("bot-with-flows")), needs: ["knowsBots"] },
  { name: "a bot that does not exist", request: onBot("bot-unknown"), status: 404, code: "bot_not_found", needs: ["knowsBots"] },
  { name: "a bot of another client", request: onBot("bot-of-another-client"), status: 403, code: "forbidden_bot", needs: ["knowsBots"] },
  { name: "a bot whose provider cannot send Flows", request: onBot("bot-on-another-provider"), status: 400, code: "flows_not_supported", needs: ["knowsBots"] },
  {
    name: "a Flow the bot does not have",
    request: onBot("bot-with-flows", "no_such_flow"),
    status: 422,
    code: "flow_not_found",
    problem: { path: "parameters.flow_name", rule: "enum" },
    needs: ["knowsBots"],
  },
];

/** Every case of the suite, in groups. */
export const CASE_GROUPS: Record<string, ContractCase[]> = {
  "valid sends": VALID_SENDS,
  "validation rules": VALIDATION_RULES,
  "auth and transport": AUTH_AND_TRANSPORT,
  "Jelou's side: bots and Flows": JELOU_SIDE,
};

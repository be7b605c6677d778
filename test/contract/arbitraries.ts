import fc from "fast-check";
import { normalizeUserId } from "../../src/index.js";
import { BOT_ID, type ContractRequest } from "./wire.js";

/**
 * Generators of valid and near-valid flow messages: texts whose length sits around each limit of openapi.yaml (counted
 * in code points), drawn from ASCII, other scripts, astral characters, emoji and control characters; fields missing,
 * of the wrong type, or extra; odd phone numbers and bot ids. Half the messages come from generators without faults,
 * so that acceptance at the limits is exercised as much as refusal.
 */

/** Left out of the object it would be a field of. */
const MISSING = Symbol("missing");
type Maybe<T> = T | typeof MISSING;

const CODE_POINTS = {
  ascii: fc.constantFrom("a", "Z", "0", " ", "*", "_", "~", "`", "-", "'", '"', "\\"),
  otherScripts: fc.constantFrom("é", "ñ", "ß", "中", "ع", "Ж", "\u00a0", "ᄀ"),
  astral: fc.constantFrom("𝐀", "𠜎", "𓀀", "🜁"),
  emoji: fc.constantFrom("😀", "🇪", "🇨", "©", "❤", "\ufe0f", "\u20e3", "🏳", "🧑"),
  control: fc.constantFrom("\n", "\t", "\u0000", "\u2028", "\u200d", "\ufeff"),
  any: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
};

/** One code point, mostly ordinary; shrinks to "a". */
const codePoint = fc.oneof(
  { withCrossShrink: true },
  { weight: 8, arbitrary: CODE_POINTS.ascii },
  { weight: 2, arbitrary: CODE_POINTS.otherScripts },
  { weight: 2, arbitrary: CODE_POINTS.astral },
  { weight: 1, arbitrary: CODE_POINTS.emoji },
  { weight: 1, arbitrary: CODE_POINTS.control },
  { weight: 1, arbitrary: CODE_POINTS.any },
);

/** A string of exactly `length` code points. */
function codePoints(length: number, unit: fc.Arbitrary<string> = codePoint): fc.Arbitrary<string> {
  return fc.array(unit, { minLength: length, maxLength: length }).map((units) => units.join(""));
}

/** What a generator may produce besides valid values: `faults` turns on missing fields, wrong types and broken limits. */
interface Mix {
  faults: boolean;
}

/** Weight of a faulty branch: none at all when the mix has no faults. */
function w(mix: Mix, weight = 1): number {
  return mix.faults ? weight : 0;
}

/**
 * Every choice between a valid and a faulty value shrinks across, towards the valid one listed first: the counterexample
 * fast-check reports keeps only the faults the disagreement needs, not every fault it was generated with.
 */
const SHRINK = { withCrossShrink: true } as const;

/** A string whose length is often at the edges: 1, limit - 1, limit, and with faults 0 and limit + 1. */
function textAround(mix: Mix, limit: number, unit?: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .oneof(
      SHRINK,
      { weight: 2, arbitrary: fc.integer({ min: 1, max: Math.min(limit, 12) }) },
      { weight: 2, arbitrary: fc.constantFrom(1, limit - 1, limit) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: limit }) },
      { weight: w(mix, 2), arbitrary: fc.constantFrom(0, limit + 1) },
    )
    .chain((length) => codePoints(length, unit));
}

const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }),
  fc.dictionary(fc.constantFrom("a", "b"), fc.string({ maxLength: 3 }), { maxKeys: 2 }),
);

/** `valid` present, or with faults sometimes missing or of the wrong type. */
function required<T>(mix: Mix, valid: fc.Arbitrary<T>): fc.Arbitrary<Maybe<T | unknown>> {
  return fc.oneof(
    SHRINK,
    { weight: 8, arbitrary: valid },
    { weight: w(mix), arbitrary: fc.constant(MISSING) },
    { weight: w(mix), arbitrary: wrongType },
  );
}

/** Left out, or `valid`, or with faults `faulty`. */
function optional<T>(mix: Mix, valid: fc.Arbitrary<T>, faulty: fc.Arbitrary<unknown> = wrongType): fc.Arbitrary<unknown> {
  return fc.oneof(
    SHRINK,
    { weight: 4, arbitrary: fc.constant(MISSING) },
    { weight: 4, arbitrary: valid },
    { weight: w(mix), arbitrary: faulty },
  );
}

function object(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== MISSING));
}

const noEmoji = fc.oneof({ weight: 6, arbitrary: CODE_POINTS.ascii }, CODE_POINTS.otherScripts, CODE_POINTS.control);

/** Button texts: without emoji, astral-only (long in UTF-16 units), and with faults any code point, emoji included. */
function flowCta(mix: Mix): fc.Arbitrary<string> {
  return fc.oneof(
    SHRINK,
    { weight: 4, arbitrary: textAround(mix, 20, noEmoji) },
    { weight: 1, arbitrary: textAround(mix, 20, CODE_POINTS.astral) },
    { weight: w(mix, 2), arbitrary: textAround(mix, 20) },
  );
}

const jsonValue = fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.boolean(), fc.constant(null));
const someData = fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), jsonValue, { minKeys: 1, maxKeys: 3 });

function flowActionPayload(mix: Mix): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record({
      screen: required(mix, textAround(mix, 12)),
      data: optional(mix, someData, fc.oneof(fc.constant({}), wrongType)),
      extra: fc.oneof(SHRINK, { weight: 8, arbitrary: fc.constant(MISSING) }, { weight: w(mix), arbitrary: jsonValue }),
    })
    .map(object);
}

function parameters(mix: Mix): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record({
      flow_name: required(mix, textAround(mix, 30)),
      flow_cta: required(mix, flowCta(mix)),
      flow_action_payload: optional(mix, flowActionPayload(mix)),
      // Passed through to Jelou: never a reason to refuse.
      flow_id: optional(mix, jsonValue, fc.constant(MISSING)),
      mode: optional(mix, fc.constantFrom("draft", "published"), fc.constant(MISSING)),
    })
    .map(object);
}

/** A flow message body: valid, or with faults nearly so. */
function body(mix: Mix): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record({
      title: required(mix, textAround(mix, 60)),
      text: required(mix, textAround(mix, 1024)),
      caption: required(mix, textAround(mix, 60)),
      parameters: required(mix, parameters(mix)),
      payload: optional(mix, someData),
      // A misspelt optional field: refused, since the contract forbids unknown top-level keys.
      paylaod: fc.oneof(SHRINK, { weight: 8, arbitrary: fc.constant(MISSING) }, { weight: w(mix), arbitrary: someData }),
    })
    .map(object);
}

const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: min, maxLength: max });

const validUserId = fc.tuple(fc.constantFrom(..."123456789"), digits(0, 14)).map(([first, rest]) => first + rest);

/** Phone numbers as people type them (the client normalises `+593 98-765-4321`), and with faults as they should not. */
function userId(mix: Mix): fc.Arbitrary<string> {
  return fc.oneof(
    SHRINK,
    { weight: 8, arbitrary: validUserId },
    { weight: 1, arbitrary: fc.constantFrom("+593 98-765-4321", "(593) 98.765.4321", " 593987654321 ", "+1 (555) 010-9999") },
    { weight: w(mix), arbitrary: digits(1, 14).map((rest) => `0${rest}`) },
    { weight: w(mix), arbitrary: fc.tuple(fc.constantFrom(..."123456789"), digits(15, 18)).map(([first, rest]) => first + rest) },
    { weight: w(mix), arbitrary: fc.constantFrom("", "+", "abc", "593-98-abc", "٥٩٣٩٨٧", "５９３９８７", "593/987", "593?x", "１", "+0593") },
  );
}

/** Bot ids: ordinary, and with faults what cannot stand in a path segment. */
function botId(mix: Mix): fc.Arbitrary<string> {
  return fc.oneof(
    SHRINK,
    { weight: 16, arbitrary: fc.constant(BOT_ID) },
    { weight: 1, arbitrary: fc.constantFrom("b", "8f3c2a7e-bot", "ünïcode-bot", "bot😀") },
    { weight: w(mix), arbitrary: fc.constantFrom("bot 1", "bot#1", "bot\t1", "bot?x") },
  );
}

/** The optional `type` query parameter: mostly absent; with faults sometimes empty. */
function flowType(mix: Mix): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    SHRINK,
    { weight: 12, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.constantFrom("standard", "draft", "ü") },
    { weight: w(mix), arbitrary: fc.constant("") },
  );
}

/** A generated message as the client takes it (body, botId and userId together), with an optional `type`. */
export interface GeneratedMessage {
  input: Record<string, unknown> & { botId: string; userId: string };
  type?: string;
}

function message(mix: Mix): fc.Arbitrary<GeneratedMessage> {
  return fc
    .record({ body: body(mix), botId: botId(mix), userId: userId(mix), type: flowType(mix) })
    .map(({ body, botId, userId, type }) => ({ input: { ...body, botId, userId }, ...(type === undefined ? {} : { type }) }));
}

/** Half valid messages (lengths at the limits, astral characters, emoji where allowed), half with faults. */
export const generatedMessage: fc.Arbitrary<GeneratedMessage> = fc.oneof(SHRINK, message({ faults: false }), message({ faults: true }));

/** The request the client sends for a message: the phone number normalised as the client does, the rest as it came. */
export function wireRequest(message: GeneratedMessage): ContractRequest {
  const { botId, userId, ...body } = message.input;
  return { botId, userId: normalizeUserId(userId), body, ...(message.type === undefined ? {} : { type: message.type }) };
}

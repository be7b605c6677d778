/**
 * The length limits of a flow message's texts, read from the validators generated from `openapi.yaml` so the page never
 * carries a second copy of them. The generated module embeds each field's schema in the problems it reports
 * (`parentSchema`); checking a probe whose texts all have the wrong type makes it report every text field once, with its
 * schema, and the limits are read from there.
 */
import { validateFlowMessage } from "../../generated/validators.js";
import type { FlowMessageBody } from "../../src/index.js";

/** Where a text sits in the message, as the contract names it. */
export type TextField = "title" | "text" | "caption" | "parameters.flow_cta";

/** How WhatsApp shows each text, for labels. */
export const TEXT_FIELD_LABELS: Record<TextField, string> = {
  title: "header (title)",
  text: "body (text)",
  caption: "footer (caption)",
  "parameters.flow_cta": "button (flow_cta)",
};

/** The bounds of one text, in Unicode code points. */
export interface TextLimit {
  min: number;
  max: number;
}

/** One text of a message measured against its limit. */
export interface TextUsage {
  field: TextField;
  label: string;
  length: number;
  max: number;
  /** `length / max`, from 0 (empty) to 1 (at the limit) and above (over it). */
  ratio: number;
}

const FIELDS = Object.keys(TEXT_FIELD_LABELS) as TextField[];
const PROBE = { title: 0, text: 0, caption: 0, parameters: { flow_name: "probe", flow_cta: 0 } };

let cached: Record<TextField, TextLimit> | undefined;

/**
 * Reads the limits of the header, body, footer and button texts from the generated validators (once, then cached).
 *
 * @returns each text field's `{ min, max }`
 * @throws {Error} when the contract no longer gives one of these fields a `maxLength`: the page would otherwise show a
 *   made-up limit
 * @example
 * ```ts
 * textLimits().caption; // { min: 1, max: 60 } with today's contract
 * ```
 */
export function textLimits(): Record<TextField, TextLimit> {
  if (cached) return cached;
  validateFlowMessage(PROBE);
  const found: Partial<Record<TextField, TextLimit>> = {};
  for (const issue of validateFlowMessage.errors ?? []) {
    const field = issue.instancePath.slice(1).replace("/", ".") as TextField;
    const schema = issue.parentSchema ?? {};
    if (!FIELDS.includes(field) || typeof schema.maxLength !== "number") continue;
    found[field] = { min: typeof schema.minLength === "number" ? schema.minLength : 0, max: schema.maxLength };
  }
  for (const field of FIELDS) {
    if (!found[field]) throw new Error(`openapi.yaml gives ${field} no maxLength; the inbox page has no limit to show.`);
  }
  cached = found as Record<TextField, TextLimit>;
  return cached;
}

/** Counts Unicode code points, as JSON Schema's `maxLength` (and WhatsApp) count, so an emoji is one character. */
export function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * Measures each text of a message against its limit from the contract.
 *
 * @param body the message body as recorded by the mock
 * @returns one entry per text field present, in the order WhatsApp shows them
 * @example
 * ```ts
 * textUsage(message.body).map((u) => `${u.label}: ${u.length}/${u.max}`);
 * // ["header (title): 5/60", "body (text): 33/1024", "footer (caption): 5/60", "button (flow_cta): 10/20"]
 * ```
 */
export function textUsage(body: FlowMessageBody): TextUsage[] {
  const limits = textLimits();
  const values: Record<TextField, unknown> = {
    title: body.title,
    text: body.text,
    caption: body.caption,
    "parameters.flow_cta": body.parameters?.flow_cta,
  };
  return FIELDS.filter((field) => typeof values[field] === "string").map((field) => {
    const length = codePoints(values[field] as string);
    const { max } = limits[field];
    return { field, label: TEXT_FIELD_LABELS[field], length, max, ratio: max > 0 ? length / max : 1 };
  });
}

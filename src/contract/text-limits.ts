/**
 * The length limits of a flow message's texts, read from the validators generated from `openapi.yaml`, so no part of the
 * package (the CLI's help, the mock's inbox page) carries a second copy of them. The generated module embeds each field's
 * schema in the problems it reports (`parentSchema`); checking a probe whose texts all have the wrong type makes it report
 * every text field once, with its schema, and the limits are read from there.
 */
import { validateFlowMessage } from "../../generated/validators.js";

/** Where a text sits in the message, as the contract names it. */
export type TextField = "title" | "text" | "caption" | "parameters.flow_cta";

/** The bounds of one text, in Unicode code points. */
export interface TextLimit {
  min: number;
  max: number;
}

/** The text fields, in the order WhatsApp shows them. */
export const TEXT_FIELDS: readonly TextField[] = ["title", "text", "caption", "parameters.flow_cta"];

const PROBE = { title: 0, text: 0, caption: 0, parameters: { flow_name: "probe", flow_cta: 0 } };

let cached: Record<TextField, TextLimit> | undefined;

/** The limits of the header, body, footer and button texts, read once from the generated validators; a missing one throws. */
export function textLimits(): Record<TextField, TextLimit> {
  if (cached) return cached;
  validateFlowMessage(PROBE);
  const found: Partial<Record<TextField, TextLimit>> = {};
  for (const issue of validateFlowMessage.errors ?? []) {
    const field = issue.instancePath.slice(1).replace("/", ".") as TextField;
    const schema = issue.parentSchema ?? {};
    if (!TEXT_FIELDS.includes(field) || typeof schema.maxLength !== "number") continue;
    found[field] = { min: typeof schema.minLength === "number" ? schema.minLength : 0, max: schema.maxLength };
  }
  for (const field of TEXT_FIELDS) {
    if (!found[field]) throw new Error(`openapi.yaml gives ${field} no maxLength; there is no limit to show for it.`);
  }
  cached = found as Record<TextField, TextLimit>;
  return cached;
}

/** Length in Unicode code points, as JSON Schema's `maxLength` (and WhatsApp) count: an emoji is one character. */
export function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

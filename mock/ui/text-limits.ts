/**
 * How close each text of a recorded message is to its limit. The limits come from the contract through the package's
 * public `textLimits()`; only the labels, how WhatsApp names each text, are the page's own.
 */
import { codePoints, TEXT_FIELDS, textLimits, type FlowMessageBody, type TextField } from "../../src/contract/index.js";

export type { TextField };

/** How WhatsApp shows each text, for labels. */
export const TEXT_FIELD_LABELS: Record<TextField, string> = {
  title: "header (title)",
  text: "body (text)",
  caption: "footer (caption)",
  "parameters.flow_cta": "button (flow_cta)",
};

/** One text of a message measured against its limit. */
export interface TextUsage {
  field: TextField;
  label: string;
  length: number;
  max: number;
  /** `length / max`, from 0 (empty) to 1 (at the limit) and above (over it). */
  ratio: number;
}

/**
 * Measures each text of a message against its limit from the contract.
 *
 * @param body the message body as recorded by the mock
 * @returns one entry per text field present, in the order WhatsApp shows them
 */
export function textUsage(body: FlowMessageBody): TextUsage[] {
  const limits = textLimits();
  const values: Record<TextField, unknown> = {
    title: body.title,
    text: body.text,
    caption: body.caption,
    "parameters.flow_cta": body.parameters?.flow_cta,
  };
  return TEXT_FIELDS.filter((field) => typeof values[field] === "string").map((field) => {
    const length = codePoints(values[field] as string);
    const { max } = limits[field];
    return { field, label: TEXT_FIELD_LABELS[field], length, max, ratio: max > 0 ? length / max : 1 };
  });
}

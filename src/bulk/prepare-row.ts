import type { FieldProblem } from "../contract/field-problems.js";
import { normalizeUserId } from "../contract/normalize-user-id.js";
import { validateFlowMessage, type FlowMessageInput } from "../contract/validate-flow-message.js";
import type { MessageTemplate } from "./template.js";
import type { RecipientRow } from "./types.js";

/** A row turned into the message for its recipient, or the reasons it cannot be. */
export type PreparedRow =
  | { ok: true; key: string; botId: string; userId: string; message: FlowMessageInput }
  | { ok: false; key?: string; botId?: string; userId?: string; problems: FieldProblem[] };

/** The settings that turn a row into a message. */
export interface RowSettings {
  template: MessageTemplate;
  botId?: string;
  type?: string;
  userColumn: string;
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const s = String(value).trim();
  return s === "" ? undefined : s;
}

/**
 * Fills the template for one row and checks the result against the contract, exactly as the client will before sending.
 * The identity of a recipient is `botId:userId` with the phone number normalised, so `+593 98-765-4321` and
 * `593987654321` are the same person.
 */
export function prepareRow(row: RecipientRow, settings: RowSettings): PreparedRow {
  const problems: FieldProblem[] = [];
  const rawUser = text(row[settings.userColumn]);
  const botId = text(row.botId) ?? settings.botId;
  if (rawUser === undefined) {
    problems.push({ path: settings.userColumn, rule: "required", message: `The ${settings.userColumn} column is empty or missing; give the recipient's phone number.` });
  }
  if (botId === undefined) {
    problems.push({ path: "botId", rule: "required", message: "No bot: pass --bot (botId option) or add a botId column." });
  }
  const rendered = settings.template.render(row);
  problems.push(...rendered.problems);
  const userId = rawUser === undefined ? undefined : normalizeUserId(rawUser);
  const key = botId !== undefined && userId !== undefined ? `${botId}:${userId}` : undefined;
  const ids = { ...(key && { key }), ...(botId && { botId }), ...(userId && { userId }) };
  if (problems.length > 0) return { ok: false, ...ids, problems };

  const message = { ...rendered.value, botId, userId } as FlowMessageInput;
  const checked = validateFlowMessage(message, settings.type === undefined ? {} : { type: settings.type });
  if (!checked.ok) {
    const renamed = checked.problems.map((p) => (p.path === "userId" ? { ...p, path: settings.userColumn } : p));
    return { ok: false, ...ids, problems: renamed };
  }
  const { botId: b, userId: u, body } = checked.request;
  return { ok: true, key: `${b}:${u}`, botId: b, userId: u, message: { ...body, botId: b, userId: u } };
}

import type { FieldProblem } from "../contract/field-problems.js";
import { maskPath } from "../client/redact.js";
import { normalizeUserId } from "../contract/normalize-user-id.js";
import { adviceFor } from "./advice.js";
import { JelouError } from "./jelou-error.js";

function part(value: unknown, placeholder: string): string {
  return typeof value === "string" && value !== "" ? value : placeholder;
}

/**
 * The error of a message that breaks the contract, raised before any byte is sent: it lists every problem.
 *
 * @param problems what the generated validators found
 * @param message the message as given, for the path of the error
 */
export function validationError(problems: FieldProblem[], message: unknown): JelouError {
  const fields = (typeof message === "object" && message !== null ? message : {}) as Record<string, unknown>;
  const path = maskPath(`/v1/bots/${part(fields.botId, "{botId}")}/users/${part(typeof fields.userId === "string" ? normalizeUserId(fields.userId) : undefined, "{userId}")}/flow_message`);
  const count = problems.length === 1 ? "1 rule" : `${problems.length} rules`;
  const list = problems.map((p) => p.message).join(" ");
  return new JelouError({
    kind: "validation",
    message: `POST ${path} was not sent: the message breaks ${count} of the contract. ${list} ${adviceFor({ kind: "validation", maybeSent: false })}`,
    problems,
    attempts: 0,
    maybeSent: false,
    retryable: false,
    method: "POST",
    path,
  });
}

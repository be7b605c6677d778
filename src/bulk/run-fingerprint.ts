import { createHash } from "node:crypto";
import { JournalMismatchError } from "./journal.js";

/** What a run sends to every row, before the row fills it in. */
export interface RunMessage {
  template: unknown;
  botId?: string | undefined;
  type?: string | undefined;
}

/** JSON with the keys of every object in sorted order: a template file whose keys were reordered is the same message. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * A digest of what a run sends: the template, the bot and the type. It is written in the journal's `run` line, so that
 * a resumed run can tell whether it still sends the same message. It holds no recipient and no credential.
 *
 * @param message the template, and the bot and type given for every row
 * @returns a hex SHA-256 digest
 */
export function runFingerprint(message: RunMessage): string {
  const canonical = canonicalJson({ template: message.template, botId: message.botId, type: message.type });
  return createHash("sha256").update(canonical).digest("hex");
}

/**
 * Refuses to resume a journal whose latest run sent another message, unless the change is allowed. Journals written
 * before runs carried a fingerprint are resumed as before: there is nothing to compare.
 *
 * @param earlier the fingerprints of the journal's runs, oldest first (undefined for a run that recorded none)
 * @param current the fingerprint of this run
 * @param journal the journal's path, for the message
 * @param allowChange the caller's opt-in (`allowTemplateChange`, `--allow-template-change`)
 * @throws {JournalMismatchError} when the latest recorded fingerprint differs and the change is not allowed
 */
export function checkResumedRun(earlier: readonly (string | undefined)[], current: string, journal: string, allowChange: boolean): void {
  const latest = earlier.findLast((fingerprint) => fingerprint !== undefined);
  if (latest === undefined || latest === current || allowChange) return;
  throw new JournalMismatchError(
    `The journal ${journal} records a run that sent a different message (its template, bot or type has changed since), ` +
      "so resuming would send the rest of the list something other than what its first part got. Resume with the template, " +
      "--bot and --type of that run; or, if the change is intended, add --allow-template-change (allowTemplateChange: true).",
  );
}

/** Separators people type inside phone numbers; anything else is left for the contract's rule to report. */
const SEPARATORS = /[\s\-.()\u00a0]/g;
const DIGITS = /^\d+$/;

/**
 * Turns a phone number as people write it into the form Jelou's `userId` takes: international digits without the `+`.
 * Only a leading `+` and the usual separators (spaces, dashes, dots, parentheses) are removed; a value that still is not
 * digits is returned as it came, so the contract's check can name the problem instead of a guess hiding it.
 *
 * @param userId the recipient's phone number, such as `+593 98-765-4321`
 * @returns the digits, such as `593987654321`, or the input unchanged when it is not a phone number
 * @example
 * ```ts
 * normalizeUserId("+593 98-765-4321"); // "593987654321"
 * normalizeUserId("(593) 98.765.4321"); // "593987654321"
 * normalizeUserId("abc"); // "abc" (left for validation to report)
 * ```
 */
export function normalizeUserId(userId: string): string {
  if (typeof userId !== "string") return userId;
  // The common case, already digits, skips the three passes below: this runs before every send.
  if (DIGITS.test(userId)) return userId;
  const trimmed = userId.trim();
  const stripped = trimmed.replace(/^\+/, "").replace(SEPARATORS, "");
  return DIGITS.test(stripped) ? stripped : userId;
}

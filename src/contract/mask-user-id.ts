/** Phone numbers as logs and pages show them: the client, the CLI and the mock mask them alike. */

/**
 * Masks a phone number for logs: the country code and the last four digits stay, so people can still tell numbers apart.
 *
 * @param userId the phone number, as sent (`593987654321`)
 * @returns `5939****4321`; short values keep less (`12****89`, `****`)
 * @example
 * ```ts
 * maskUserId("593987654321"); // "5939****4321"
 * ```
 */
export function maskUserId(userId: string): string {
  const keep = userId.length >= 9 ? 4 : userId.length >= 5 ? 2 : 0;
  return keep === 0 ? "****" : `${userId.slice(0, keep)}****${userId.slice(-keep)}`;
}

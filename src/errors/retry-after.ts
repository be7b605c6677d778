/**
 * Reads a `Retry-After` header (RFC 9110, section 10.2.3): delay-seconds or an HTTP-date.
 *
 * @param value the header value, or null when absent
 * @param now the current time in epoch milliseconds, for HTTP-dates
 * @returns the wait in milliseconds (never negative), or undefined when absent or unreadable
 * @example
 * ```ts
 * parseRetryAfter("2"); // 2000
 * parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", Date.parse("Wed, 21 Oct 2015 07:27:58 GMT")); // 2000
 * ```
 */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  // RFC 9110 allows whole seconds only; fractions are read too rather than misread as a date.
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Medians, ratios and formatting of figures. */

/**
 * The median of some numbers (the mean of the middle two for an even count).
 *
 * @throws RangeError when there are none
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median of nothing");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** A number with thousands separators and at most `digits` decimals. */
export function fmt(value: number, digits = 0): string {
  return value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** A ratio such as `0.93x`, with enough digits to read small ones (or `digits` of them, to read one beside a target). */
export function ratio(value: number, reference: number, digits?: number): string {
  const r = value / reference;
  return `${r.toFixed(digits ?? (r < 0.1 ? 3 : 2))}x`;
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

import type { FC } from "hono/jsx";

/**
 * Hides the middle of a phone number, keeping what a developer needs to tell recipients apart: the country code's first
 * digits and the last four. Short numbers keep only their last two digits.
 *
 * @param digits the number as the contract sends it, such as `593987654321`
 * @returns the masked number, such as `+593•••••4321`
 */
export function maskPhone(digits: string): string {
  const chars = [...digits];
  if (chars.length <= 7) return `+${"•".repeat(Math.max(0, chars.length - 2))}${chars.slice(-2).join("")}`;
  return `+${chars.slice(0, 3).join("")}${"•".repeat(chars.length - 7)}${chars.slice(-4).join("")}`;
}

/**
 * A phone number shown masked, with the full number beside it for the page's "Show phone numbers" toggle (CSS shows one
 * of the two). The accessible name follows what is shown.
 *
 * @param props.digits the number
 */
export const Phone: FC<{ digits: string }> = ({ digits }) => (
  <span class="phone">
    <span class="phone-masked">{maskPhone(digits)}</span>
    <span class="phone-full">+{digits}</span>
  </span>
);

import { InvalidArgumentError } from "commander";
import { parseRate } from "../bulk/rate-scheduler.js";

/**
 * A parser for a flag taking a whole number within bounds, such as `--concurrency`.
 *
 * @param name the flag, for the message
 * @param min the least value accepted
 * @param max the greatest value accepted
 * @returns commander's argument parser; it throws InvalidArgumentError (a usage error) naming the flag and the bounds
 */
export function integerFlag(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} takes a whole number from ${min} to ${max}, not "${value}".`);
    return n;
  };
}

/**
 * Reads `--rate 20`, `20/s`, `600/min`; `0` (in any of those units) means no limit: 0 is returned and no scheduler is made.
 *
 * @param value the flag's text
 * @returns sends per second, or 0 for no limit
 * @throws {InvalidArgumentError} when it is not a rate or its unit is unknown (`0/banana`), naming the forms it takes
 */
export function rateFlag(value: string): number {
  try {
    return parseRate(value, { allowZero: true });
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/**
 * Reads `--delimiter`: one character. A shell passes `'\t'` as a backslash and a `t`, which is what people type for a
 * tab, so that is read as a tab.
 *
 * @param value the flag's text
 * @returns the separator
 * @throws {InvalidArgumentError} when it is not one character, or is a quote or a line break
 */
export function delimiterFlag(value: string): string {
  const delimiter = value === "\\t" ? "\t" : value;
  if ([...delimiter].length !== 1 || /["\r\n]/.test(delimiter)) {
    throw new InvalidArgumentError(`--delimiter takes one character other than a quote or a line break, such as "," ";" or '\\t' (tab); not "${value}".`);
  }
  return delimiter;
}

/**
 * A parser for a flag taking a JSON object, such as `--data '{"doctor":"Dr. Vera"}'`.
 *
 * @param name the flag, for the message
 * @returns commander's argument parser; it throws InvalidArgumentError when the text is not JSON or not an object
 */
export function jsonObjectFlag(name: string) {
  return (value: string): Record<string, unknown> => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch (error) {
      throw new InvalidArgumentError(`${name} must be a JSON object, such as '{"key":"value"}': ${(error as Error).message}.`);
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new InvalidArgumentError(`${name} must be a JSON object, such as '{"key":"value"}'.`);
    }
    return parsed as Record<string, unknown>;
  };
}

import { InvalidArgumentError } from "commander";
import { parseRate } from "../bulk/rate-scheduler.js";

/** A whole number within bounds, for flags such as `--concurrency`. */
export function integerFlag(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} takes a whole number from ${min} to ${max}, not "${value}".`);
    return n;
  };
}

/** `--rate 20`, `20/s`, `600/min`; `0` means no limit (0 is returned and no scheduler is made). */
export function rateFlag(value: string): number {
  if (/^\s*0+(\.0+)?\s*(\/\s*[a-z]+)?\s*$/i.test(value)) return 0;
  try {
    return parseRate(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** A JSON object given on the command line, such as `--data '{"doctor":"Dr. Vera"}'`. */
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

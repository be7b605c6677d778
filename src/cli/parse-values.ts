import { InvalidArgumentError } from "commander";

/** A commander parser for a whole number within bounds, such as `--concurrency`. */
export function integerFlag(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (Number.isInteger(n) && n >= min && n <= max) return n;
    throw new InvalidArgumentError(`${name} takes a whole number from ${min} to ${max}, not "${value}".`);
  };
}

const PER: Record<string, number> = { s: 1, sec: 1, second: 1, m: 60, min: 60, minute: 60, h: 3600, hour: 3600 };

/** `--rate 20`, `20/s`, `600/min`, `0.5/s`, as sends per second; `0` in any unit is 0, no limit. */
export function rateFlag(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|second|m|min|minute|h|hour))?\s*$/i.exec(value);
  if (match) return Number(match[1]) / PER[(match[2] ?? "s").toLowerCase()]!;
  const forms = "write sends per second such as 20 or 20/s, or 600/min (0 for no limit)";
  throw new InvalidArgumentError(`"${value}" is not a rate; ${forms}.`);
}

/** `--delimiter`: one character; `'\t'` as a shell passes it (a backslash and a t) is a tab. */
export function delimiterFlag(value: string): string {
  const delimiter = value === "\\t" ? "\t" : value;
  if ([...delimiter].length !== 1 || /["\r\n]/.test(delimiter)) {
    const such = `other than a quote or a line break, such as "," ";" or '\\t' (tab)`;
    throw new InvalidArgumentError(`--delimiter takes one character ${such}; not "${value}".`);
  }
  return delimiter;
}

/** A commander parser for a JSON object, such as `--data '{"doctor":"Dr. Vera"}'`. */
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

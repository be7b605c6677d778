import { redactUrlCredentials } from "../client/redact.js";
import { createJelouClient } from "../index.js";
import type { CliIo } from "./io.js";
import { UsageError } from "./io.js";

/** Placeholders for a dry run without credentials: the printed request redacts them anyway. */
const DRY_RUN_CREDENTIALS = { clientId: "dry-run", clientSecret: "dry-run" };

const BASE_URL_FIX = "Set it to an http(s) address such as https://api.jelou.ai, or http://127.0.0.1:4010 for the mock; or unset it to send to Jelou.";

const NO_SCHEME = "not an http(s) address (it needs http:// or https:// in front)";

/** `https://`, `ftp://`: a scheme written in front, whatever it is. */
const SCHEME = /^([a-z][a-z\d+.-]*):\/\//i;

/** Why a value that the URL parser refused cannot be used, as precisely as can be told without guessing. */
function unparsable(value: string): string {
  const scheme = SCHEME.exec(value);
  if (scheme === null) return NO_SCHEME;
  const authority = value.slice(scheme[0].length).split(/[/?#]/, 1)[0]!;
  if (/\s/.test(value)) return "not a valid address: it contains a space or another blank";
  if (authority === "") return `not a valid address: there is no host after ${scheme[0]}`;
  const port = /:([^:\]]*)$/.exec(authority)?.[1];
  if (port !== undefined && !/^\d{0,5}$/.test(port)) return `not a valid address: its port ("${port}") is not a number`;
  if (port !== undefined && Number(port) > 65_535) return `not a valid address: its port ${port} is above 65535`;
  return `not a valid address: its host "${authority}" is not a host name or an IP address`;
}

const CREDENTIALS_PROBLEM = "an address with an @ in it, as a user name or password would have; credentials go in JELOU_CLIENT_ID and JELOU_CLIENT_SECRET only";

/** Why an address the URL parser read cannot be used; undefined when it can. */
function unusable(value: string, url: URL): string | undefined {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    // `localhost:4010` parses, with "localhost:" as its scheme: what is missing is http:// in front.
    const written = SCHEME.exec(value)?.[0];
    return written === undefined ? NO_SCHEME : `not an http(s) address: it starts with ${written}, and only http:// and https:// are sent to`;
  }
  // An @ anywhere, not only one the parser took for a user name: `https://me:12/pw@host` parses as host "me", port 12.
  if (value.includes("@")) return CREDENTIALS_PROBLEM;
  if (url.search !== "" || url.hash !== "" || /[?#]/.test(value)) return "an address with a query or a fragment (? or #), which the path of each send cannot follow";
  return undefined;
}

/**
 * Checks JELOU_BASE_URL with the client's rules, so that a wrong value is a usage error naming the variable instead of
 * the client's TypeError and its stack. Credentials, a query and a fragment written into it are never shown (a query
 * may hold a token).
 *
 * @param value the variable's value, trimmed
 * @throws {UsageError} naming JELOU_BASE_URL, the rule it breaks and the fix
 */
export function checkBaseUrl(value: string): void {
  let problem: string | undefined;
  try {
    problem = unusable(value, new URL(value));
  } catch {
    // The parser refuses an @ it cannot place (`https://me:pa/ss@host`) too: name the credentials, not the host.
    problem = value.includes("@") ? CREDENTIALS_PROBLEM : unparsable(value);
  }
  if (problem !== undefined) throw new UsageError(`JELOU_BASE_URL is "${redactUrlCredentials(value)}", ${problem}. ${BASE_URL_FIX}`);
}

/**
 * JELOU_BASE_URL as the command uses it: trimmed; unset or empty (`JELOU_BASE_URL=`) means Jelou. A value of blanks
 * only is refused rather than taken for unset: it is a mistake (a quoting slip, an empty substitution), and reading it
 * as "send to Jelou" could send real messages where the mock was meant.
 *
 * @param env the command's environment
 * @returns the address to send to, or undefined for Jelou's
 * @throws {UsageError} when the value is blanks only, or unusable (see {@link checkBaseUrl})
 */
export function baseUrlFromEnv(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const given = env.JELOU_BASE_URL;
  if (given === undefined || given === "") return undefined;
  const value = given.trim();
  if (value === "") {
    throw new UsageError(
      "JELOU_BASE_URL is set but blank (only spaces or tabs), which is not taken to mean Jelou. Set it to an http(s) address " +
        "such as http://127.0.0.1:4010 for the mock, or unset it (or set it empty: JELOU_BASE_URL=) to send to Jelou.",
    );
  }
  checkBaseUrl(value);
  return value;
}

/**
 * The client, configured from JELOU_CLIENT_ID, JELOU_CLIENT_SECRET and JELOU_BASE_URL. A missing credential or an
 * unusable address is a usage error naming the variable, before anything is read or sent.
 *
 * @param io where the environment is read (and the fetch to use, in tests)
 * @param options the per-attempt timeout; `dryRun` lets the credentials be missing (placeholders are used)
 * @returns a client from `createJelouClient`
 * @throws {UsageError} when a credential is missing (outside a dry run) or JELOU_BASE_URL is unusable
 */
export function clientFromEnv(io: CliIo, options: { timeoutMs?: number; dryRun?: boolean } = {}): ReturnType<typeof createJelouClient> {
  const clientId = io.env.JELOU_CLIENT_ID?.trim();
  const clientSecret = io.env.JELOU_CLIENT_SECRET?.trim();
  let credentials = { clientId, clientSecret };
  if (!clientId || !clientSecret) {
    if (!options.dryRun) {
      const missing = [!clientId && "JELOU_CLIENT_ID", !clientSecret && "JELOU_CLIENT_SECRET"].filter(Boolean).join(" and ");
      throw new UsageError(`${missing} ${missing.includes(" and ") ? "are" : "is"} not set. Export your Jelou API client id and secret, for example:\n  export JELOU_CLIENT_ID=... JELOU_CLIENT_SECRET=...`);
    }
    credentials = DRY_RUN_CREDENTIALS;
  }
  const baseUrl = baseUrlFromEnv(io.env);
  return createJelouClient({
    clientId: credentials.clientId!,
    clientSecret: credentials.clientSecret!,
    // Trimmed here; when it is unset or empty the client reads "" or nothing from io.env, and sends to Jelou.
    ...(baseUrl !== undefined && { baseUrl }),
    ...(io.fetch && { fetch: io.fetch }),
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
    // The CLI's environment, not process.env: what the command was given is all the client may read.
    env: io.env,
  });
}

/**
 * The texts the command's output and journal must never hold: the client secret and base64(id:secret), as the client
 * sends them (trimmed). Empty when the credentials are not set.
 *
 * @param env the command's environment
 * @returns the secrets to scrub with `scrubSecrets`, which also removes their encoded forms
 */
export function secretsFromEnv(env: Readonly<Record<string, string | undefined>>): string[] {
  const clientId = env.JELOU_CLIENT_ID?.trim() ?? "";
  const clientSecret = env.JELOU_CLIENT_SECRET?.trim() ?? "";
  if (clientSecret === "") return [];
  return [clientSecret, Buffer.from(`${clientId}:${clientSecret}`, "utf8").toString("base64")];
}

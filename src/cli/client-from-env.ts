import { redactUrlCredentials } from "../client/redact.js";
import { credentialSecrets } from "../contract/scrub-secrets.js";
import { createJelouClient } from "../index.js";
import type { CliIo } from "./io.js";
import { UsageError } from "./io.js";

const BASE_URL_FIX =
  "Set it to an http(s) address such as https://api.jelou.ai, or http://127.0.0.1:4010 for the mock; " +
  "or unset it to send to Jelou.";

const NO_SCHEME = "not an http(s) address (it needs http:// or https:// in front)";

const SCHEME = /^([a-z][a-z\d+.-]*):\/\//i;

/** Why the URL parser refused a value, as precisely as can be told without guessing. */
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

const CREDENTIALS_PROBLEM =
  "an address with an @ in it, as a user name or password would have; " +
  "credentials go in JELOU_CLIENT_ID and JELOU_CLIENT_SECRET only";

function unusable(value: string, url: URL): string | undefined {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    // `localhost:4010` parses, with "localhost:" as its scheme: what is missing is http:// in front.
    const written = SCHEME.exec(value)?.[0];
    if (written === undefined) return NO_SCHEME;
    return `not an http(s) address: it starts with ${written}, and only http:// and https:// are sent to`;
  }
  // An @ anywhere, not only one the parser took for a user name: `https://me:12/pw@host` parses as host "me", port 12.
  if (value.includes("@")) return CREDENTIALS_PROBLEM;
  const query = url.search !== "" || url.hash !== "" || /[?#]/.test(value);
  return query ? "an address with a query or a fragment (? or #), which the path of each send cannot follow" : undefined;
}

/** A usage error naming JELOU_BASE_URL instead of the client's TypeError; never shows credentials or a query (a token). */
function checkBaseUrl(value: string): void {
  let problem: string | undefined;
  try {
    problem = unusable(value, new URL(value));
  } catch {
    // The parser refuses an @ it cannot place (`https://me:pa/ss@host`) too: name the credentials, not the host.
    problem = value.includes("@") ? CREDENTIALS_PROBLEM : unparsable(value);
  }
  if (problem === undefined) return;
  throw new UsageError(`JELOU_BASE_URL is "${redactUrlCredentials(value)}", ${problem}. ${BASE_URL_FIX}`);
}

/**
 * JELOU_BASE_URL trimmed; unset or empty means Jelou. Blanks only are refused: a quoting slip read as "send to Jelou"
 * could send real messages where the mock was meant.
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

/** The client from JELOU_CLIENT_ID, JELOU_CLIENT_SECRET and JELOU_BASE_URL; `dryRun` allows missing credentials. */
export function clientFromEnv(io: CliIo, options: { timeoutMs?: number; dryRun?: boolean } = {}) {
  const clientId = io.env.JELOU_CLIENT_ID?.trim();
  const clientSecret = io.env.JELOU_CLIENT_SECRET?.trim();
  let credentials = { clientId, clientSecret };
  if (!clientId || !clientSecret) {
    if (!options.dryRun) {
      const missing = [!clientId && "JELOU_CLIENT_ID", !clientSecret && "JELOU_CLIENT_SECRET"].filter(Boolean).join(" and ");
      const example =
        "Export your Jelou API client id and secret, for example:\n" +
        "  export JELOU_CLIENT_ID=... JELOU_CLIENT_SECRET=...";
      throw new UsageError(`${missing} ${missing.includes(" and ") ? "are" : "is"} not set. ${example}`);
    }
    credentials = { clientId: "dry-run", clientSecret: "dry-run" }; // the printed request redacts them anyway
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

/** What output and journal must never hold: the secret and base64(id:secret), as the client sends them. */
export function secretsFromEnv(env: Readonly<Record<string, string | undefined>>): string[] {
  const clientId = env.JELOU_CLIENT_ID?.trim() ?? "";
  const clientSecret = env.JELOU_CLIENT_SECRET?.trim() ?? "";
  return credentialSecrets(clientId, clientSecret);
}

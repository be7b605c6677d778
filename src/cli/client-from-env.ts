import { redactUrlCredentials } from "../client/redact.js";
import { createJelouClient } from "../index.js";
import type { CliIo } from "./io.js";
import { UsageError } from "./io.js";

/** Placeholders for a dry run without credentials: the printed request redacts them anyway. */
const DRY_RUN_CREDENTIALS = { clientId: "dry-run", clientSecret: "dry-run" };

const BASE_URL_FIX = "Set it to an http(s) address such as https://api.jelou.ai, or http://127.0.0.1:4010 for the mock; or unset it to send to Jelou.";


/**
 * Checks JELOU_BASE_URL with the client's rules, so that a wrong value is a usage error naming the variable instead of
 * the client's TypeError and its stack; credentials written into it are never shown.
 *
 * @param value the variable's value
 * @throws {UsageError} naming JELOU_BASE_URL, the rule it breaks and the fix
 * @example
 * ```ts
 * checkBaseUrl("127.0.0.1:4010"); // throws: JELOU_BASE_URL is "127.0.0.1:4010", not an http(s) address …
 * ```
 */
export function checkBaseUrl(value: string): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  const problem =
    url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")
      ? "not an http(s) address (it needs http:// or https:// in front)"
      : url.username !== "" || url.password !== ""
        ? "an address with a user name or password in it; credentials go in JELOU_CLIENT_ID and JELOU_CLIENT_SECRET only"
        : url.search !== "" || url.hash !== ""
          ? "an address with a query or a fragment (? or #), which the path of each send cannot follow"
          : undefined;
  if (problem !== undefined) throw new UsageError(`JELOU_BASE_URL is "${redactUrlCredentials(value)}", ${problem}. ${BASE_URL_FIX}`);
}

/**
 * The client, configured from JELOU_CLIENT_ID, JELOU_CLIENT_SECRET and JELOU_BASE_URL. A missing credential or an
 * unusable address is a usage error naming the variable, before anything is read or sent.
 *
 * @param io where the environment is read (and the fetch to use, in tests)
 * @param options the per-attempt timeout; `dryRun` lets the credentials be missing (placeholders are used)
 * @returns a client from `createJelouClient`
 * @throws {UsageError} when a credential is missing (outside a dry run) or JELOU_BASE_URL is unusable
 * @example
 * ```ts
 * const client = clientFromEnv(io, { timeoutMs: 10_000 });
 * ```
 */
export function clientFromEnv(io: CliIo, options: { timeoutMs?: number; dryRun?: boolean } = {}): ReturnType<typeof createJelouClient> {
  const clientId = io.env.JELOU_CLIENT_ID?.trim();
  const clientSecret = io.env.JELOU_CLIENT_SECRET?.trim();
  const baseUrl = io.env.JELOU_BASE_URL?.trim();
  let credentials = { clientId, clientSecret };
  if (!clientId || !clientSecret) {
    if (!options.dryRun) {
      const missing = [!clientId && "JELOU_CLIENT_ID", !clientSecret && "JELOU_CLIENT_SECRET"].filter(Boolean).join(" and ");
      throw new UsageError(`${missing} ${missing.includes(" and ") ? "are" : "is"} not set. Export your Jelou API client id and secret, for example:\n  export JELOU_CLIENT_ID=... JELOU_CLIENT_SECRET=...`);
    }
    credentials = DRY_RUN_CREDENTIALS;
  }
  if (baseUrl) checkBaseUrl(baseUrl);
  return createJelouClient({
    clientId: credentials.clientId!,
    clientSecret: credentials.clientSecret!,
    ...(baseUrl && { baseUrl }),
    ...(io.fetch && { fetch: io.fetch }),
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
    // The CLI's environment, not process.env: what the command was given is all the client may read.
    env: io.env,
  });
}

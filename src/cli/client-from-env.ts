import { createJelouClient } from "../index.js";
import type { CliIo } from "./io.js";
import { UsageError } from "./io.js";

/** Placeholders for a dry run without credentials: the printed request redacts them anyway. */
const DRY_RUN_CREDENTIALS = { clientId: "dry-run", clientSecret: "dry-run" };

/**
 * The client, configured from JELOU_CLIENT_ID, JELOU_CLIENT_SECRET and JELOU_BASE_URL. A missing credential is a usage
 * error naming the variable, before anything is read or sent.
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
  return createJelouClient({
    clientId: credentials.clientId!,
    clientSecret: credentials.clientSecret!,
    ...(baseUrl && { baseUrl }),
    ...(io.fetch && { fetch: io.fetch }),
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
  });
}

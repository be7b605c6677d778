import type { BulkErrorSummary } from "./types.js";

/**
 * Keeps what matters of a send error for the journal and the results. Whether it may have reached Jelou comes from
 * `JelouError.maybeSent`; an error that is not a JelouError (a bug, an unexpected throw) counts as "may have been sent",
 * because only proof that nothing left allows a second send.
 */
export function summarizeError(error: unknown): BulkErrorSummary {
  if (error !== null && typeof error === "object" && typeof (error as { kind?: unknown }).kind === "string") {
    const e = error as { kind: string; message?: string; status?: number; code?: string; maybeSent?: unknown };
    return {
      kind: e.kind,
      message: String(e.message ?? e.kind),
      ...(typeof e.status === "number" && { status: e.status }),
      ...(typeof e.code === "string" && { code: e.code }),
      maybeSent: e.maybeSent !== false,
    };
  }
  return { kind: "unexpected", message: error instanceof Error ? error.message : String(error), maybeSent: true };
}

import type { JelouErrorKind } from "./jelou-error.js";

/** The facts the advice depends on. */
export interface AdviceFacts {
  kind: JelouErrorKind;
  status?: number;
  retryAfterMs?: number;
  maybeSent: boolean;
  timeout?: "attempt" | "total";
  timeoutMs?: number;
}

function seconds(ms: number): string {
  const s = Math.ceil(ms / 100) / 10;
  return `${s} s`;
}

/**
 * What a person should do about an error of this kind: the second half of every {@link JelouError} message.
 * Each sentence says whether the message may have been sent, since that decides whether sending again is safe.
 *
 * @param facts the kind and the facts that change the advice
 */
export function adviceFor(facts: AdviceFacts): string {
  const unknown =
    "The message may have been sent: check before sending it again (retry: { unsafe: true } retries automatically, at the risk of a duplicate).";
  switch (facts.kind) {
    case "validation":
      return "Nothing was sent. Fix the fields listed and send again.";
    case "auth":
      return "Nothing was sent. Check clientId and clientSecret (or JELOU_CLIENT_ID and JELOU_CLIENT_SECRET).";
    case "forbidden":
      return "Nothing was sent. These credentials may not use this bot: check botId, or use the credentials of the company that owns the bot.";
    case "not_found":
      return "Nothing was sent. Check botId, and that baseUrl points at Jelou.";
    case "rate_limited":
      return facts.retryAfterMs !== undefined
        ? `Nothing was sent. Wait ${seconds(facts.retryAfterMs)} (Retry-After) and send again, or send fewer messages per second.`
        : "Nothing was sent. Wait a little and send again, or send fewer messages per second.";
    case "server":
      if (!facts.maybeSent) {
        return `Jelou refused it before doing any work; nothing was sent. Send again${facts.retryAfterMs !== undefined ? ` after ${seconds(facts.retryAfterMs)}` : " later"}.`;
      }
      return unknown;
    case "http":
      return "Nothing was sent. Fix what the description says and send again.";
    case "network":
      return facts.maybeSent
        ? `The connection failed after the request went out. ${unknown}`
        : "The request never reached the server, so nothing was sent. Check baseUrl and the network, then send again.";
    case "timeout": {
      const after = facts.maybeSent ? unknown : "Nothing was sent (every attempt was refused before any work): send again later.";
      return facts.timeout === "total"
        ? `The call ran out of its totalTimeoutMs${facts.timeoutMs !== undefined ? ` (${facts.timeoutMs} ms)` : ""}. ${after}`
        : `No answer within timeoutMs${facts.timeoutMs !== undefined ? ` (${facts.timeoutMs} ms)` : ""}; raise it if Jelou is slow. ${after}`;
    }
    case "aborted":
      return facts.maybeSent
        ? `Aborted by the caller's signal while the request was out. ${unknown}`
        : "Aborted by the caller's signal before anything was sent.";
  }
}

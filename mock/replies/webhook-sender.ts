/**
 * Delivers events to a webhook the way a careful provider does: each body signed with HMAC-SHA256 in
 * `X-Jelou-Signature: sha256=<hex>`, a timeout per attempt, a bounded number of attempts with exponential backoff, and a
 * status per delivery that the inbox page shows. Deliveries never throw into the caller: a receiver that is down is a
 * status, not a crash.
 */
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { components } from "../../generated/mock/openapi.js";
import { signJelouWebhook } from "../../src/contract/index.js";
import type { WebhookOptions } from "../types.js";

/**
 * One event's delivery to the webhook (`WebhookDelivery` in `mock/inspection/openapi.yaml`): `retrying` waits for its next
 * attempt, `delivered` and `failed` are final. Holds no secret: the URL is shown without credentials or query.
 * @interface
 */
export type WebhookDelivery = components["schemas"]["WebhookDelivery"];

/**
 * Where a delivery stands.
 * @useDeclaredType
 */
export type DeliveryStatus = WebhookDelivery["status"];

/** Options of {@link createWebhookSender}: the webhook, and what to call with a copy of a delivery at each change. */
export interface WebhookSenderOptions extends WebhookOptions {
  onChange?: (delivery: WebhookDelivery) => void;
}

const STOPPED = "the mock stopped";
const MAX_BACKOFF_MS = 5000;
/**
 * The most bytes of event bodies in flight (sent, or waiting to retry): each event carries its message's payload, and a
 * receiver that never answers held every body for the whole retry schedule (300 replies to a 1 MB message, 620 MB).
 */
const MAX_IN_FLIGHT_BYTES = 64 * 1024 * 1024;

type Outcome = { ok: true; status: number } | { ok: false; status?: number; error: string; retry: boolean };

/** Whether an answer is worth another attempt; a refused signature (401/403) or a missing route (404) stays refused. */
function isRetryable(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

function checkedUrl(url: string): URL {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new TypeError(`webhook URL ${JSON.stringify(url)} is not a URL; pass one such as http://127.0.0.1:3000/jelou.`);
  }
  if (target.protocol !== "http:" && target.protocol !== "https:") {
    throw new TypeError(`webhook URL must be http: or https:, not ${target.protocol}`);
  }
  return target;
}

/** `cancel` ends what waits or is in flight as `failed`; `close` fails later events too. Throws TypeError on a bad URL, secret. */
export function createWebhookSender(options: WebhookSenderOptions) {
  const target = checkedUrl(options.url);
  if (typeof options.secret !== "string" || options.secret === "") {
    throw new TypeError("webhook secret is empty; pass the secret the receiver verifies X-Jelou-Signature with.");
  }
  const { secret, backoffMs = 250, timeoutMs = 5000 } = options;
  const maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? 4));
  const url = `${target.origin}${target.pathname}`;
  const active = new Set<Promise<void>>();
  let inFlightBytes = 0;
  let closed = false;
  // Aborted by cancel(): what was started before it stops; a new one serves what comes after.
  let stop = new AbortController();

  function update(delivery: WebhookDelivery, change: Partial<WebhookDelivery>): void {
    Object.assign(delivery, change, { updatedAt: new Date().toISOString() });
    if (delivery.status !== "retrying") delete delivery.nextAttemptAt;
    options.onChange?.({ ...delivery });
  }

  async function attempt(delivery: WebhookDelivery, body: string, stopped: AbortSignal): Promise<Outcome> {
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      const response = await fetch(options.url, {
        method: "POST",
        body,
        signal: AbortSignal.any([stopped, timeout]),
        headers: {
          "content-type": "application/json",
          "user-agent": "jelou-flow-mock",
          "x-jelou-signature": signJelouWebhook(body, secret),
          "x-jelou-delivery": delivery.id,
          "x-jelou-event": "flow_reply",
        },
      });
      await response.body?.cancel().catch(() => undefined);
      const { ok, status } = response;
      return ok ? { ok, status } : { ok, status, error: `answered ${status}`, retry: isRetryable(status) };
    } catch (error) {
      // fetch says only "fetch failed"; the cause says why (ECONNREFUSED, a bad port, a TLS error).
      const { cause, message } = error as Error & { cause?: { code?: string; message?: string } };
      const why = timeout.aborted ? `no answer within ${timeoutMs} ms` : (cause?.code ?? cause?.message ?? message);
      return { ok: false, error: stopped.aborted ? STOPPED : why, retry: true };
    }
  }

  async function deliver(delivery: WebhookDelivery, body: string, stopped: AbortSignal): Promise<void> {
    for (let attempts = 1; ; attempts++) {
      const outcome = await attempt(delivery, body, stopped);
      const answered = outcome.status === undefined ? {} : { responseStatus: outcome.status };
      if (outcome.ok) return update(delivery, { status: "delivered", attempts, ...answered, error: undefined });
      const failure = { attempts, error: outcome.error, ...answered };
      if (stopped.aborted || !outcome.retry || attempts >= maxAttempts) {
        return update(delivery, { ...failure, status: "failed", error: stopped.aborted ? STOPPED : outcome.error });
      }
      const wait = Math.min(MAX_BACKOFF_MS, backoffMs * 2 ** (attempts - 1));
      update(delivery, { ...failure, status: "retrying", nextAttemptAt: new Date(Date.now() + wait).toISOString() });
      // A retry waiting must not keep a finished process (a test run, a stopped CLI) alive.
      const waited = await sleep(wait, true, { signal: stopped, ref: false }).catch(() => false);
      if (!waited) return update(delivery, { status: "failed", error: STOPPED });
    }
  }

  function cancel(): void {
    stop.abort();
    stop = new AbortController();
  }

  return {
    url,
    send(event: { id: string }): WebhookDelivery {
      const now = new Date().toISOString();
      const id = `whd_${randomBytes(8).toString("hex")}`;
      const times = { createdAt: now, updatedAt: now };
      const delivery: WebhookDelivery = { id, eventId: event.id, url, status: "pending", attempts: 0, maxAttempts, ...times };
      const body = JSON.stringify(event);
      // One delivery always goes, whatever its size; the bound keeps a stalled receiver from piling up bodies.
      const full = active.size > 0 && inFlightBytes + body.length > MAX_IN_FLIGHT_BYTES;
      if (closed || full) {
        const error = closed
          ? STOPPED
          : `${active.size} deliveries (${inFlightBytes} bytes) are still in flight, the most the mock holds ` +
            `(${MAX_IN_FLIGHT_BYTES} bytes): the webhook receiver is not keeping up. Make it answer, or reply more slowly.`;
        return { ...delivery, status: "failed", error };
      }
      inFlightBytes += body.length;
      const run = deliver(delivery, body, stop.signal).finally(() => {
        active.delete(run);
        inFlightBytes -= body.length;
      });
      active.add(run);
      return { ...delivery };
    },
    async idle(): Promise<void> {
      while (active.size > 0) await Promise.allSettled([...active]);
    },
    cancel,
    close() {
      closed = true;
      cancel();
    },
  };
}

/**
 * Delivers events to a webhook the way a careful provider does: each body signed with HMAC-SHA256 in
 * `X-Jelou-Signature: sha256=<hex>`, a timeout per attempt, a bounded number of attempts with exponential backoff, and a
 * status per delivery that the inbox page shows. Deliveries never throw into the caller: a receiver that is down is a
 * status, not a crash.
 */
import { randomBytes } from "node:crypto";
import type { components } from "../../generated/mock/openapi.js";
import { signJelouWebhook } from "../../src/contract/index.js";

/**
 * One event's delivery to the webhook (`WebhookDelivery` in `mock/openapi.yaml`): `retrying` waits for its next attempt,
 * `delivered` and `failed` are final. Holds no secret: the URL is shown without credentials or query.
 */
export type WebhookDelivery = components["schemas"]["WebhookDelivery"];

/** Where a delivery stands. */
export type DeliveryStatus = WebhookDelivery["status"];

/** Options of {@link createWebhookSender}. */
export interface WebhookSenderOptions {
  /** The receiver, an `http:` or `https:` URL. */
  url: string;
  /** The HMAC key; never logged, never shown. */
  secret: string;
  /** Attempts per event, the first included. @default 4 */
  maxAttempts?: number;
  /** The wait before the first retry, doubled for each later one. @default 250 */
  backoffMs?: number;
  /** The longest wait between attempts. @default 5000 */
  maxBackoffMs?: number;
  /** How long one attempt may take. @default 5000 */
  timeoutMs?: number;
  /** The fetch to deliver with (for tests). @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
  /**
   * The most bytes of event bodies in flight (sent, retrying or waiting to retry); past it a new delivery fails at
   * once, the oldest ones going on. Each event carries its message's payload: a receiver that never answers held every
   * body for the whole retry schedule (300 replies to a 1 MB message, 620 MB). @default 67108864 (64 MiB)
   */
  maxInFlightBytes?: number;
  /** Called with a copy of the delivery each time its status changes. */
  onChange?: (delivery: WebhookDelivery) => void;
}

/** Sends events to one webhook. */
export interface WebhookSender {
  /** The receiver as shown to people: origin and path only. */
  readonly url: string;
  /** Starts delivering `event` and returns its delivery as it stands (`pending`); updates go to `onChange`. */
  send(event: { id: string }): WebhookDelivery;
  /** Resolves when no delivery is in flight or waiting (for tests and clean shutdown). */
  idle(): Promise<void>;
  /** Cancels waiting retries and in-flight attempts, whose deliveries end `failed`; later events are delivered as usual. */
  cancel(): void;
  /** Cancels as {@link WebhookSender.cancel} does, and fails every later event at once. */
  close(): void;
}

/** A URL without its user, password, query or fragment: what may appear on a page or in a log. */
export function displayUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** Whether an answer is worth another attempt; a refused signature (401/403) or a missing route (404) stays refused. */
function isRetryable(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/**
 * Creates the sender of signed events to one webhook.
 *
 * @param options the webhook and its retry policy
 * @returns the sender
 * @throws {TypeError} when the URL is not an absolute `http:`/`https:` URL or the secret is empty
 */
export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  let target: URL;
  try {
    target = new URL(options.url);
  } catch {
    throw new TypeError(`webhook URL ${JSON.stringify(options.url)} is not a URL; pass one such as http://127.0.0.1:3000/jelou.`);
  }
  if (target.protocol !== "http:" && target.protocol !== "https:") {
    throw new TypeError(`webhook URL must be http: or https:, not ${target.protocol}`);
  }
  if (typeof options.secret !== "string" || options.secret === "") {
    throw new TypeError("webhook secret is empty; pass the secret the receiver verifies X-Jelou-Signature with.");
  }
  const { secret } = options;
  const maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? 4));
  const backoffMs = options.backoffMs ?? 250;
  const maxBackoffMs = options.maxBackoffMs ?? 5000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const doFetch = options.fetch ?? globalThis.fetch;
  const shownUrl = displayUrl(target);
  /** Retries waiting for their turn, each with the function that ends its wait early on close(). */
  const waits = new Map<NodeJS.Timeout, () => void>();
  const controllers = new Set<AbortController>();
  const active = new Set<Promise<void>>();
  const maxInFlightBytes = options.maxInFlightBytes ?? 64 * 1024 * 1024;
  let inFlightBytes = 0;
  let closed = false;
  /** Counts cancels: a delivery started before the latest one has been stopped. */
  let epoch = 0;

  function update(delivery: WebhookDelivery, change: Partial<WebhookDelivery>): void {
    Object.assign(delivery, change, { updatedAt: new Date().toISOString() });
    if (delivery.status !== "retrying") delete delivery.nextAttemptAt;
    options.onChange?.({ ...delivery });
  }

  async function attempt(delivery: WebhookDelivery, body: string, started: number): Promise<void> {
    const stopped = (): boolean => closed || started !== epoch;
    const controller = new AbortController();
    controllers.add(controller);
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    let outcome: { ok: true; status: number } | { ok: false; status?: number; error: string; retry: boolean };
    try {
      const response = await doFetch(options.url, {
        method: "POST",
        body,
        signal: controller.signal,
        headers: {
          "content-type": "application/json",
          "user-agent": "jelou-flow-mock",
          "x-jelou-signature": signJelouWebhook(body, secret),
          "x-jelou-delivery": delivery.id,
          "x-jelou-event": "flow_reply",
        },
      });
      await response.body?.cancel().catch(() => undefined);
      outcome = response.ok
        ? { ok: true, status: response.status }
        : { ok: false, status: response.status, error: `answered ${response.status}`, retry: isRetryable(response.status) };
    } catch (error) {
      const reason = (controller.signal.aborted ? controller.signal.reason : error) as Error & {
        cause?: { code?: string; message?: string };
      };
      // fetch says only "fetch failed"; the cause says why (ECONNREFUSED, a bad port, a TLS error).
      const why = reason.cause?.code ?? reason.cause?.message ?? reason.message ?? String(reason);
      outcome = { ok: false, error: why, retry: true };
    } finally {
      clearTimeout(timer);
      controllers.delete(controller);
    }
    const attempts = delivery.attempts + 1;
    if (outcome.ok) {
      update(delivery, { status: "delivered", attempts, responseStatus: outcome.status, error: undefined });
      return;
    }
    const failure = { attempts, error: outcome.error, ...(outcome.status === undefined ? {} : { responseStatus: outcome.status }) };
    if (stopped() || !outcome.retry || attempts >= maxAttempts) {
      update(delivery, { ...failure, status: "failed", error: stopped() ? "the mock stopped" : outcome.error });
      return;
    }
    const wait = Math.min(maxBackoffMs, backoffMs * 2 ** (attempts - 1));
    update(delivery, { ...failure, status: "retrying", nextAttemptAt: new Date(Date.now() + wait).toISOString() });
    await new Promise<void>((resolve) => {
      const retry = setTimeout(() => {
        waits.delete(retry);
        resolve();
      }, wait);
      // A retry waiting must not keep a finished process (a test run, a stopped CLI) alive.
      retry.unref();
      waits.set(retry, resolve);
    });
    if (stopped()) {
      update(delivery, { status: "failed", error: "the mock stopped" });
      return;
    }
    await attempt(delivery, body, started);
  }

  function cancel(): void {
    epoch++;
    for (const [timer, finish] of waits) {
      clearTimeout(timer);
      finish();
    }
    waits.clear();
    for (const controller of controllers) controller.abort(new Error("the mock stopped"));
  }

  return {
    url: shownUrl,
    send(event) {
      const now = new Date().toISOString();
      const delivery: WebhookDelivery = {
        id: `whd_${randomBytes(8).toString("hex")}`,
        eventId: event.id,
        url: shownUrl,
        status: "pending",
        attempts: 0,
        maxAttempts,
        createdAt: now,
        updatedAt: now,
      };
      if (closed) {
        delivery.status = "failed";
        delivery.error = "the mock stopped";
        return { ...delivery };
      }
      const body = JSON.stringify(event);
      // One delivery always goes, whatever its size; the bound keeps a stalled receiver from piling up bodies.
      if (active.size > 0 && inFlightBytes + body.length > maxInFlightBytes) {
        delivery.status = "failed";
        delivery.error =
          `${active.size} deliveries (${inFlightBytes} bytes) are still in flight, the most the mock holds (${maxInFlightBytes} bytes): ` +
          "the webhook receiver is not keeping up. Make it answer, or reply more slowly.";
        return { ...delivery };
      }
      inFlightBytes += body.length;
      const run = attempt(delivery, body, epoch).finally(() => {
        active.delete(run);
        inFlightBytes -= body.length;
      });
      active.add(run);
      return { ...delivery };
    },
    async idle() {
      while (active.size > 0) await Promise.allSettled([...active]);
    },
    cancel,
    close() {
      closed = true;
      cancel();
    },
  };
}

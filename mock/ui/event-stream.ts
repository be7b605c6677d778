/**
 * Server-Sent Events for the inbox page: one stream per open page, fed by a subscription, with a heartbeat that keeps
 * proxies from closing an idle stream, a `retry` hint for the browser's reconnection, and a cap on what a stalled page may
 * queue (past it the stream is closed; the page reconnects and reloads its lists, so nothing is lost but memory).
 */

/** One event on the stream. */
export interface StreamEvent {
  /** The event name the page listens for. */
  event: string;
  /** The payload; newlines are split into several `data:` lines, as the format requires. */
  data: string;
}

/** Options of {@link createEventHub}. */
export interface EventHubOptions {
  /** A comment line this often keeps idle connections open. @default 15000 */
  heartbeatMs?: number;
  /** How long the browser waits before reconnecting. @default 1000 */
  retryMs?: number;
  /** Bytes one stream may have queued before it is dropped. @default 1048576 */
  maxQueuedBytes?: number;
}

/** The open streams of one server. */
export interface EventHub {
  /**
   * Opens a stream: writes `first`, then whatever `subscribe` pushes, until the page goes away, `endWith` ends it, or
   * {@link EventHub.closeAll}.
   * @param subscribe starts the feed and returns how to stop it
   * @param first the events to write first
   * @param endWith registers the stream's end with what else may end it (the server it came through closing), and
   *   returns how to unregister it
   */
  open(
    subscribe: (push: (event: StreamEvent) => void) => () => void,
    first?: StreamEvent[],
    endWith?: (end: () => void) => () => void,
  ): Response;
  /** How many streams are open. */
  readonly size: number;
  /** Ends every open stream, so the server can stop without waiting for pages to leave. */
  closeAll(): void;
}

const encoder = new TextEncoder();

/** Serialises one event in the `text/event-stream` format. */
export function formatEvent({ event, data }: StreamEvent): string {
  if (/[\r\n]/.test(event)) throw new Error(`an event name cannot hold a line break: ${JSON.stringify(event)}`);
  const lines = data.split(/\r\n|\r|\n/).map((line) => `data: ${line}`);
  return `event: ${event}\n${lines.join("\n")}\n\n`;
}

/**
 * Creates the hub of a server's event streams.
 *
 * @param options heartbeat, retry hint and queue cap
 * @returns the hub
 */
export function createEventHub(options: EventHubOptions = {}): EventHub {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const retryMs = options.retryMs ?? 1000;
  const maxQueuedBytes = options.maxQueuedBytes ?? 1024 * 1024;
  const closers = new Set<() => void>();
  // A shared feed hands every stream the same event object: it is formatted and encoded once for all of them.
  const encoded = new WeakMap<StreamEvent, Uint8Array>();
  const bytesOf = (event: StreamEvent): Uint8Array => {
    let bytes = encoded.get(event);
    if (bytes === undefined) {
      bytes = encoder.encode(formatEvent(event));
      encoded.set(event, bytes);
    }
    return bytes;
  };

  return {
    get size() {
      return closers.size;
    },
    closeAll() {
      for (const close of [...closers]) close();
    },
    open(subscribe, first = [], endWith) {
      let stop: (() => void) | undefined;
      let forget: (() => void) | undefined;
      let heartbeat: NodeJS.Timeout | undefined;
      let done = false;
      let close: () => void = () => undefined;

      const body = new ReadableStream<Uint8Array>(
        {
          start(controller) {
            const write = (text: string | Uint8Array): void => {
              if (done) return;
              controller.enqueue(typeof text === "string" ? encoder.encode(text) : text);
              if ((controller.desiredSize ?? 0) < -maxQueuedBytes) close();
            };
            close = () => {
              if (done) return;
              done = true;
              closers.delete(close);
              forget?.();
              clearInterval(heartbeat);
              stop?.();
              try {
                controller.close();
              } catch {
                // Already closed by the other side.
              }
            };
            closers.add(close);
            forget = endWith?.(close);
            write(`retry: ${retryMs}\n\n`);
            for (const event of first) write(formatEvent(event));
            if (done) return;
            stop = subscribe((event) => write(bytesOf(event)));
            heartbeat = setInterval(() => write(": heartbeat\n\n"), heartbeatMs);
            heartbeat.unref();
          },
          cancel() {
            close();
          },
        },
        new ByteLengthQueuingStrategy({ highWaterMark: 64 * 1024 }),
      );

      return new Response(body, {
        headers: {
          "content-type": "text/event-stream; charset=utf-8",
          "cache-control": "no-store",
          "x-accel-buffering": "no",
        },
      });
    },
  };
}

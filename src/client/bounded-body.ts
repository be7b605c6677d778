/** The default `maxResponseBytes`: Jelou answers `{}` or a short error, far below it. */
export const DEFAULT_MAX_RESPONSE_BYTES = 65_536;

const FACTS = ["status", "statusText", "ok", "headers", "url", "redirected", "type"] as const;

/** Statuses whose Response may not be built with a body. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** The answer with a body cut at `maxBytes` counted after decompression (a gzip bomb too); unbounded when its length is known. */
export function boundBody(response: Response, maxBytes: number, mark: { bodyTruncated: boolean }): Response {
  const source = response.body;
  if (source === null || NULL_BODY.has(response.status)) return response;
  const length = Number(response.headers.get("content-length") ?? Number.NaN);
  if (!response.headers.has("content-encoding") && length <= maxBytes) return response;
  const reader = source.getReader();
  let read = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) return controller.close();
      const room = maxBytes - read;
      if (value.byteLength <= room) {
        read += value.byteLength;
        return controller.enqueue(value);
      }
      if (room > 0) controller.enqueue(value.subarray(0, room));
      read = maxBytes;
      mark.bodyTruncated = true;
      controller.close();
      await reader.cancel().catch(() => undefined);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return withBody(response, body);
}

/** The answer with another body, its facts copied: fetch accepts answers (status 600) the Response constructor refuses. */
export function withBody(response: Response, body: BodyInit | null): Response {
  const copy = new Response(body);
  for (const key of FACTS) Object.defineProperty(copy, key, { value: response[key], enumerable: true });
  return copy;
}

/** A body as JSON when it is JSON, else as text. */
export function parseLoose(text: string | undefined): unknown {
  if (text === undefined || text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Lets go of an answer's unread body, without waiting: a body whose cancel never settles must not hold the send. */
export function drop(response: Response): void {
  response.body?.cancel().catch(() => undefined);
}

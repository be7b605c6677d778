/** The answer bodies the client reads: at most so many bytes, so that no server can make it hold more. */

/** The default `maxResponseBytes`: Jelou answers `{}` or a short error, far below it. */
export const DEFAULT_MAX_RESPONSE_BYTES = 65_536;

/** Statuses whose Response may not be built with a body. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** Told when a body was cut at the limit. */
export interface TruncationMark {
  bodyTruncated: boolean;
}

/**
 * A Response whose body yields at most `maxBytes` bytes, counted as read (after fetch has decompressed them, so a gzip
 * bomb is cut off too): past the limit the server's stream is cancelled, which stops the download and the inflating,
 * the body ends there, and `mark.bodyTruncated` is set. Status and headers are kept. A body whose declared,
 * uncompressed `Content-Length` is within the limit is returned as is (fetch never reads past that length).
 *
 * @param response the answer fetch resolved with
 * @param maxBytes how many bytes of the body may be read
 * @param mark set when the body was cut
 * @returns the bounded answer
 */
export function boundBody(response: Response, maxBytes: number, mark: TruncationMark): Response {
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
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return withBody(response, body);
}

/**
 * A Response with another body and everything else of `response`: its status, status text, headers, URL. Fetch accepts
 * answers the Response constructor refuses (a status beyond 599, a header name with a space in it), so the new one is
 * built with the body alone and given the answer's facts as its own properties, which never throws.
 *
 * @param response the answer fetch resolved with
 * @param body the body the new Response carries
 * @returns the answer with that body
 */
export function withBody(response: Response, body: BodyInit | null): Response {
  const copy = new Response(body);
  const facts: (keyof Response)[] = ["status", "statusText", "ok", "headers", "url", "redirected", "type"];
  for (const key of facts) Object.defineProperty(copy, key, { value: response[key], enumerable: true });
  return copy;
}

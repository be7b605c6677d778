/**
 * The body as text (and, when the reader has them, the UTF-8 bytes it was decoded from, which the inbox then copies
 * instead of encoding the text again), or how large it was when it broke the limit.
 */
export type BodyRead =
  | { ok: true; text: string; utf8?: Uint8Array }
  | { ok: false; bytes: number | undefined }
  /** Bytes that are not UTF-8; `text` is their lossy decoding, for the rejection log only. */
  | { ok: false; notUtf8: true; text: string };

// Fatal: RFC 8259 requires JSON exchanged between systems to be UTF-8, and a lenient decoder would store U+FFFD
// instead of what was sent. A leading byte order mark is dropped, as the Fetch API's text() drops it.
const decoder = new TextDecoder("utf-8", { fatal: true });
const lenient = new TextDecoder("utf-8");

/** The description of the 400 `invalid_json` that answers a body that is not UTF-8, on every route that reads JSON. */
export const NOT_UTF8_DESCRIPTION =
  "The body is not valid UTF-8; JSON text must be encoded in UTF-8 (RFC 8259, section 8.1). Send the body as UTF-8.";

/**
 * Decodes a body as UTF-8, refusing bytes that are not.
 *
 * @param body the body
 * @returns the text (with the bytes), or the refusal with a lossy text for the rejection log
 */
export function decodeBody(body: Uint8Array): BodyRead {
  // The bytes kept beside the text must be the text's own: without the byte order mark that decode() drops.
  const bytes = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? body.subarray(3) : body;
  try {
    return { ok: true, text: decoder.decode(bytes), utf8: bytes };
  } catch {
    return { ok: false, notUtf8: true, text: lenient.decode(bytes) };
  }
}

/**
 * Reads a request body without ever holding more than `limit` bytes. A declared Content-Length over the limit is
 * refused before a byte is read; a body without one (chunked, or an in-process stream) is counted as it streams and
 * abandoned at the limit.
 *
 * @param request the request
 * @param limit the largest body accepted, in bytes
 * @param declared its Content-Length header, when the caller has read it already (default: read from `request`)
 * @returns the text, or the refusal with the size when known
 */
export async function readBodyLimited(
  request: Request,
  limit: number,
  declared: string | undefined = request.headers.get("content-length") ?? undefined,
): Promise<BodyRead> {
  if (declared !== undefined) {
    const bytes = Number(declared);
    if (bytes > limit) return { ok: false, bytes };
    // Node's HTTP parser holds the body to its Content-Length, so the adapter's fast path is safe over HTTP; the
    // length check catches an in-process Request whose header lies (a string never has more units than UTF-8 bytes).
    if (Number.isInteger(bytes)) {
      const body = new Uint8Array(await request.arrayBuffer());
      return body.byteLength > limit ? { ok: false, bytes: undefined } : decodeBody(body);
    }
  }
  const stream = request.body;
  if (stream === null) return { ok: true, text: "" };
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      return { ok: false, bytes: undefined };
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return decodeBody(chunks[0] as Uint8Array);
  const all = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return decodeBody(all);
}

/**
 * The body as text (and, when the reader has them, the UTF-8 bytes it was decoded from, which the inbox then copies
 * instead of encoding the text again), or how large it was when it broke the limit.
 */
export type BodyRead = { ok: true; text: string; utf8?: Uint8Array } | { ok: false; bytes: number | undefined };

const decoder = new TextDecoder();

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
      const text = await request.text();
      return text.length > limit ? { ok: false, bytes: undefined } : { ok: true, text };
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
  if (chunks.length === 1) return { ok: true, text: decoder.decode(chunks[0]) };
  const all = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, text: decoder.decode(all) };
}

import type { FieldProblem } from "../../src/contract/index.js";

/** A body as text, or why it was refused: larger than the limit (its declared size when known), or not UTF-8. */
export type BodyRead =
  | { ok: true; text: string; utf8?: Uint8Array }
  | { ok: false; bytes: number | undefined }
  /** `text` is the lossy decoding, for the rejection log only. */
  | { ok: false; notUtf8: true; text: string };

// Fatal: RFC 8259 requires JSON to be UTF-8, and a lenient decoder would store U+FFFD instead of what was sent.
const decoder = new TextDecoder("utf-8", { fatal: true });
const lenient = new TextDecoder("utf-8");

/** The description of the 400 `invalid_json` that answers a body that is not UTF-8, on every route that reads JSON. */
export const NOT_UTF8_DESCRIPTION =
  "The body is not valid UTF-8; JSON text must be encoded in UTF-8 (RFC 8259, section 8.1). Send the body as UTF-8.";

/** Decodes a body as UTF-8, with the bytes of the text (without a byte order mark) that the inbox keeps. */
function decodeBody(body: Uint8Array): BodyRead {
  const bytes = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? body.subarray(3) : body;
  try {
    return { ok: true, text: decoder.decode(bytes), utf8: bytes };
  } catch {
    return { ok: false, notUtf8: true, text: lenient.decode(bytes) };
  }
}

/** Reads a request body without ever holding more than `limit` bytes: a declared size over it is refused unread. */
export async function readBodyLimited(request: Request, limit: number): Promise<BodyRead> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > limit) return { ok: false, bytes: declared };
  if (Number.isInteger(declared)) {
    // Node's parser holds a body to its Content-Length; an in-process Request may declare less than it holds.
    const body = new Uint8Array(await request.arrayBuffer());
    return body.byteLength > limit ? { ok: false, bytes: undefined } : decodeBody(body);
  }
  if (request.body === null) return { ok: true, text: "" };
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = request.body.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    total += read.value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      return { ok: false, bytes: undefined };
    }
    chunks.push(read.value);
  }
  return decodeBody(Buffer.concat(chunks));
}

/**
 * How deep any JSON the mock reads may nest. The contract puts no bound on `payload`, but a body nested tens of thousands
 * of levels deep parses fine and then overflows the stack of every `JSON.stringify` that shows it.
 */
export const MAX_NESTING = 1000;

/** The `maxDepth` problem naming the top-level field (or the body) that nests too deep, as every route answers it. */
export function depthProblem(value: unknown, textLength: number): FieldProblem | undefined {
  // Each level takes at least two characters: a shorter text cannot nest that deep.
  if (textLength <= 2 * MAX_NESTING) return undefined;
  const stack: [unknown, number, string][] = [[value, 0, ""]];
  while (stack.length > 0) {
    const [node, depth, top] = stack.pop() as [unknown, number, string];
    if (node === null || typeof node !== "object") continue;
    if (depth >= MAX_NESTING) {
      const where = top === "" ? "the body" : top;
      const message = `${where} nests more than ${MAX_NESTING} levels deep; the mock keeps at most ${MAX_NESTING}. Flatten it.`;
      return { path: top, rule: "maxDepth", message };
    }
    for (const [key, child] of Object.entries(node)) stack.push([child, depth + 1, depth === 0 ? key : top]);
  }
  return undefined;
}

/** The shapes a send has between a transport and the send handling: what it asks, and what it is answered. */
import type { FieldProblem } from "../src/contract/index.js";
import type { BodyRead } from "./read-body.js";

/**
 * A send as either transport sees it: the Hono route (in-process, or a request the HTTP listener hands to Hono) and the
 * HTTP listener's direct path both describe the request this way, so the two cannot answer differently.
 */
export interface SendRequest {
  method: string;
  /** The path as received, for the rejection log. */
  path: string;
  botId: string;
  userId: string;
  /** The `type` query parameter, when given. */
  type: string | undefined;
  /** What the transport found wrong in the request line (a repeated query, an undecodable path id), answered 422. */
  problems?: FieldProblem[];
  /** A request header by lower-case name. */
  header(name: string): string | undefined;
  /** Reads the body, refusing more than `limit` bytes; synchronously when the transport has read it already. */
  readBody(limit: number): BodyRead | Promise<BodyRead>;
  /** Over HTTP a waiting timer must not hold the process open once the server has closed. */
  overHttp: boolean;
}

/** The answer, as plain data each transport writes its own way. */
export interface SendAnswer {
  status: number;
  /** With `content-length`, so that a transport writes them as they are. */
  headers: Record<string, string>;
  body: string;
  /** Set by a `drop` fault: the transport loses the answer as a network failure would. */
  drop?: true;
}

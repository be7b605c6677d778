/**
 * The HTTP side of simulated Flow replies: `POST /__mock/messages/{id}/reply` (what the page's "Complete flow" form
 * calls) and `GET /__mock/replies`, as `mock/openapi.yaml` describes them. The body is checked with the validator
 * generated from that file.
 */
import type { Hono } from "hono";
import { validateFlowReplyRequest } from "../../generated/mock/validators.js";
import { toFieldProblems } from "../../src/contract/index.js";
import type { MockEnv } from "../context.js";
import { depthProblem } from "../nesting.js";
import { refuseForeignOrigin } from "../origin.js";
import { NOT_UTF8_DESCRIPTION, readBodyLimited } from "../read-body.js";
import { clip, jelouError, json } from "../responses.js";
import type { components } from "../../generated/mock/openapi.js";
import { withinBudget } from "../inbox-query.js";
import type { FlowReplies } from "./flow-replies.js";

type FlowReplyList = components["schemas"]["FlowReplyList"];

/** Answers are small; a reply body past this is a mistake, not a Flow. */
const REPLY_BODY_LIMIT = 256 * 1024;

/**
 * Mounts the reply routes on the mock's app.
 *
 * @param app the mock's app
 * @param replies the mock's simulated replies
 */
export function mountReplyRoutes(app: Hono<MockEnv>, replies: FlowReplies): void {
  app.post("/__mock/messages/:id/reply", async (c) => {
    const id = c.req.param("id");
    const foreign = refuseForeignOrigin(c, "simulate replies");
    if (foreign !== undefined) return foreign;
    const read = await readBodyLimited(c.req.raw, REPLY_BODY_LIMIT);
    if (!read.ok && "notUtf8" in read) return jelouError(400, "invalid_json", NOT_UTF8_DESCRIPTION);
    if (!read.ok) {
      return jelouError(413, "payload_too_large", `The body is over the limit of ${REPLY_BODY_LIMIT} bytes; send only the answers.`);
    }
    let request: unknown = {};
    if (read.text.trim() !== "") {
      const type = c.req.header("content-type") ?? "";
      if (!/^application\/json\b/i.test(type)) {
        return jelouError(415, "unsupported_media_type", `Content-Type is ${clip(type || "missing")}; send Content-Type: application/json.`);
      }
      try {
        request = JSON.parse(read.text);
      } catch (error) {
        const reason = clip((error as Error).message, 200);
        return jelouError(400, "invalid_json", `The body is not valid JSON: ${reason}. Send {"answers": {...}}.`);
      }
      // The reply event holds the answers as JSON text: stringifying thousands of levels would overflow the stack.
      const deep = depthProblem(request, read.text.length);
      if (deep !== undefined) return jelouError(422, "unprocessable_entity", deep.message, [deep]);
    }
    if (!validateFlowReplyRequest(request)) {
      const problems = toFieldProblems(validateFlowReplyRequest.errors ?? []);
      const description = `The reply breaks ${problems.length === 1 ? "1 rule" : `${problems.length} rules`}: ${problems.map((p) => p.message).join(" ")}`;
      return jelouError(422, "unprocessable_entity", description, problems);
    }
    const record = replies.reply(id, request.answers ?? {});
    if (!record) {
      return jelouError(404, "not_found", `No message ${clip(id)} in the inbox. List the messages with GET /__mock/messages.`);
    }
    return json(200, record);
  });

  app.get("/__mock/replies", () => {
    // A reply carries its message's payload: 1000 kept replies of 1 MB each must not become one answer.
    const { kept, omitted } = withinBudget(replies.list(), (record) => JSON.stringify(record).length);
    const list: FlowReplyList = replies.webhookUrl === undefined ? { replies: kept } : { webhook: replies.webhookUrl, replies: kept };
    return json(200, omitted === 0 ? list : { ...list, omitted });
  });
}

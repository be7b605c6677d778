/**
 * The HTTP side of simulated Flow replies: `POST /__mock/messages/{id}/reply` (what the page's "Complete flow" form
 * calls) and `GET /__mock/replies`, as `mock/inspection/openapi.yaml` describes them.
 */
import type { Hono } from "hono";
import type { components } from "../../generated/mock/openapi.js";
import { validateFlowReplyRequest } from "../../generated/mock/validators.js";
import { toFieldProblems } from "../../src/contract/index.js";
import { withinBudget } from "../inbox/inbox-query.js";
import { readJson } from "../inspection/inspection-routes.js";
import type { MockEnv } from "../server/context.js";
import { refuseForeignOrigin } from "../server/origin.js";
import { clip, jelouError, json, plural } from "../server/responses.js";
import type { FlowReplies } from "./flow-replies.js";

/** Answers are small; a reply body past this is a mistake, not a Flow. */
const REPLY_BODY_LIMIT = 256 * 1024;

export function mountReplyRoutes(app: Hono<MockEnv>, replies: FlowReplies): void {
  app.post("/__mock/messages/:id/reply", async (c) => {
    const id = c.req.param("id");
    const foreign = refuseForeignOrigin(c, "simulate replies");
    if (foreign !== undefined) return foreign;
    // The body may be left out (no answers).
    const body = await readJson(c, REPLY_BODY_LIMIT, true);
    if (!body.ok) return body.response;
    const request = body.value;
    if (!validateFlowReplyRequest(request)) {
      const problems = toFieldProblems(validateFlowReplyRequest.errors ?? []);
      const description = `The reply breaks ${plural(problems.length, "rule")}: ${problems.map((p) => p.message).join(" ")}`;
      return jelouError(422, "unprocessable_entity", description, problems);
    }
    const record = replies.reply(id, request.answers ?? {});
    if (record) return json(200, record);
    return jelouError(404, "not_found", `No message ${clip(id)} in the inbox. List the messages with GET /__mock/messages.`);
  });

  app.get("/__mock/replies", () => {
    // A reply carries its message's payload: 1000 kept replies of 1 MB each must not become one answer.
    const { kept, omitted } = withinBudget(replies.list(), (record) => JSON.stringify(record).length);
    const webhook = replies.webhookUrl;
    const list: components["schemas"]["FlowReplyList"] = webhook === undefined ? { replies: kept } : { webhook, replies: kept };
    return json(200, omitted === 0 ? list : { ...list, omitted });
  });
}

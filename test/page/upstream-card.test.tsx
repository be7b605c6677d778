/** In relay mode a message's card says what Jelou answered and how the answer breaks the contract, all escaped. */
import { describe, expect, it } from "vitest";
import { Inbox } from "../../mock/inbox/inbox.js";
import { createFlowReplies } from "../../mock/replies/flow-replies.js";
import { createInboxPage } from "../../mock/page/inbox-page.js";
import { FIRST_MESSAGE_BODY } from "../../mock/page/page.js";
import type { InboxUpstream } from "../../mock/index.js";

const XSS = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';

async function pageWith(...answers: (InboxUpstream | undefined)[]): Promise<string> {
  const inbox = new Inbox(100, 100);
  for (const upstream of answers) {
    const message = { botId: "bot-1", userId: "593987654321", body: FIRST_MESSAGE_BODY, clientId: "client-1" };
    inbox.record(upstream === undefined ? message : { ...message, upstream });
  }
  const page = createInboxPage({ inbox, replies: createFlowReplies({ inbox }) });
  return (await page.app.request("/")).text();
}

describe("the card of a relayed message", () => {
  it("shows the status and body Jelou answered, without a badge when the answer conforms", async () => {
    const html = await pageWith({ status: 200, body: '{"ok":1}', truncated: false, conforms: true, differences: [] });
    expect(html).toContain("Jelou answered 200");
    expect(html).toMatch(/<pre class="json upstream-body">\{&quot;ok&quot;:1\}<\/pre>/);
    expect(html).toContain('data-upstream="conforms"');
    expect(html).not.toContain("breaks the contract");
  });

  it("marks an answer that breaks the contract with a badge listing each schema path and suggested change", async () => {
    const differences = [
      {
        part: "body" as const,
        schemaPath: "#/components/schemas/FlowMessageSent/additionalProperties",
        at: "/messageId",
        expected: "no property messageId",
        actual: '"msg_1"',
        suggestion: "200 body has `messageId` (string): add it to FlowMessageSent",
      },
      { part: "header" as const, schemaPath: `#/x/${XSS}`, at: "x", expected: "e", actual: "a", suggestion: `fix ${XSS}` },
    ];
    const body = JSON.stringify({ success: true, messageId: "msg_1", note: XSS });
    const html = await pageWith({ status: 200, body, truncated: true, conforms: false, differences });
    expect(html).toContain('data-upstream="drift"');
    expect(html).toContain('<span class="badge badge-drift">breaks the contract</span>');
    expect(html).toContain("<code>#/components/schemas/FlowMessageSent/additionalProperties</code>: ");
    expect(html).toContain("200 body has `messageId` (string): add it to FlowMessageSent");
    expect(html).toContain("… (cut)</pre>");
    expect(html).not.toContain("<script>window");
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("fix &lt;script&gt;window.__pwned=1&lt;/script&gt;");
  });

  it("says when no answer came, and shows nothing of the kind for a message that was not relayed", async () => {
    const message = `No connection to the upstream: ${XSS}`;
    const html = await pageWith({ error: "network", message, conforms: false }, undefined);
    expect(html).toContain("No answer from Jelou: No connection to the upstream: &lt;script&gt;");
    expect(html.match(/data-upstream=/g)).toHaveLength(1);
  });
});

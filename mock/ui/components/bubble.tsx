import type { FC } from "hono/jsx";
import type { FlowMessageBody } from "../../../src/contract/index.js";
import { FormattedText } from "./formatted-text.js";
import { TimeStamp } from "./time-stamp.js";

/**
 * The flow message as the recipient sees it on WhatsApp: header (`title`), body (`text`, formatted), footer (`caption`)
 * and the button that opens the Flow (`parameters.flow_cta`). The button is a picture of one, not a control.
 *
 * @param props.body the message body
 * @param props.receivedAt when the mock received it
 */
export const Bubble: FC<{ body: FlowMessageBody; receivedAt: string }> = ({ body, receivedAt }) => (
  <div class="bubble" role="group" aria-label="As shown on WhatsApp">
    <div class="bubble-card">
      <p class="bubble-header">{body.title}</p>
      <p class="bubble-body">
        <FormattedText text={body.text} />
      </p>
      <p class="bubble-footer">{body.caption}</p>
      <p class="bubble-time">
        <TimeStamp iso={receivedAt} format="short" />
      </p>
    </div>
    <p class="bubble-cta">
      <span class="bubble-cta-icon" aria-hidden="true"></span>
      <span class="bubble-cta-text">{body.parameters.flow_cta}</span>
    </p>
  </div>
);

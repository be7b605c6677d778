import type { FC } from "hono/jsx";
import type { FlowMessageBody } from "../../../src/contract/index.js";
import { textUsage } from "../text-limits.js";

/** Share of a limit from which a text is shown as close to it. */
const NEAR = 0.8;

/**
 * How close each text of a message is to its WhatsApp limit, the limits read from the contract: `5 / 60` with a meter
 * that turns amber near the limit and red at it.
 *
 * @param props.body the message body
 */
export const TextUsageList: FC<{ body: FlowMessageBody }> = ({ body }) => (
  <ul class="usage" aria-label="Length of each text against its limit">
    {textUsage(body).map((usage) => {
      const state = usage.ratio > 1 ? "over" : usage.ratio >= NEAR ? "near" : "ok";
      return (
        <li class={`usage-item usage-${state}`} data-field={usage.field}>
          <span class="usage-label">{usage.label}</span>
          <meter
            min={0}
            max={usage.max}
            low={Math.floor(usage.max * NEAR)}
            high={usage.max}
            optimum={0}
            value={Math.min(usage.length, usage.max)}
            aria-label={`${usage.label}: ${usage.length} of ${usage.max} characters`}
          ></meter>
          <span class="usage-count">
            {usage.length} / {usage.max}
          </span>
        </li>
      );
    })}
  </ul>
);

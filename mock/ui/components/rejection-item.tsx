import type { FC } from "hono/jsx";
import type { InboxRejectionView } from "../inbox-types.js";
import { Phone } from "./phone.js";
import { TimeStamp } from "./time-stamp.js";

/** The request path with the recipient's number masked like everywhere else on the page. */
const MaskedPath: FC<{ path: string; userId?: string }> = ({ path, userId }) => {
  const at = userId ? path.indexOf(`/users/${userId}/`) : -1;
  if (!userId || at === -1) return <code>{path}</code>;
  const start = at + "/users/".length;
  return (
    <code>
      {path.slice(0, start)}
      <Phone digits={userId} />
      {path.slice(start + userId.length)}
    </code>
  );
};

/**
 * A request the mock refused: status and code, the request line, the reasons, one line per field problem, and the body
 * it got on demand.
 *
 * @param props.rejection the rejection from the inbox
 */
export const RejectionItem: FC<{ rejection: InboxRejectionView }> = ({ rejection }) => (
  <li
    class="rejection"
    data-rejection-id={rejection.id}
    data-bot={rejection.botId ?? ""}
    data-user={rejection.userId ?? ""}
  >
    <p class="rejection-head">
      <strong class="rejection-status">
        {rejection.status} <code>{rejection.code}</code>
      </strong>{" "}
      <TimeStamp iso={rejection.receivedAt} format="long" />
    </p>
    <p class="rejection-request">
      {rejection.method} <MaskedPath path={rejection.path} {...(rejection.userId ? { userId: rejection.userId } : {})} />
    </p>
    {rejection.description ? <p class="rejection-reason">{rejection.description}</p> : null}
    {rejection.problems && rejection.problems.length > 0 ? (
      <ul class="problems" aria-label="Problems found">
        {rejection.problems.map((problem) => (
          <li>
            <code>{problem.path || "(body)"}</code> {problem.message}
          </li>
        ))}
      </ul>
    ) : null}
    {rejection.body ? (
      <details>
        <summary>Request body</summary>
        <pre class="json">{rejection.body}</pre>
      </details>
    ) : null}
  </li>
);

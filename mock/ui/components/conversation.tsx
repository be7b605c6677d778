import type { Child, FC } from "hono/jsx";
import { Phone } from "./phone.js";

/**
 * A conversation (one bot, one recipient) holding its messages oldest first, as a chat reads. The page's script finds it
 * by `data-conversation` to append what arrives live.
 *
 * @param props.conversation the inbox's conversation key, `${botId}:${userId}`
 */
export const Conversation: FC<{ conversation: string; botId: string; userId: string; children?: Child }> = ({
  conversation,
  botId,
  userId,
  children,
}) => (
  <section class="conversation" data-conversation={conversation} data-bot={botId} data-user={userId}>
    <h3 class="conversation-title">
      <span class="conversation-bot">
        Bot <code>{botId}</code>
      </span>
      <span class="conversation-arrow" aria-label="to">
        →
      </span>
      <Phone digits={userId} />
    </h3>
    <ol class="messages" aria-label="Messages in this conversation">
      {children}
    </ol>
  </section>
);

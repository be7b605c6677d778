import type { FC } from "hono/jsx";
import { parseWhatsAppFormatting, type FormatNode } from "../whatsapp-format.js";

const Node: FC<{ node: FormatNode }> = ({ node }) => {
  if (typeof node === "string") return <>{node}</>;
  const children = node.children.map((child) => <Node node={child} />);
  switch (node.style) {
    case "bold":
      return <strong>{children}</strong>;
    case "italic":
      return <em>{children}</em>;
    case "strike":
      return <s>{children}</s>;
    case "code":
      return <code>{children}</code>;
    case "mono":
      return <code class="mono">{children}</code>;
  }
};

/**
 * A message text with WhatsApp's formatting shown as WhatsApp shows it. Every piece of the text is a JSX text child,
 * which Hono escapes: markup in a message is shown, never parsed.
 *
 * @param props.text the text, such as `*Pick a time* that suits you.`
 */
export const FormattedText: FC<{ text: string }> = ({ text }) => (
  <>
    {parseWhatsAppFormatting(text).map((node) => (
      <Node node={node} />
    ))}
  </>
);

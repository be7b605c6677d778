import type { MockContext } from "./context.js";
import { INSPECTION_PREFIX } from "./inspection-routes.js";
import { SEND_PATH } from "./send-core.js";

/**
 * The lines printed when the mock starts: where to point the client, where to read the inbox, which credentials pass.
 * The secret is never printed.
 *
 * @param url the base URL the mock listens on
 * @param ctx the mock's shared state
 * @returns the lines, without trailing newlines
 * @example
 * ```ts
 * const server = await mock.listen({ port: 4010 });
 * console.log(describeMock(server.url, mock.context).join("\n"));
 * ```
 */
export function describeMock(url: string, ctx: MockContext): string[] {
  const credentials = ctx.credentialsConfigured
    ? `Basic base64(clientId:clientSecret) with client id "${ctx.clientId}" and the secret it was given (not shown)`
    : "any well-formed Basic base64(clientId:clientSecret) passes (no credentials configured)";
  const bots =
    ctx.registry === undefined
      ? "any bot, any Flow (no registry; pass --bots FILE to check them)"
      : `${Object.keys(ctx.registry.snapshot.bots).length} bots from the registry (${url}${INSPECTION_PREFIX}/bots)`;
  return [
    `Mock Jelou listening on ${url}`,
    `  Base URL     ${url}   (createJelouClient({ baseUrl }) or JELOU_BASE_URL)`,
    `  Send         POST ${url}${SEND_PATH}`,
    `  Inbox page   ${url}/   (open it in a browser)`,
    `  Inbox API    ${url}${INSPECTION_PREFIX}/messages   (also /messages/latest, /messages/wait, /rejections, /faults, /health)`,
    `  Credentials  ${credentials}`,
    `  Bots         ${bots}`,
  ];
}

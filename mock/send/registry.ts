import { readFileSync } from "node:fs";
import { validateBotRegistry } from "../../generated/mock/validators.js";
import { toFieldProblems, type FieldProblem } from "../../src/contract/index.js";
import { depthProblem } from "../server/request-body.js";
import { clip } from "../server/responses.js";
import type { BotRegistry } from "../types.js";

/**
 * The providers that can send WhatsApp Flows, per Jelou's documentation of this endpoint. Not derivable from
 * openapi.yaml, which states it in prose only; mock/inspection/openapi.yaml's BotEntry.provider describes the same list.
 *
 * @example
 * ```ts
 * const bots = { bots: { "bot-1": { provider: FLOW_PROVIDERS[0], flows: ["welcome_flow"] } } };
 * ```
 */
export const FLOW_PROVIDERS: readonly string[] = ["whatsapp_cloud", "gupshup_capi", "aldeamo"];

/** Why the registry refused a send: the answer the route gives. */
export interface RegistryRefusal {
  /** The HTTP status of the answer. */
  status: 400 | 403 | 404 | 422;
  /** Jelou's error code: an unknown bot, a client the bot does not allow, a provider without Flows, an unknown Flow. */
  code: "bot_not_found" | "forbidden_bot" | "flows_not_supported" | "flow_not_found";
  /** What is wrong and what to do, in a sentence. */
  description: string;
  /** The field at fault, for `flow_not_found` (`parameters.flow_name`). */
  problem?: FieldProblem;
}

/** A request's bot and Flow can be megabytes long, and each refusal names them. */
const name = (text: string): string => clip(text, 80);

function list(values: Iterable<string>, max = 10): string {
  const all = [...values];
  const shown = all.slice(0, max).map(name).join(", ");
  return all.length > max ? `${shown} and ${all.length - max} more` : shown;
}

function readRegistry(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`Cannot read the bot registry ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`The bot registry ${file} is not JSON: ${(error as Error).message}`);
  }
}

/** The bots the mock knows, checked in the order Jelou would: the bot, who may use it, its provider, then the Flow. */
export class Registry {
  /** The registry as given, for `GET /__mock/bots`. */
  readonly snapshot: BotRegistry;

  /**
   * Reads and checks the registry (or the JSON file of one).
   *
   * @param source the registry, or the path of a JSON file holding one
   * @throws `Error` when the file cannot be read or is not JSON
   * @throws `TypeError` naming what breaks the registry's schema
   * @example
   * ```ts
   * const registry = new Registry("bots.json"); // throws, naming the field, when the file breaks the schema
   * ```
   */
  constructor(source: BotRegistry | string) {
    const registry = typeof source === "string" ? readRegistry(source) : source;
    const invalid = `The bot registry${typeof source === "string" ? ` in ${source}` : ""} is not valid:`;
    // Before the schema: its validator and structuredClone walk the value recursively.
    const deep = depthProblem(registry, Infinity);
    if (deep !== undefined) throw new TypeError(`${invalid} ${deep.message}`);
    if (!validateBotRegistry(registry)) {
      throw new TypeError(`${invalid} ${toFieldProblems(validateBotRegistry.errors ?? []).map((p) => p.message).join(" ")}`);
    }
    this.snapshot = structuredClone(registry);
  }

  /**
   * Checks a send as Jelou would: the bot, whether the client may use it, its provider, then the Flow.
   *
   * @param botId the bot of the URL path
   * @param clientId the client id of the request's credentials
   * @param flowName the message's `parameters.flow_name`
   * @returns the refusal of the send, or undefined when it may go ahead
   * @example
   * ```ts
   * const refusal = mock.context.registry?.check("bot-1", "id", "welcome_flow"); // undefined: it may go ahead
   * ```
   */
  check(botId: string, clientId: string, flowName: string): RegistryRefusal | undefined {
    const bot = Object.hasOwn(this.snapshot.bots, botId) ? this.snapshot.bots[botId] : undefined;
    const names = Object.keys(this.snapshot.bots);
    if (bot === undefined) {
      const known = list(names) || "no bot";
      const description =
        `Bot ${name(botId)} is not in the mock's bot registry (it knows ${known}). ` +
        "Use one of those or add it to the registry.";
      return { status: 404, code: "bot_not_found", description };
    }
    if (bot.clientIds !== undefined && !bot.clientIds.includes(clientId)) {
      const description =
        `Client id ${name(clientId)} may not use bot ${name(botId)}. ` +
        "Use the credentials of a client the registry allows for it.";
      return { status: 403, code: "forbidden_bot", description };
    }
    if (bot.provider !== undefined && !FLOW_PROVIDERS.includes(bot.provider)) {
      const description =
        `Bot ${name(botId)} is on the ${name(bot.provider)} provider, which cannot send WhatsApp Flows; ` +
        `only ${FLOW_PROVIDERS.join(", ")} can. Send from a bot on one of those.`;
      return { status: 400, code: "flows_not_supported", description };
    }
    if (bot.flows !== undefined && !bot.flows.includes(flowName)) {
      const known = bot.flows.length > 0 ? `its Flows are ${list(new Set(bot.flows))}` : "it has no Flow";
      const message =
        `parameters.flow_name ${JSON.stringify(name(flowName))} is not a Flow of bot ${name(botId)} (${known}). ` +
        "Fix the slug or create the Flow in Jelou.";
      const problem = { path: "parameters.flow_name", rule: "enum", message };
      return { status: 422, code: "flow_not_found", description: message, problem };
    }
    return undefined;
  }
}

import { readFileSync } from "node:fs";
import { validateBotRegistry } from "../generated/mock/validators.js";
import { toFieldProblems } from "../src/contract/index.js";
import { depthProblem } from "./nesting.js";
import { clip } from "./responses.js";
import type { BotRegistry } from "./types.js";

/** How much of a name a refusal quotes: the request's bot and Flow can be megabytes long, each answer says them. */
const NAME_SHOWN = 80;

/**
 * The providers that can send WhatsApp Flows, per Jelou's documentation of this endpoint. Not derivable from
 * openapi.yaml, which states it in prose only; mock/openapi.yaml's BotEntry.provider describes the same list.
 *
 * @example
 * ```ts
 * const bots = { bots: { "bot-1": { provider: FLOW_PROVIDERS[0], flows: ["welcome_flow"] } } };
 * ```
 */
export const FLOW_PROVIDERS: readonly string[] = ["whatsapp_cloud", "gupshup_capi", "aldeamo"];

/** One bot, prepared for lookups. */
interface Bot {
  provider?: string;
  flows?: Set<string>;
  clientIds?: Set<string>;
}

/** Why the registry refused a send: the answer the route gives. */
export interface RegistryRefusal {
  status: 400 | 403 | 404 | 422;
  code: "bot_not_found" | "forbidden_bot" | "flows_not_supported" | "flow_not_found";
  description: string;
  problem?: { path: string; rule: string; message: string };
}

function list(values: Iterable<string>, max = 10): string {
  const all = [...values];
  const shown = all
    .slice(0, max)
    .map((name) => clip(name, NAME_SHOWN))
    .join(", ");
  return all.length > max ? `${shown} and ${all.length - max} more` : shown;
}

/** The bots the mock knows, checked in the order Jelou would: the bot, who may use it, its provider, then the Flow. */
export class Registry {
  private readonly bots = new Map<string, Bot>();

  /**
   * @param source the registry, or the path of a JSON file holding one
   * @throws {Error} when the file cannot be read or parsed, or the registry breaks mock/openapi.yaml's BotRegistry
   */
  constructor(readonly source: BotRegistry | string) {
    const registry = typeof source === "string" ? Registry.readFile(source) : source;
    const where = typeof source === "string" ? ` in ${source}` : "";
    // Before the schema: its validator and structuredClone below walk the value recursively.
    const deep = depthProblem(registry, Infinity);
    if (deep !== undefined) throw new TypeError(`The bot registry${where} is not valid: ${deep.message}`);
    if (!validateBotRegistry(registry)) {
      const problems = toFieldProblems(validateBotRegistry.errors ?? []);
      throw new TypeError(`The bot registry${where} is not valid: ${problems.map((p) => p.message).join(" ")}`);
    }
    for (const [id, entry] of Object.entries(registry.bots)) {
      const bot: Bot = {};
      if (entry.provider !== undefined) bot.provider = entry.provider;
      if (entry.flows !== undefined) bot.flows = new Set(entry.flows);
      if (entry.clientIds !== undefined) bot.clientIds = new Set(entry.clientIds);
      this.bots.set(id, bot);
    }
    this.snapshot = structuredClone(registry);
  }

  /** The registry as given, for `GET /__mock/bots`. */
  readonly snapshot: BotRegistry;

  private static readFile(file: string): unknown {
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

  /**
   * @param botId the bot of the request
   * @param clientId the client id of its credentials
   * @param flowName its `parameters.flow_name`
   * @returns the refusal, or undefined when the send may go ahead
   */
  check(botId: string, clientId: string, flowName: string): RegistryRefusal | undefined {
    const bot = this.bots.get(botId);
    if (bot === undefined) {
      return {
        status: 404,
        code: "bot_not_found",
        description: `Bot ${clip(botId, NAME_SHOWN)} is not in the mock's bot registry (it knows ${list(this.bots.keys()) || "no bot"}). Use one of those or add it to the registry.`,
      };
    }
    if (bot.clientIds !== undefined && !bot.clientIds.has(clientId)) {
      return {
        status: 403,
        code: "forbidden_bot",
        description: `Client id ${clip(clientId, NAME_SHOWN)} may not use bot ${clip(botId, NAME_SHOWN)}. Use the credentials of a client the registry allows for it.`,
      };
    }
    if (bot.provider !== undefined && !FLOW_PROVIDERS.includes(bot.provider)) {
      return {
        status: 400,
        code: "flows_not_supported",
        description: `Bot ${clip(botId, NAME_SHOWN)} is on the ${clip(bot.provider, NAME_SHOWN)} provider, which cannot send WhatsApp Flows; only ${FLOW_PROVIDERS.join(", ")} can. Send from a bot on one of those.`,
      };
    }
    if (bot.flows !== undefined && !bot.flows.has(flowName)) {
      const known = bot.flows.size > 0 ? `its Flows are ${list(bot.flows)}` : "it has no Flow";
      const message = `parameters.flow_name ${JSON.stringify(clip(flowName, NAME_SHOWN))} is not a Flow of bot ${clip(botId, NAME_SHOWN)} (${known}). Fix the slug or create the Flow in Jelou.`;
      return {
        status: 422,
        code: "flow_not_found",
        description: message,
        problem: { path: "parameters.flow_name", rule: "enum", message },
      };
    }
    return undefined;
  }
}

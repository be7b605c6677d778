import type { BotRegistry } from "../../../mock/index.js";
import type { ContractRequest, Outcome } from "../wire.js";

/**
 * What a target can do, each with what it means. A case that needs a capability its target lacks is skipped for that
 * target only, with the capability in the skipped test's name: never a silent `if` inside a test.
 */
export const CAPABILITIES = {
  checksCredentials: "tells the right credentials from wrong ones (Prism checks only that Basic credentials are well formed)",
  keepsState: "records every accepted message where a test can read it back",
  knowsBots: "knows Jelou's side of a send: which bots exist, who may use them, their provider and their Flows",
  answersErrorCodes: "answers each error with the code of the rule broken (unprocessable_entity, unauthorized...)",
  rejectsEmptyQueryValue: "refuses an empty query value (`?type=`) as the contract's minLength: 1 says",
  answersMalformedJsonByContract: "answers a body that is not JSON itself, with the contract's error shape",
  answersMalformedCredentialsByContract:
    "answers a request without well-formed Basic credentials itself, with the contract's error shape",
} as const;

export type Capability = keyof typeof CAPABILITIES;

/** A message the target recorded, as the mock's inbox holds it. */
export interface RecordedMessage {
  id: string;
  botId: string;
  userId: string;
  type?: string;
  body: unknown;
}

/** A running target of the contract suite. */
export interface ContractTarget {
  /**
   * Sends one request. `intent` says whether the case expects it accepted; only a target that routes requests by it
   * (the mock behind Prism) reads it.
   */
  send(request: ContractRequest, intent?: "accept" | "reject"): Promise<Outcome>;
  /** Present when the target has `keepsState`. */
  recorded?(id: string): Promise<RecordedMessage | undefined>;
  /** Recent logs of the servers behind the target, printed when a test fails. */
  logs(): string;
  close(): Promise<void>;
}

/** How a target is started: the mock Jelou's bot registry, which Prism has no notion of. */
export interface TargetOptions {
  bots?: BotRegistry;
}

/** A target before it starts: what it is, what it can do, and how to start it (once per test file). */
export interface TargetFactory {
  readonly name: string;
  readonly capabilities: ReadonlySet<Capability>;
  /** Why each missing capability is missing, for the skipped tests' names. */
  readonly lacking: Partial<Record<Capability, string>>;
  /** @param options.bots the bots a target that `knowsBots` is told about; without them every bot exists */
  start(options?: TargetOptions): Promise<ContractTarget>;
}

/** The capabilities of `factory` that `needs` asks for and it lacks. */
export function missingCapabilities(factory: TargetFactory, needs: readonly Capability[] = []): Capability[] {
  return needs.filter((capability) => !factory.capabilities.has(capability));
}

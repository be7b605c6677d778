/** Scripted faults, seeded chaos and latency: the mock's failures on command, checked against mock/inspection/openapi.yaml. */
import { validateChaosSettings, validateFaultList, validateFaultSpec, validateLatency } from "../../generated/mock/validators.js";
import type { ValidationIssue } from "../../generated/mock/validators.js";
import { normalizeUserId, toFieldProblems, type FieldProblem } from "../../src/contract/index.js";
import type { ChaosSettings, ChaosState, Fault, FaultKind, FaultSpec } from "../types.js";

/** What the flow_message route must do to one request, decided by a scripted fault (`source` is its id) or by `chaos`. */
export interface FaultDecision {
  /** How the request fails: the answer it gets, or none. */
  kind: FaultKind;
  /** The id of the scripted fault that decided it (`fault_1`), or `chaos`. */
  source: string;
  /** The Retry-After, in seconds, of a 429 or 503 answer. */
  retryAfterSeconds?: number;
  /** How long a `hang` waits before the request is handled as usual. */
  delayMs?: number;
  /** For `drop`: whether the message is recorded before the connection is dropped. */
  record?: boolean;
}

/**
 * Thrown by {@link Faults} when a fault, chaos or latency setting breaks `mock/inspection/openapi.yaml`; `problems` lists
 * one per field, as the mock's 422 answers do.
 *
 * @example
 * ```ts
 * try {
 *   mock.faults.add({ kind: "hang" });
 * } catch (error) {
 *   if (error instanceof FaultSpecError) console.log(error.problems); // [{ path: "delayMs", rule: "required", ... }]
 * }
 * ```
 */
export class FaultSpecError extends TypeError {
  /**
   * Thrown by {@link Faults} on a setting that breaks the contract; you rarely make one yourself.
   *
   * @param problems one per field
   */
  constructor(readonly problems: FieldProblem[]) {
    super(`Invalid setting: ${problems.map((p) => p.message).join(" ")}`);
    this.name = "FaultSpecError";
  }
}

const CHAOS_KINDS: FaultKind[] = ["rate_limit", "server_error", "unavailable"];
type Validator<T> = ((data: unknown) => data is T) & { errors?: ValidationIssue[] | null };

/**
 * Checks a value with a generated validator of mock/inspection/openapi.yaml (`if`/`then` failures only repeat the `then`
 * branch's own issue: they are left out).
 *
 * @throws {@link FaultSpecError} with the field problems when it does not conform
 */
export function assertValid<T>(validator: Validator<T>, value: unknown): T {
  if (!validator(value)) throw new FaultSpecError(toFieldProblems((validator.errors ?? []).filter((i) => i.keyword !== "if")));
  return value;
}

/** mulberry32: a tiny, fast, well-spread 32-bit PRNG; the same seed gives the same sequence on every platform. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The mock's failures on command: scripted faults for the next N matching flow_message requests, seeded random chaos,
 * and a latency added to every request. All can change while the mock runs.
 *
 * @example
 * ```ts
 * mock.faults.add({ kind: "hang", delayMs: 3000 });
 * ```
 */
export class Faults {
  private scripted: Fault[] = [];
  private nextId = 1;
  private chaosSettings: ChaosSettings | undefined;
  private random: (() => number) | undefined;
  private decisions = 0;
  private injected = 0;
  private latency = 0;

  /**
   * Made by `createMockJelou` (as `mock.faults`); make one yourself only to test a route of your own.
   *
   * @param latencyMs the initial latency
   * @throws {@link FaultSpecError} when the latency is not a whole number from 0 to 600000
   */
  constructor(latencyMs = 0) {
    this.setLatency(latencyMs);
  }

  /** True when nothing is scripted and chaos is off. */
  get idle(): boolean {
    return this.scripted.length === 0 && this.random === undefined;
  }

  /** Milliseconds added before every flow_message request. */
  get latencyMs(): number {
    return this.latency;
  }

  /**
   * Scripts a fault for the next `times` (default 1) flow_message requests matching `botId`/`userId`.
   *
   * @param spec the kind and its settings, as `POST /__mock/faults` takes them
   * @returns the fault with its id
   * @throws {@link FaultSpecError} when the spec breaks `mock/inspection/openapi.yaml`'s FaultSpec, or the list already holds as
   *   many pending faults as its FaultList allows
   * @example
   * ```ts
   * mock.faults.add({ kind: "rate_limit", times: 2, retryAfterSeconds: 1, userId: "593987654321" }).id; // "fault_1"
   * ```
   */
  add(spec: FaultSpec): Fault {
    const { times = 1, kind, ...rest } = assertValid(validateFaultSpec, spec);
    const fault: Fault = { id: `fault_${this.nextId}`, kind, remaining: times, ...rest };
    // Written as people write numbers (`+593 98 765 4321`), it still meets the sends, whose number the client normalises.
    if (fault.userId !== undefined) fault.userId = normalizeUserId(fault.userId);
    if (kind === "rate_limit") fault.retryAfterSeconds ??= 2;
    if (kind === "drop") fault.record ??= true;
    // The cap is FaultList's `maxItems`: the list with the new fault is checked against it.
    if (!validateFaultList({ faults: [...this.scripted, fault] })) {
      const cap = validateFaultList.errors?.find((issue) => issue.keyword === "maxItems");
      if (cap === undefined) throw new FaultSpecError(toFieldProblems(validateFaultList.errors ?? []));
      const limit = (cap.params as { limit?: number }).limit;
      const message = `faults already holds ${this.scripted.length} pending faults, the most the mock keeps (${limit}). `;
      const fix = "Clear them with DELETE /__mock/faults (or mock.faults.clear()), or script one fault with a larger times.";
      throw new FaultSpecError([{ path: "faults", rule: "maxItems", message: message + fix }]);
    }
    this.nextId++;
    this.scripted.push(fault);
    return { ...fault };
  }

  /**
   * The faults that still have uses left, in the order they apply.
   *
   * @returns copies of the pending faults
   * @example
   * ```ts
   * mock.faults.list()[0]?.remaining; // uses left of the next fault
   * ```
   */
  list(): Fault[] {
    return this.scripted.map((f) => ({ ...f }));
  }

  /**
   * Removes every scripted fault (chaos and latency stay).
   *
   * @returns how many were removed
   * @example
   * ```ts
   * afterEach(() => mock.faults.clear());
   * ```
   */
  clear(): number {
    const n = this.scripted.length;
    this.scripted = [];
    return n;
  }

  /**
   * Turns seeded chaos on (settings) or off (null). Setting it restarts the pseudo-random sequence from the seed.
   *
   * @param settings probability, seed, and optionally kinds, retryAfterSeconds, delayMs; or null to stop
   * @returns the chaos state now in force
   * @throws {@link FaultSpecError} when the settings break `mock/inspection/openapi.yaml`'s ChaosSettings
   * @example
   * ```ts
   * mock.faults.chaos({ probability: 0.2, seed: 42, kinds: ["unavailable", "drop"] });
   * mock.faults.chaos(null); // off
   * ```
   */
  chaos(settings: ChaosSettings | null): ChaosState {
    const valid = settings === null ? undefined : assertValid(validateChaosSettings, settings);
    this.chaosSettings = valid && { ...valid, kinds: [...(valid.kinds ?? CHAOS_KINDS)] };
    this.random = valid && prng(valid.seed);
    this.decisions = 0;
    this.injected = 0;
    return this.chaosState();
  }

  /**
   * Whether chaos is on, its settings, and how many requests it decided on and failed.
   *
   * @returns the chaos state
   * @example
   * ```ts
   * mock.faults.chaosState().injected; // how many requests chaos failed
   * ```
   */
  chaosState(): ChaosState {
    if (this.chaosSettings === undefined) return { enabled: false };
    return { enabled: true, settings: structuredClone(this.chaosSettings), decisions: this.decisions, injected: this.injected };
  }

  /**
   * Sets the latency added before every flow_message request.
   *
   * @param ms milliseconds, 0 to turn it off
   * @throws {@link FaultSpecError} when it is not a whole number from 0 to 600000
   * @example
   * ```ts
   * mock.faults.setLatency(50); // about what Jelou takes over the internet
   * ```
   */
  setLatency(ms: number): void {
    this.latency = assertValid(validateLatency, { latencyMs: ms }).latencyMs;
  }

  /**
   * Decides the fate of one flow_message request: the first scripted fault that matches (one use is spent), else a
   * chaos draw, else nothing. Called by the route; exposed for custom routes built on the mock.
   *
   * @param botId the request's bot
   * @param userId the request's recipient
   * @returns what to do, or undefined to handle the request normally
   * @example
   * ```ts
   * const decision = mock.faults.take("bot-1", "593987654321"); // undefined: handle it normally
   * ```
   */
  take(botId: string, userId: string): FaultDecision | undefined {
    const index = this.scripted.findIndex((f) => (f.botId ?? botId) === botId && (f.userId ?? userId) === userId);
    const fault = this.scripted[index];
    if (fault !== undefined) {
      fault.remaining--;
      if (fault.remaining <= 0) this.scripted.splice(index, 1);
      const { id, kind, retryAfterSeconds, delayMs, record } = fault;
      return { kind, source: id, retryAfterSeconds, delayMs, record };
    }
    const settings = this.chaosSettings;
    if (this.random === undefined || settings === undefined) return undefined;
    this.decisions++;
    // Two draws per request whatever the outcome, so the sequence of outcomes depends only on the seed and the count.
    const roll = this.random();
    const pick = this.random();
    if (roll >= settings.probability) return undefined;
    this.injected++;
    const kinds = settings.kinds ?? CHAOS_KINDS;
    const kind = kinds[Math.floor(pick * kinds.length)] ?? "server_error";
    const { retryAfterSeconds = 1, delayMs = 1000 } = settings;
    return { kind, source: "chaos", retryAfterSeconds, delayMs, record: true };
  }
}

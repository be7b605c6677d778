import type * as BullMQ from "bullmq";
import type { Redis as RedisClient, RedisOptions } from "ioredis";

/** What the queue needs from its two optional packages. */
export interface QueueLibraries {
  bullmq: typeof BullMQ;
  Redis: new (url: string, options: RedisOptions) => RedisClient;
}

const INSTALL = "Install them: npm install bullmq ioredis";

/**
 * BullMQ or ioredis is not installed: the queue cannot run. The message says exactly what to install.
 *
 * @example
 * ```ts
 * try {
 *   await campaignStatus({ queue: "redis://127.0.0.1:6379/0", campaign: "spring" });
 * } catch (error) {
 *   if (error instanceof QueueDependencyError) console.error(error.message); // ...: npm install bullmq ioredis
 * }
 * ```
 */
export class QueueDependencyError extends Error {
  /** Always `QueueDependencyError`, so that it can be told apart after serialisation. */
  override name = "QueueDependencyError";
  /**
   * Thrown by `jelou-flow/queue` when an optional package is missing; you rarely make one yourself.
   *
   * @param missing the package that could not be loaded: `bullmq` or `ioredis`
   * @param cause the import's error
   */
  constructor(readonly missing: string, cause: unknown) {
    super(`The queue needs the packages bullmq and ioredis, and ${missing} is not installed. ${INSTALL}`, { cause });
  }
}

type Importer = (name: "bullmq" | "ioredis") => Promise<unknown>;

let loaded: Promise<QueueLibraries> | undefined;

/**
 * Loads BullMQ and ioredis, once: the only place in the package that imports them, so that an install without them
 * stays as light as before and fails only when the queue is used.
 *
 * @param importer replaced by tests to play a missing package
 * @returns the two libraries
 * @throws {@link QueueDependencyError} when either package cannot be found
 * @example
 * ```ts
 * const { bullmq, Redis } = await loadQueueLibraries();
 * ```
 */
export function loadQueueLibraries(importer?: Importer): Promise<QueueLibraries> {
  if (importer !== undefined) return load(importer);
  loaded ??= load((name) => import(name));
  loaded.catch(() => (loaded = undefined));
  return loaded;
}

async function load(importer: Importer): Promise<QueueLibraries> {
  const one = async (name: "bullmq" | "ioredis") => {
    try {
      return await importer(name);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") throw new QueueDependencyError(name, error);
      throw error;
    }
  };
  const bullmq = (await one("bullmq")) as typeof BullMQ;
  const ioredis = (await one("ioredis")) as { Redis: QueueLibraries["Redis"] };
  return { bullmq, Redis: ioredis.Redis };
}

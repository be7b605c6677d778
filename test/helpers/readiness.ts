import { fetchOnFreshConnection } from "./http.js";
import type { ProcessGroup } from "./process-group.js";

/**
 * Polls `url` until an HTTP server answers it, whatever the status: readiness without sleeping a fixed time.
 *
 * @param url a URL the server answers, even with a 404
 * @param options.timeoutMs how long to wait (default 20 s); options.group the server's process, to fail at once if it exits
 * @throws Error naming the server, with its last log lines, when it exits or does not answer in time
 */
export async function waitUntilAnswering(
  url: string,
  options: { timeoutMs?: number; group?: ProcessGroup; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  const what = options.group?.name ?? url;
  for (;;) {
    const exit = options.group?.exitStatus();
    if (exit !== undefined) {
      throw new Error(`${what} ended (${exit}) before answering ${url}\n${options.group?.commandLine}\n${options.group?.logs()}`);
    }
    try {
      await fetchOnFreshConnection(new Request(url), { timeoutMs: 1_000 });
      return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      throw new Error(`${what} did not answer ${url} in time\n${options.group?.logs() ?? ""}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 25));
  }
}

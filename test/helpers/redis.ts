import { mkdtemp, rm } from "node:fs/promises";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startProcessGroup, type ProcessGroup } from "./process-group.js";

/** A redis-server of a test's own, on a free loopback port, in a temporary folder. */
export interface RedisServer {
  /** `redis://127.0.0.1:PORT/0` */
  readonly url: string;
  readonly port: number;
  /** Stops the server (the whole process group) and starts it again on the same port and folder, as a restart would. */
  restart(): Promise<void>;
  /** Stops it, and removes its folder. */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once the server answers PING with PONG; fails with its log if it ends or does not answer in time. */
async function untilPong(port: number, group: ProcessGroup, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (group.exitStatus() !== undefined) throw new Error(`redis-server ended (${group.exitStatus()})\n${group.logs()}`);
    const answer = await new Promise<string>((resolve) => {
      const socket = new Socket();
      let text = "";
      socket.setTimeout(500, () => socket.destroy());
      socket.on("data", (d) => {
        text += d.toString();
        if (text.includes("\r\n")) socket.end();
      });
      socket.on("close", () => resolve(text));
      socket.on("error", () => resolve(""));
      socket.connect(port, "127.0.0.1", () => socket.write("PING\r\n"));
    });
    if (answer.startsWith("+PONG")) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not answer PING on port ${port}\n${group.logs()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Starts Debian's redis-server (`/usr/bin/redis-server`) on a free loopback port in a temporary folder. Without
 * `persistent` it keeps nothing on disk (`--save "" --appendonly no`); with it, every write is in an append-only file
 * synced at once, so that `restart()` loses nothing (and the queue's workers accept it). `args` are added as they are.
 *
 * @throws Error with the server's log when it does not start
 */
export async function startRedis(options: { persistent?: boolean; args?: string[] } = {}): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), "jelou-redis-"));
  const port = await freePort();
  const persistence = options.persistent ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"];
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", ...persistence, ...(options.args ?? [])];
  let group: ProcessGroup | undefined;
  const start = async () => {
    group = startProcessGroup("redis-server", "/usr/bin/redis-server", args);
    await untilPong(port, group);
  };
  try {
    await start();
  } catch (error) {
    await group?.stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `redis://127.0.0.1:${port}/0`,
    port,
    async restart() {
      await group?.stop(5_000);
      await start();
    },
    async stop() {
      await group?.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

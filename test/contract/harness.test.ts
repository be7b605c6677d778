import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { fetchOnFreshConnection } from "../helpers/http.js";
import { startPrism, type PrismServer } from "../helpers/prism.js";
import { LineRingBuffer } from "../helpers/ring-buffer.js";
import { describeOutcome, readOutcome, toRequest } from "./wire.js";

/**
 * The harness can fail: a proxy in front of an upstream that breaks the contract must turn its answers into failures,
 * a Prism that cannot start must say why, and stopping must end the whole process group.
 */
function groupIsAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("Prism proxy in front of an upstream that breaks the contract", () => {
  let upstream: Server;
  let proxy: PrismServer;
  beforeAll(async () => {
    // Answers every request with an error body lacking the contract's required `code`.
    upstream = createServer((_req, res) => {
      res.writeHead(422, { "content-type": "application/json" }).end(JSON.stringify({ description: "no code here" }));
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    const address = upstream.address();
    if (address === null || typeof address !== "object") throw new Error("no upstream address");
    proxy = await startPrism({ mode: "proxy", upstream: `http://127.0.0.1:${address.port}`, validateRequest: false });
  });
  afterAll(async () => {
    await proxy?.stop();
    await new Promise((resolve) => upstream?.close(resolve));
  });

  it("turns the broken 422 into a 500 naming the violation, so a test expecting 422 fails", async () => {
    const outcome = await readOutcome(await fetchOnFreshConnection(toRequest(proxy.url, { body: { title: "" } })), "violations");
    expect(outcome.status, describeOutcome(outcome)).toBe(500);
    expect(outcome.violations).toContainEqual(
      expect.objectContaining({ location: ["response", "body"], code: "required", message: expect.stringContaining("'code'") }),
    );
  });

  it("keeps Prism's output for a failing test's report", async () => {
    // Prism writes its log line after answering: wait for it rather than for a fixed time.
    await vi.waitFor(() => expect(proxy.logs()).toMatch(/upstream call to \/v1\/bots\/.*flow_message has returned 422/), {
      timeout: 5_000,
    });
  });

  it("stop() ends the whole process group", async () => {
    expect(groupIsAlive(proxy.process.pid)).toBe(true);
    await proxy.stop();
    expect(groupIsAlive(proxy.process.pid)).toBe(false);
    expect(proxy.process.exitStatus()).toMatch(/signal|exit code/);
  });
});

describe("starting and stopping Prism", () => {
  it("a Prism that cannot start fails at once with its output, instead of waiting for a timeout", async () => {
    const started = Date.now();
    await expect(startPrism({ mode: "mock", spec: "/nonexistent/openapi.yaml" })).rejects.toThrow(/prism mock ended .*nonexistent/s);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe("a test process that is ended by a signal", () => {
  // Node runs no "exit" handler then; Vitest ends its workers with SIGTERM, and Ctrl-C sends SIGINT.
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`takes its process groups with it on ${signal}, and still ends by that signal`, async () => {
      const worker = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("../helpers/hold-process-group.ts", import.meta.url))], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      try {
        const pid = await new Promise<number>((resolve, reject) => {
          let out = "";
          worker.stdout.on("data", (chunk: Buffer) => {
            out += chunk.toString();
            const match = /group (\d+)/.exec(out);
            if (match) resolve(Number(match[1]));
          });
          worker.once("exit", () => reject(new Error(`the worker ended first: ${out}`)));
        });
        expect(groupIsAlive(pid)).toBe(true);
        const ended = new Promise<NodeJS.Signals | null>((resolve) => worker.once("exit", (_code, by) => resolve(by)));
        worker.kill(signal);
        expect(await ended).toBe(signal);
        // Killed, the sleeper lingers as a zombie until its new parent reaps it; without the hook it lives for 600 s.
        await vi.waitFor(() => expect(groupIsAlive(pid)).toBe(false), { timeout: 5_000 });
      } finally {
        worker.kill("SIGKILL");
      }
    });
  }
});

describe("LineRingBuffer", () => {
  it("keeps the last lines, joins lines split across chunks, and says how many it dropped", () => {
    const buffer = new LineRingBuffer(2);
    buffer.push("one\ntw");
    buffer.push("o\nthree\nfou");
    expect(buffer.toString()).toBe("[1 earlier lines dropped]\ntwo\nthree\nfou");
  });
});

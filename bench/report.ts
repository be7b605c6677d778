/** Turns the figures of one bench run into one table, and writes it into bench/RESULTS.md between markers. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { pairedRatio, type ClientFigures } from "./client-cost.js";
import { fmt, ratio } from "./lib/stats.js";
import type { BulkFigures, MemoryFigures, StartupFigures } from "./startup-memory.js";
import type { LoadSettings, ServerFigures } from "./throughput.js";

export interface BenchFigures {
  load: LoadSettings;
  servers: ServerFigures[];
  clients: ClientFigures[];
  inProcess: ClientFigures[];
  startup: StartupFigures;
  startupRuns: number;
  memory: MemoryFigures;
  bulk: BulkFigures;
  loadBefore: number[];
  loadAfter: number[];
  seconds: number;
}

type Row = [measure: string, median: string, reference: string, ratio: string, target: string];

function verdict(ok: boolean, text: string): string {
  return `${text} ${ok ? "met" : "MISSED"}`;
}

function find<T extends { name: string }>(rows: readonly T[], prefix: string): T {
  const row = rows.find((r) => r.name.startsWith(prefix));
  if (row === undefined) throw new Error(`no figure named ${prefix}`);
  return row;
}

/** The rows of the table, in the order of the issue. */
export function tableRows(f: BenchFigures): Row[] {
  const [bare, hono, honoBody, inline, mock, prism, proxy] = [
    find(f.servers, "bare"),
    find(f.servers, "plain Hono"),
    find(f.servers, "Hono reading"),
    find(f.servers, "node:http reading"),
    find(f.servers, "mock Jelou ("),
    find(f.servers, "Prism mock"),
    find(f.servers, "Prism proxy"),
  ];
  const spread = (values: number[]) => `${fmt(Math.min(...values))}-${fmt(Math.max(...values))}`;
  const server = (s: ServerFigures) =>
    `${fmt(s.rps)} req/s (runs ${spread(s.runs)}), ${fmt(s.meanLatencyMs, 2)} ms mean, ${s.p99Ms} ms p99`;
  const [plain, bareClient, send] = [find(f.clients, "plain fetch"), find(f.clients, "bare openapi-fetch"), find(f.clients, "sendFlowMessage")];
  const [viaMock, viaMsw] = [find(f.inProcess, "mock.fetch"), find(f.inProcess, "MSW handler")];
  const us = (c: ClientFigures) => `${fmt(c.microsPerCall)} µs/call (blocks ${spread(c.blocks)})`;
  const s = f.startup;
  const m = f.memory;
  const b = f.bulk;
  return [
    ["**Server on loopback** (autocannon)", "", "", "", ""],
    [bare.name, server(bare), "itself", "1.00x", ""],
    [hono.name, server(hono), "bare node:http", ratio(hono.rps, bare.rps), ""],
    [honoBody.name, server(honoBody), "plain Hono", ratio(honoBody.rps, hono.rps), ""],
    [inline.name, server(inline), "plain Hono", ratio(inline.rps, hono.rps), ""],
    [mock.name, server(mock), "plain Hono", ratio(mock.rps, hono.rps, 3), verdict(mock.rps / hono.rps >= 0.8, ">= 0.8x")],
    ["", "", "Hono reading the body", ratio(mock.rps, honoBody.rps), ""],
    ["", "", "node:http validating and recording inline", ratio(mock.rps, inline.rps), ""],
    ["", "", "Prism mock", ratio(mock.rps, prism.rps), verdict(mock.rps / prism.rps >= 8, ">= 8x")],
    [prism.name, server(prism), "bare node:http", ratio(prism.rps, bare.rps), ""],
    [proxy.name, server(proxy), "mock Jelou", ratio(proxy.rps, mock.rps), ""],
    ["**Client per send on loopback** (one at a time, A B C C B A; ratios are medians of per-round ratios)", "", "", "", ""],
    [plain.name, us(plain), "itself", "1.00x", ""],
    [bareClient.name, us(bareClient), "plain fetch", ratio(pairedRatio(bareClient, plain), 1), ""],
    [send.name, us(send), "bare openapi-fetch", ratio(pairedRatio(send, bareClient), 1, 3), verdict(pairedRatio(send, bareClient) <= 1.05, "<= 1.05x")],
    ["", "", "bare openapi-fetch, ratio of the medians", ratio(send.microsPerCall, bareClient.microsPerCall, 3), ""],
    ["**In-process send** (`sendFlowMessage` with `fetch: mock.fetch`, call to inbox record; A B B A)", "", "", "", ""],
    ["through the mock's `fetch`", us(viaMock), "MSW handler answering `{}`", ratio(pairedRatio(viaMock, viaMsw), 1, 3), verdict(pairedRatio(viaMsw, viaMock) >= 3, "MSW >= 3x slower")],
    ["through an MSW handler (parses the body, answers `{}`)", us(viaMsw), "the mock's `fetch`", ratio(pairedRatio(viaMsw, viaMock), 1), ""],
    ["**Start to first answer**", "", "", "", ""],
    ["bare node:http process (compiled)", `${fmt(s.bareMs)} ms`, "itself", "1.00x", ""],
    ["`jelou-flow mock` (compiled, as published), until /__mock/health answers", `${fmt(s.mockCliMs)} ms`, "bare node:http process", ratio(s.mockCliMs, s.bareMs), verdict(s.mockCliMs <= 300, "<= 300 ms")],
    ["`npm run mock` (source through tsx)", `${fmt(s.mockCliTsxMs)} ms`, "compiled `jelou-flow mock`", ratio(s.mockCliTsxMs, s.mockCliMs), ""],
    ["Prism mock (-v error)", `${fmt(s.prismMockMs)} ms`, "compiled `jelou-flow mock`", ratio(s.prismMockMs, s.mockCliMs), ""],
    ["`createMockJelou()` in-process, import to first `app.fetch` answer", `${fmt(s.inProcessColdMs, 1)} ms`, "compiled `jelou-flow mock`", ratio(s.inProcessColdMs, s.mockCliMs), ""],
    ["`createMockJelou()` in-process, call to first answer (module loaded)", `${fmt(s.inProcessCreateMs, 1)} ms`, "", "", ""],
    ["**Memory** (RSS from /proc, no forced GC)", "", "", "", ""],
    ["bare node:http process, idle", `${fmt(m.bareMb, 1)} MB`, "itself", "1.00x", ""],
    ["`jelou-flow mock`, idle", `${fmt(m.idleMb, 1)} MB`, "bare node:http process", ratio(m.idleMb, m.bareMb), ""],
    [`\`jelou-flow mock\` holding ${fmt(m.messages)} messages`, `${fmt(m.fullMb, 1)} MB`, "the mock idle", ratio(m.fullMb, m.idleMb), verdict(m.fullMb < 150, "< 150 MB")],
    [`**Bulk sender** (${fmt(b.rows)} rows, concurrency ${b.concurrency}, no rate limit, journal on)`, "", "", "", ""],
    ["client in a plain loop (same rows, same concurrency)", `${fmt(b.loop.perSecond)} sends/s, ${fmt(b.loop.cpuMicrosPerSend)} µs CPU/send`, "itself", "1.00x", ""],
    ["bulk sender: achieved rate", `${fmt(b.bulk.perSecond)} sends/s`, "plain loop", ratio(b.bulk.perSecond, b.loop.perSecond), ""],
    ["bulk sender: CPU per send", `${fmt(b.bulk.cpuMicrosPerSend)} µs`, "plain loop", ratio(b.bulk.cpuMicrosPerSend, b.loop.cpuMicrosPerSend), ""],
  ];
}

function markdownTable(rows: Row[]): string {
  const head = "| Measure | Median | Reference (same run) | Ratio | Target |\n|---|---|---|---|---|";
  return [head, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

/** The machine, the Node version, the date and the load, for the head of the results. */
export function describeRun(f: BenchFigures): string {
  const cpu = cpus();
  const avg = (l: number[]) => l.map((n) => n.toFixed(2)).join(", ");
  const flaws = f.servers.filter((s) => s.non2xx > 0 || s.errors > 0).map((s) => `${s.name}: ${s.non2xx} non-2xx, ${s.errors} errors`);
  return [
    `- Date: ${new Date().toISOString()}; Node ${process.version}; ${process.platform} ${process.arch}`,
    `- Machine: ${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores, ${fmt(totalmem() / 1024 ** 3, 1)} GB memory`,
    `- Load average (1, 5, 15 min): ${avg(f.loadBefore)} before, ${avg(f.loadAfter)} after (the bench itself keeps both cores busy); the bench took ${fmt(f.seconds)} s`,
    `- Servers: ${f.load.connections} connections, ${f.load.durationSeconds} s per run, ${f.load.rounds} rounds (order reversed every other round) after ${f.load.warmupSeconds} s of warm-up each; medians of the rounds`,
    `- Start-up: medians of ${f.startupRuns} starts each; memory and bulk: medians of fresh processes`,
    ...(flaws.length > 0 ? [`- **Flaws in this run**: ${flaws.join("; ")}`] : []),
  ].join("\n");
}

const BEGIN = "<!-- bench:begin (written by npm run bench) -->";
const END = "<!-- bench:end -->";

/**
 * The run's description and table as markdown.
 *
 * @param f the figures
 */
export function renderResults(f: BenchFigures): string {
  return `${describeRun(f)}\n\n${markdownTable(tableRows(f))}`;
}

/**
 * Replaces the generated part of `path` (between the markers), keeping the notes around it; creates the file if needed.
 *
 * @param path bench/RESULTS.md
 * @param markdown what renderResults gave
 */
export function writeResults(path: string, markdown: string): void {
  const block = `${BEGIN}\n${markdown}\n${END}`;
  const old = existsSync(path) ? readFileSync(path, "utf8") : "";
  const from = old.indexOf(BEGIN);
  const to = old.indexOf(END);
  const text =
    from >= 0 && to > from
      ? `${old.slice(0, from)}${block}${old.slice(to + END.length)}`
      : `# Benchmark results\n\nWritten by \`npm run bench\`; the notes below the table are kept between runs.\n\n${block}\n${old}`;
  writeFileSync(path, text);
}


/**
 * `jelou-flow verify`: is openapi.yaml still true of the Jelou the environment points at? Two probes that cannot message
 * anyone (wrong credentials, a bot that cannot exist), and, with `--send-to`, `--bot` and a confirmation, one real Flow
 * message to the operator's own number; every answer checked against the contract, each sent once, never retried.
 */
import { constants } from "node:fs";
import { access, readFile, stat, writeFile } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import { normalizeUserId, validateFlowMessage, type FlowMessageBody, type FlowMessageInput } from "../contract/index.js";
import { scrubDeep, scrubSecrets } from "../client/redact.js";
import { baseUrlFromEnv, secretsFromEnv } from "../cli/client-from-env.js";
import { maskUserId } from "../contract/validate-flow-message.js";
import { probeMessage, probesFor, runProbe, type ProbeResult, type ProbeTarget } from "./probes.js";
import { markdownReport, textReport, type VerifyReport } from "./report.js";

/** The exit codes of verify: 0, 2, 3, 10 and 11 mean what they mean for every command; 17 is its own. */
export const VERIFY_EXIT = {
  ok: 0,
  usage: 2,
  validation: 3,
  network: 10,
  timeout: 11,
  /** Some answer differs from openapi.yaml: the report says where and what to change. */
  drift: 17,
} as const;

/** The options of `jelou-flow verify`, as commander parses them. */
export interface VerifyOptions {
  /** The operator's own number: the one real message goes there, and nowhere else. */
  sendTo?: string;
  /** The bot that sends the real message (and that the wrong-credentials probe names). */
  bot?: string;
  /** The Flow the real message opens; default the template's `parameters.flow_name`. */
  flow?: string;
  /** A flow message JSON file (title, text, caption, parameters) for the real message. */
  template?: string;
  /** Send the real message without asking. */
  yes?: boolean;
  /** Print the report as one JSON object on stdout. */
  json?: boolean;
  /** Also write the report as Markdown to this file. */
  report?: string;
  /** Per-request timeout in milliseconds (default 30000). */
  timeout?: number;
}

/** What verify touches outside itself. */
export interface VerifyIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Readonly<Record<string, string | undefined>>;
  /** True when a person can answer the confirmation (stdin and stderr are terminals). */
  isTTY: boolean;
  /** Asks a question on the terminal and resolves with the line typed. */
  prompt(question: string): Promise<string>;
}

/**
 * The confirmation of the real process: whether a person is at the terminal, and the question asked there (on stderr, so
 * that `--json` on stdout stays one object).
 *
 * @returns `isTTY` and `prompt` for {@link VerifyIo}
 * @example
 * ```ts
 * await runVerify(options, { stdout: process.stdout, stderr: process.stderr, env: process.env, ...terminalPrompt() });
 * ```
 */
export function terminalPrompt(): Pick<VerifyIo, "isTTY" | "prompt"> {
  return {
    isTTY: Boolean(process.stdin.isTTY && process.stderr.isTTY),
    prompt: async (question) => {
      const terminal = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await terminal.question(question);
      } finally {
        terminal.close();
      }
    },
  };
}

class VerifyUsage extends Error {
  constructor(
    message: string,
    readonly code: number = VERIFY_EXIT.usage,
  ) {
    super(message);
  }
}

async function realMessage(options: VerifyOptions): Promise<FlowMessageBody> {
  let base: Record<string, unknown> = {};
  if (options.template !== undefined) {
    let text: string;
    try {
      text = await readFile(options.template, "utf8");
      base = JSON.parse(text) as Record<string, unknown>;
    } catch (error) {
      throw new VerifyUsage(`--template ${options.template} cannot be read as JSON: ${(error as Error).message}`);
    }
  } else if (options.flow === undefined) {
    throw new VerifyUsage("--send-to needs the Flow to open: --flow NAME, or --template FILE (a flow message JSON).");
  }
  const { botId: _bot, userId: _user, ...body } = base;
  const message = { ...probeMessage(options.flow), ...body } as FlowMessageBody;
  if (options.flow !== undefined) message.parameters = { ...message.parameters, flow_name: options.flow };
  const checked = validateFlowMessage({ ...message, botId: options.bot!, userId: options.sendTo! } as FlowMessageInput);
  if (!checked.ok) {
    const problems = checked.problems.map((p) => `  - ${p.path || "(message)"}: ${p.message}`).join("\n");
    throw new VerifyUsage(`The message to send breaks the contract; nothing was sent:\n${problems}`, VERIFY_EXIT.validation);
  }
  return checked.request.body;
}

/** Yes only with --yes, or the number typed again on a terminal: a script without --yes sends nothing. */
async function confirmed(options: VerifyOptions, userId: string, io: VerifyIo): Promise<void> {
  if (options.yes) return;
  if (!io.isTTY) {
    throw new VerifyUsage("--send-to sends a real message: add --yes to confirm (nothing can be typed here). Nothing was sent.");
  }
  let typed: string;
  try {
    typed = await io.prompt(`verify sends one real Flow message to ${userId}. Type that number to confirm: `);
  } catch (error) {
    // Ctrl-D or Ctrl-C at the prompt: nothing typed, nothing confirmed.
    if ((error as Error).name !== "AbortError") throw error;
    throw new VerifyUsage("Not confirmed: the prompt was closed. Nothing was sent.");
  }
  if (normalizeUserId(typed.trim()) !== userId) {
    throw new VerifyUsage("Not confirmed: another number was typed. Nothing was sent.");
  }
}

/** What became of the one real message, said from its answer: verify never sends it a second time. */
function realSendOutcome(probes: readonly ProbeResult[], to: string): string {
  const result = probes.find((probe) => probe.name === "send");
  const status = result?.status;
  if (status !== undefined && status >= 200 && status < 300) return `The real message went to ${to}, once.`;
  if (status !== undefined && status >= 400 && status < 500) {
    return `Jelou refused the real message (${status}): nothing was sent to ${to}.`;
  }
  const why = status === undefined ? `no answer: ${result?.error?.kind ?? "unknown"}` : `Jelou answered ${status}`;
  return `The real message may have reached ${to} (${why}); it was sent at most once, and verify never sends it again.`;
}

/** `--report FILE` checked before anything is sent: a file that can be written, not the template nor openapi.yaml. */
async function checkReportPath(options: VerifyOptions): Promise<void> {
  if (options.report === undefined) return;
  const path = resolve(options.report);
  const refuse = (why: string) => new VerifyUsage(`--report ${options.report} ${why}. Nothing was sent.`);
  if (basename(path) === "openapi.yaml") throw refuse("is the contract itself");
  if (options.template !== undefined && resolve(options.template) === path) throw refuse("is the --template file");
  const existing = await stat(path).catch(() => undefined);
  if (existing !== undefined && !existing.isFile()) throw refuse("is not a regular file");
  try {
    await access(existing === undefined ? dirname(path) : path, constants.W_OK);
  } catch {
    throw refuse(existing === undefined ? "is in a folder that does not exist or cannot be written" : "cannot be written");
  }
}

function targetFromEnv(env: VerifyIo["env"], timeoutMs: number): ProbeTarget {
  const clientId = env.JELOU_CLIENT_ID?.trim();
  const clientSecret = env.JELOU_CLIENT_SECRET?.trim();
  if (!clientId || !clientSecret) {
    const missing = [!clientId && "JELOU_CLIENT_ID", !clientSecret && "JELOU_CLIENT_SECRET"].filter(Boolean).join(" and ");
    throw new VerifyUsage(`${missing} must be set: verify sends with your Jelou API credentials.`);
  }
  let baseUrl: string | undefined;
  try {
    baseUrl = baseUrlFromEnv(env);
  } catch (error) {
    throw new VerifyUsage((error as Error).message);
  }
  return { clientId, clientSecret, timeoutMs, ...(baseUrl !== undefined && { baseUrl }) };
}

/** Drift first (the finding), then a probe without an answer, then 0. */
function exitCode(report: Pick<VerifyReport, "probes">): number {
  if (report.probes.some((p) => !p.conforms && p.error === undefined)) return VERIFY_EXIT.drift;
  const failure = report.probes.find((p) => p.error !== undefined)?.error;
  if (failure === undefined) return VERIFY_EXIT.ok;
  return failure.kind === "timeout" ? VERIFY_EXIT.timeout : VERIFY_EXIT.network;
}

/**
 * Runs `jelou-flow verify` and resolves with its exit code (see {@link VERIFY_EXIT}). Nothing is sent before the options,
 * the credentials and the confirmation are in order; no probe is retried; the secret is scrubbed from everything printed
 * or written, in any encoding the client's scrubbing knows.
 *
 * @param options the parsed flags
 * @param io the streams, environment, whether a person is there, and how to ask them
 * @returns 0 when every answer conforms, 17 when one differs, 2 or 3 before anything is sent, 10 or 11 without an answer
 * @example
 * ```ts
 * const code = await runVerify({ report: "verify.md" }, { stdout: process.stdout, stderr: process.stderr,
 *   env: process.env, isTTY: false, prompt: async () => "" });
 * ```
 */
export async function runVerify(options: VerifyOptions, io: VerifyIo): Promise<number> {
  const secrets = secretsFromEnv(io.env);
  try {
    const target = targetFromEnv(io.env, options.timeout ?? 30_000);
    await checkReportPath(options);
    let send: { userId: string; message: FlowMessageBody } | undefined;
    if (options.sendTo !== undefined) {
      if (options.bot === undefined) throw new VerifyUsage("--send-to needs --bot BOT: the bot that sends the real message.");
      const userId = normalizeUserId(options.sendTo);
      send = { userId, message: await realMessage({ ...options, sendTo: userId }) };
      await confirmed(options, userId, io);
    }
    const startedAt = new Date().toISOString();
    const probes = [];
    for (const probe of probesFor({ ...options, ...(send && { send }) })) probes.push(await runProbe(probe, target));
    const skipped = send === undefined ? [
      "One real Flow message: give --send-to NUMBER and --bot BOT (and --yes in a script).",
    ] : [];
    const partial = { baseUrl: target.baseUrl ?? "https://api.jelou.ai", startedAt, probes, skipped };
    const code = exitCode(partial);
    const report = scrubDeep({ ...partial, conforms: code === VERIFY_EXIT.ok, exitCode: code }, secrets, false);
    // The JSON's values are scrubbed already: scrubbing its text again would scrub its keys too.
    io.stdout.write(options.json ? `${JSON.stringify(report)}\n` : scrubSecrets(textReport(report), secrets));
    if (send !== undefined) io.stderr.write(`${realSendOutcome(probes, maskUserId(send.userId))}\n`);
    if (options.report === undefined) return code;
    try {
      await writeFile(options.report, scrubSecrets(markdownReport(report), secrets));
    } catch (error) {
      io.stderr.write(`Error: the report could not be written to ${options.report}: ${scrubSecrets(String(error), secrets)}\n`);
      return VERIFY_EXIT.usage;
    }
    return code;
  } catch (error) {
    if (!(error instanceof VerifyUsage)) throw error;
    const message = scrubSecrets(error.message, secrets);
    if (options.json) io.stdout.write(`${JSON.stringify({ ok: false, exitCode: error.code, error: message })}\n`);
    else io.stderr.write(`Error: ${message}\n`);
    return error.code;
  }
}

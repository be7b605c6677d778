import { isRecord } from "../client/redact.js";
import type { FieldProblem } from "../contract/field-problems.js";
import { validateFlowMessage, type FlowMessageInput } from "../contract/validate-flow-message.js";
import { clientFromEnv } from "./client-from-env.js";
import { EXIT, exitCodeForKind, type ExitCode } from "./exit-codes.js";
import { readJsonFile, UsageError, type CliIo } from "./io.js";
import { inline } from "./terminal-safe.js";

/** Whether an error's message already warns that the message may have gone out (the library's advice does). */
export const saysMaybeSent = (message: string): boolean => /may have been sent/i.test(message);

/** The flags of `jelou-flow send`, as commander parses them. */
export interface SendFlags {
  bot?: string;
  to?: string;
  title?: string;
  text?: string;
  caption?: string;
  flow?: string;
  cta?: string;
  screen?: string;
  data?: Record<string, unknown>;
  payload?: Record<string, unknown>;
  type?: string;
  file?: string;
  dryRun?: boolean;
  json?: boolean;
  timeout?: number;
}

/** Read by shape, so that any JelouError works. */
interface ErrorLike {
  kind?: string;
  message: string;
  problems?: FieldProblem[];
  maybeSent?: boolean;
  toJSON?: () => unknown;
}

/** The message: the `--file` JSON first, each flag on top of it. */
export async function messageFromFlags(flags: SendFlags): Promise<Record<string, unknown>> {
  const base = flags.file === undefined ? {} : await readJsonFile(flags.file, "--file");
  if (!isRecord(base)) throw new UsageError(`--file ${flags.file} must hold a JSON object: the message.`);
  const message: Record<string, unknown> = { ...base };
  const parameters: Record<string, unknown> = isRecord(base.parameters) ? { ...base.parameters } : {};
  const set = (target: Record<string, unknown>, values: Record<string, unknown>) => {
    for (const [key, value] of Object.entries(values)) if (value !== undefined) target[key] = value;
  };
  set(message, { botId: flags.bot, userId: flags.to, title: flags.title, text: flags.text, caption: flags.caption });
  set(message, { payload: flags.payload });
  set(parameters, { flow_name: flags.flow, flow_cta: flags.cta });
  if (flags.screen !== undefined || flags.data !== undefined) {
    const action: Record<string, unknown> = isRecord(parameters.flow_action_payload) ? { ...parameters.flow_action_payload } : {};
    set(action, { screen: flags.screen, data: flags.data });
    parameters.flow_action_payload = action;
  }
  if (Object.keys(parameters).length > 0 || "parameters" in base) message.parameters = parameters;
  return message;
}

/** Prints an error for people: the message, each field problem, and whether the message may have gone out. */
export function describeError(error: ErrorLike): string {
  // The message and problems may hold a server's text: a newline in it must not start a line (see `inline`).
  const { message } = error;
  const lines = [`Error: ${inline(message)}`];
  for (const p of error.problems ?? []) lines.push(`  - ${inline(p.path || "(message)")}: ${inline(p.message)}`);
  if (error.maybeSent && !saysMaybeSent(message)) lines.push("  The message may have been sent: check before sending it again.");
  return `${lines.join("\n")}\n`;
}

/** `jelou-flow send`: one message, from flags and/or a JSON file. Returns the exit code. */
export async function runSend(flags: SendFlags, io: CliIo): Promise<ExitCode> {
  const message = await messageFromFlags(flags);
  // The same check the client makes, done before credentials are needed, so a message can be fixed without them.
  const checked = validateFlowMessage(message as FlowMessageInput, flags.type === undefined ? {} : { type: flags.type });
  if (!checked.ok) {
    const rules = checked.problems.length === 1 ? "1 rule" : `${checked.problems.length} rules`;
    const problems = checked.problems;
    const error = { kind: "validation", message: `The message breaks ${rules}; nothing was sent.`, problems, maybeSent: false };
    if (flags.json) io.stdout.write(`${JSON.stringify({ ok: false, exitCode: EXIT.validation, error })}\n`);
    else io.stderr.write(describeError(error));
    return EXIT.validation;
  }
  const client = clientFromEnv(io, { ...(flags.timeout !== undefined && { timeoutMs: flags.timeout }), dryRun: !!flags.dryRun });
  const controller = new AbortController();
  // A closed output does not abort a send in flight: that would leave it maybe-sent for nothing.
  const unsubscribe = io.onInterrupt((cause) => cause !== "output-closed" && controller.abort(new Error("Interrupted")));
  const options = { signal: controller.signal, ...(flags.type !== undefined && { type: flags.type }) };
  try {
    if (flags.dryRun) {
      const request = await client.sendFlowMessage(message as FlowMessageInput, { ...options, dryRun: true });
      if (flags.json) io.stdout.write(`${JSON.stringify(request)}\n`);
      else {
        io.stdout.write(`${request.method} ${request.url}\n`);
        for (const [k, v] of Object.entries(request.headers)) io.stdout.write(`${k}: ${v}\n`);
        io.stdout.write(`\n${JSON.stringify(request.body, null, 2)}\n\nThe same request with curl:\n${request.curl}\n`);
        io.stderr.write("Dry run: nothing was sent.\n");
      }
      return EXIT.ok;
    }
    const result = await client.sendFlowMessage(message as FlowMessageInput, options);
    if (flags.json) {
      const { status, attempts, messageId, requestId, body } = result;
      io.stdout.write(`${JSON.stringify({ ok: true, status, attempts, messageId, requestId, body })}\n`);
    } else {
      const id = result.messageId ? `, message id ${result.messageId}` : "";
      const tries = result.attempts === 1 ? "1 attempt" : `${result.attempts} attempts`;
      io.stdout.write(`Sent: HTTP ${result.status}${id} (${tries}).\n`);
    }
    return EXIT.ok;
  } catch (raw) {
    if (!isRecord(raw) || typeof raw.kind !== "string") throw raw;
    const error = raw as unknown as ErrorLike;
    const code = exitCodeForKind(error.kind);
    const json = error.toJSON ? error.toJSON() : { kind: error.kind, message: error.message };
    if (flags.json) io.stdout.write(`${JSON.stringify({ ok: false, exitCode: code, error: json })}\n`);
    else io.stderr.write(describeError(error));
    return code;
  } finally {
    unsubscribe();
  }
}

import { createRequire } from "node:module";
import { Command, CommanderError, Option } from "commander";
import { BULK_EXIT_PRECEDENCE, EXIT, EXIT_CODES_HELP } from "./exit-codes.js";
import { UsageError, type CliIo } from "./io.js";
import { terminalSafe } from "./terminal-safe.js";
import { secretsFromEnv } from "./client-from-env.js";
import { delimiterFlag, integerFlag, jsonObjectFlag, rateFlag } from "./parse-values.js";
import { runSend, type SendFlags } from "./send-command.js";
import { runBulk, type BulkFlags } from "./bulk-command.js";
import { textLimits, type TextField } from "../contract/text-limits.js";
import type { CampaignFlags, WorkerFlags } from "../queue/commands.js";
import type { VerifyOptions } from "../verify/verify.js";

const version = (createRequire(import.meta.url)("jelou-flow/package.json") as { version: string }).version;

const ENVIRONMENT_HELP = `Environment:
  JELOU_CLIENT_ID      your Jelou API client id (required to send)
  JELOU_CLIENT_SECRET  your Jelou API client secret (required to send; never printed)
  JELOU_BASE_URL       where to send, default https://api.jelou.ai (the mock: http://127.0.0.1:4010)`;

const SEND_EXAMPLES = `Examples:
  $ jelou-flow send --bot 8f3c2a7e-bot --to "+593 98 765 4321" --title Hello \\
      --text "Complete this flow to get started" --caption Jelou --flow welcome_flow --cta "Start Flow"
  $ jelou-flow send --file message.json --to 593987654321 --dry-run     # print the request and a curl, send nothing
  $ jelou-flow send --file message.json --screen PICK_TIME --data '{"doctor":"Dr. Vera"}' --json`;

const BULK_EXAMPLES = `Examples:
  $ jelou-flow bulk customers.csv --template survey.json --bot 8f3c2a7e-bot --dry-run   # check every row, send nothing
  $ jelou-flow bulk customers.csv --template survey.json --bot 8f3c2a7e-bot --rate 10/s
  $ jelou-flow bulk customers.csv --template survey.json --bot 8f3c2a7e-bot --resume    # after a crash or Ctrl-C
  $ jelou-flow bulk customers.csv --template survey.json --bot 8f3c2a7e-bot --queue redis://127.0.0.1:6379 --campaign spring

customers.csv has a header line with a userId column (the phone number) and any columns the template uses:
  userId,name,order
  593987654321,Ana,A-1001
survey.json is a flow message whose title, text, caption, payload and flow_action_payload.data may use {{name}}.
The journal (default customers.csv.journal.jsonl) records every send, so nobody gets the message twice.`;

const PROGRAM_EXAMPLES = `Examples:
  $ jelou-flow send --help
  $ jelou-flow bulk customers.csv --template survey.json --bot 8f3c2a7e-bot --rate 10/s
  $ jelou-flow mock --port 4010`;

const BULK_EXIT_CODES = `Exit codes: 0 all sent, 3 invalid rows (nothing sent), 13 some failed, 14 some unknown, \
15 invalid rows skipped
(--skip-invalid; they were not sent), 16 journal not writable (disk full; free space, then --resume), 130 interrupted; \
when several apply, the first of ${BULK_EXIT_PRECEDENCE.join(", ")}; see jelou-flow --help.`;

const MOCK_EXAMPLES = `Examples:
  $ jelou-flow mock --port 4010
  $ jelou-flow mock --help        # every flag of the mock`;

/** `1-60 characters`, with the bounds read from the contract. */
function lengthHelp(field: TextField): string {
  const { min, max } = textLimits()[field];
  return `${min}-${max} characters`;
}

/** What `jelou-flow/mock` offers the command line. */
interface MockModule {
  runMockCli(
    argv: string[],
    io: { stdout: (text: string) => void; stderr: (text: string) => void; env: CliIo["env"]; signal: AbortSignal },
  ): Promise<number>;
}

/**
 * `jelou-flow mock ...`: every argument goes to the mock's own command line, reached through the package's public entry
 * only, so that the client never depends on it.
 */
async function runMock(argv: string[], io: CliIo): Promise<number> {
  const mock = (await import("jelou-flow/mock")) as unknown as MockModule;
  const stop = new AbortController();
  // A person's stop request ends the server; a closed output does not: `jelou-flow mock | head -3` keeps it serving.
  const unsubscribe = io.onInterrupt((cause) => cause !== "output-closed" && stop.abort());
  try {
    const write = (stream: CliIo["stdout"]) => (text: string) => void stream.write(text);
    return await mock.runMockCli(argv, { stdout: write(io.stdout), stderr: write(io.stderr), env: io.env, signal: stop.signal });
  } finally {
    unsubscribe();
  }
}

/** Builds the `jelou-flow` program; `setCode` receives the exit code of the command that ran. */
function buildProgram(io: CliIo, setCode: (code: number) => void): Command {
  const program = new Command("jelou-flow")
    .description("Send WhatsApp Flow messages through Jelou, one or a whole list, and run a local mock Jelou.")
    .version(version, "-V, --version")
    .showHelpAfterError("(run with --help for usage and examples)")
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride()
    .addHelpText("after", `\n${PROGRAM_EXAMPLES}\n\n${ENVIRONMENT_HELP}\n\n${EXIT_CODES_HELP}\n`);

  program
    .command("send")
    .description("Send one flow message. Flags override the fields of --file.")
    .option(
      "--file <message.json>",
      "the message as a JSON file (title, text, caption, parameters, payload; botId and userId optional)",
    )
    .option("--bot <botId>", "the bot that sends")
    .option("--to <phone>", "the recipient's phone number, such as 593987654321 or +593 98 765 4321")
    .option("--title <text>", `header, ${lengthHelp("title")}`)
    .option("--text <text>", `body, ${lengthHelp("text")}`)
    .option("--caption <text>", `footer, ${lengthHelp("caption")}`)
    .option("--flow <slug>", "parameters.flow_name: the Flow to open")
    .option("--cta <text>", `parameters.flow_cta: the button, ${lengthHelp("parameters.flow_cta")}, no emoji`)
    .option("--screen <id>", "parameters.flow_action_payload.screen: the first screen")
    .option("--data <json>", "parameters.flow_action_payload.data: initial screen data, a JSON object", jsonObjectFlag("--data"))
    .option("--payload <json>", "payload returned with the Flow reply, a JSON object", jsonObjectFlag("--payload"))
    .option("--type <type>", "the optional type query parameter")
    .option("--timeout <ms>", "per-attempt timeout in milliseconds (default 30000)", integerFlag("--timeout", 1, 600_000))
    .option("--dry-run", "print the request (credentials redacted) and an equivalent curl; send nothing")
    .option("--json", "print one JSON object on stdout, for scripts")
    .addHelpText("after", `\n${SEND_EXAMPLES}\n\n${ENVIRONMENT_HELP}\n\nExit codes: see jelou-flow --help.\n`)
    .action(async (flags: SendFlags) => setCode(await runSend(flags, io)));

  program
    .command("bulk")
    .description("Send a flow message to every recipient of a CSV file, exactly once each.")
    .argument("<recipients.csv>", "header line with a userId column, plus any columns the template uses")
    .requiredOption("--template <message.json>", "the message, with {{column}} placeholders")
    .option("--bot <botId>", "the bot that sends (or a botId column)")
    .option("--type <type>", "the optional type query parameter")
    .option("--journal <file>", "where every send is recorded (default <recipients.csv>.journal.jsonl)")
    .option("--resume", "continue the run recorded in the journal: skip everyone already sent")
    .option("--resend-unknown", "with --resume, also send again recipients whose earlier send may have reached Jelou")
    .option(
      "--allow-template-change",
      "with --resume, send the rest of the list this template, bot or type, though the journal's run sent another " +
        "(with --queue: enqueue a campaign again with another one)",
    )
    .option("--skip-invalid", "send the valid rows even if some are invalid (they are still listed, and the exit code is 15)")
    .option("--concurrency <n>", "sends in flight at once", integerFlag("--concurrency", 1, 256), 4)
    .option("--rate <n/s>", "sends started per second at most: 10, 10/s, 600/min; 0 for no limit", rateFlag)
    .option(
      "--dry-run",
      "check every row, print the counts and the first message that would be sent (phone number masked); send nothing",
    )
    .option("--json", "one JSON line per result on stdout, then a summary line")
    .addOption(new Option("--progress <mode>", "progress display").choices(["auto", "bar", "lines", "none"]).default("auto"))
    .option(
      "--delimiter <char>",
      "CSV separator, such as ; or '\\t' for tab (default: guessed from the header among , ; and tab)",
      delimiterFlag,
    )
    .option("--user-column <name>", "the column holding the phone number", "userId")
    .option("--timeout <ms>", "per-attempt timeout in milliseconds (default 30000)", integerFlag("--timeout", 1, 600_000))
    .option("--queue <redis-url>", "enqueue the list in this Redis for `jelou-flow worker` to send (needs --campaign)")
    .option("--campaign <name>", "with --queue, the campaign the list's jobs belong to")
    .addHelpText("after", `\n${BULK_EXAMPLES}\n\n${ENVIRONMENT_HELP}\n\n${BULK_EXIT_CODES}\n`)
    .action(async (csv: string, flags: BulkFlags) => setCode(await runBulk(csv, flags, io)));

  program
    .command("worker")
    .description("Send the jobs of every campaign in a queue until stopped (SIGINT/SIGTERM finish the sends in flight).")
    .requiredOption("--queue <redis-url>", "the Redis holding the campaigns")
    .option("--concurrency <n>", "sends in flight at once, per campaign", integerFlag("--concurrency", 1, 256), 4)
    .option("--exit-when-idle", "exit once nothing is queued or being sent")
    .option("--allow-unsafe-redis", "run on a Redis without appendonly yes and appendfsync always (a crash may then resend)")
    .action(async (flags: WorkerFlags) => setCode(await (await import("../queue/commands.js")).runWorker(flags, io)));

  program
    .command("campaign")
    .description("Show a queued campaign's counts, or follow it, or queue again its unknown recipients.")
    .argument("<name>", "the campaign, as given to bulk --campaign")
    .requiredOption("--queue <redis-url>", "the Redis holding the campaign")
    .option("--json", "print the counts as one JSON object on stdout")
    .option("--wait", "follow it until nothing is pending or being sent")
    .option("--resend-unknown", "queue again the recipients whose send may have reached Jelou")
    .action(async (name: string, flags: CampaignFlags) =>
      setCode(await (await import("../queue/commands.js")).runCampaign(name, flags, io)),
    );

  program
    .command("verify")
    .description("Check Jelou's answers against openapi.yaml: two probes that reach nobody, and with --send-to one real message.")
    .option("--send-to <phone>", "your own number: one real Flow message goes there (needs --bot; --yes in a script)")
    .option("--bot <botId>", "the bot that sends the real message")
    .option("--flow <slug>", "the Flow the real message opens (default: --template's parameters.flow_name)")
    .option("--template <message.json>", "the real message, a flow message JSON file")
    .option("--yes", "send the real message without asking")
    .option("--json", "print the report as one JSON object on stdout")
    .option("--report <file.md>", "also write the report as Markdown")
    .option("--timeout <ms>", "per-request timeout in milliseconds (default 30000)", integerFlag("--timeout", 1, 600_000))
    .action(async (flags: VerifyOptions) => {
      const { runVerify, terminalPrompt } = await import("../verify/verify.js");
      // In-process tests answer the confirmation themselves.
      const person = io.prompt ? { isTTY: io.isTTY ?? false, prompt: io.prompt } : terminalPrompt();
      setCode(await runVerify(flags, { stdout: io.stdout, stderr: io.stderr, env: io.env, ...person }));
    });

  program
    .command("mock")
    .description("Run the mock Jelou locally (its flags: jelou-flow mock --help).")
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument("[args...]", "passed to the mock")
    .addHelpText("after", `\n${MOCK_EXAMPLES}\n`)
    .action(async (args: string[]) => setCode(await runMock(args, io)));

  return program;
}

/**
 * Runs the `jelou-flow` command line with `argv` (without the node and script paths) and resolves with the exit code.
 * Nothing here calls `process.exit`, so it runs in-process in tests.
 *
 * @param argv the arguments, such as `["send", "--dry-run", "--file", "m.json"]`
 * @param io the streams, environment and signals to use
 * @returns the exit code (see EXIT_CODES_HELP)
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // One boundary for every line printed: a hostile list cannot drive the terminal, an echoed secret never shows.
  const secrets = secretsFromEnv(io.env);
  io = { ...io, stdout: terminalSafe(io.stdout, secrets), stderr: terminalSafe(io.stderr, secrets) };
  // The mock parses its own flags, --help included: hand it everything after `mock`, untouched.
  if (argv[0] === "mock") return runMock(argv.slice(1), io);
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync([...argv], { from: "user" });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof UsageError) {
      io.stderr.write(`Error: ${error.message}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`Unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.unexpected;
  }
}

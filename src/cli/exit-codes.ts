import { Help } from "commander";

/** One code per outcome a script may want to tell apart, explained in {@link EXIT_CODE_MEANINGS}; never changed once released. */
export const EXIT = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  validation: 3,
  auth: 4,
  forbidden: 5,
  not_found: 6,
  rate_limited: 7,
  server: 8,
  http: 9,
  network: 10,
  timeout: 11,
  aborted: 12,
  bulkFailed: 13,
  bulkUnknown: 14,
  bulkSkippedInvalid: 15,
  journalWrite: 16,
  drift: 17,
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const KINDS = new Set(["validation", "auth", "forbidden", "not_found", "rate_limited", "server", "http", "network", "timeout"]);
KINDS.add("aborted");

/** The exit code for a `JelouError` kind (they share their names); `unexpected` for anything else. */
export const exitCodeForKind = (kind: string | undefined): ExitCode =>
  kind !== undefined && KINDS.has(kind) ? EXIT[kind as keyof typeof EXIT] : EXIT.unexpected;

/**
 * What each exit code means, written once: `--help` prints it (without the backticks) and the README's "Exit codes"
 * table is this list (a test compares them), so the two cannot drift apart.
 */
export const EXIT_CODE_MEANINGS: ReadonlyArray<{ code: ExitCode; meaning: string }> = [
  { code: EXIT.ok, meaning: "done (`bulk`: everyone sent, or already sent before)" },
  { code: EXIT.unexpected, meaning: "unexpected error (a bug, or a file that cannot be read or written)" },
  {
    code: EXIT.usage,
    meaning:
      "usage: wrong flags, missing file, unusable template, missing credentials or an unusable `JELOU_BASE_URL`, an unusable " +
      "`--journal` path, a journal in use by another run, or recording an earlier run (without `--resume`), or another " +
      "template, bot or type (with `--resume`, without `--allow-template-change`)",
  },
  { code: EXIT.validation, meaning: "validation: the message or some rows break the contract; nothing was sent" },
  { code: EXIT.auth, meaning: "auth (401): wrong credentials (`worker`: it stops, leaving its recipient to another worker)" },
  { code: EXIT.forbidden, meaning: "forbidden (403): these credentials may not use this bot" },
  { code: EXIT.not_found, meaning: "not_found (404): no such bot for this company" },
  { code: EXIT.rate_limited, meaning: "rate_limited (429): still limited after the retries" },
  {
    code: EXIT.server,
    meaning:
      "server (5xx): Jelou failed; the message may have been sent, unless the error says Jelou refused it before any " +
      "work (a 503 with `Retry-After`)",
  },
  { code: EXIT.http, meaning: "http: another HTTP error status (400, 413, ...); a redirect (3xx) may have sent the message" },
  {
    code: EXIT.network,
    meaning:
      "network: no connection (nothing was sent), a connection lost after the request went out (the message may have " +
      "been sent: the error says which), or the queue's Redis cannot be reached",
  },
  { code: EXIT.timeout, meaning: "timeout: no answer in time; the message may have been sent" },
  {
    code: EXIT.aborted,
    meaning: "aborted (Ctrl-C, SIGTERM or SIGHUP during `send`); if the request was out, the message may have been sent",
  },
  {
    code: EXIT.bulkFailed,
    meaning:
      "`bulk`, `worker`, `campaign`: some recipients failed, or (`campaign --wait`) only recipients without a job are left; " +
        "`--resume` retries them (a queue: enqueue the same list again)",
  },
  {
    code: EXIT.bulkUnknown,
    meaning:
      "`bulk`, `worker`, `campaign`: some outcomes are unknown; check, then `--resume --resend-unknown` " +
      "(a queue: `campaign --resend-unknown`)",
  },
  {
    code: EXIT.bulkSkippedInvalid,
    meaning:
      "`bulk --skip-invalid`: the invalid rows were not sent (the others were); fix them in the list, " +
      "then `--resume` sends them",
  },
  {
    code: EXIT.journalWrite,
    meaning:
      "`bulk` stopped: its journal could not be written (disk full, I/O error); no send started unrecorded; " +
      "free space, then `--resume`",
  },
  {
    code: EXIT.drift,
    meaning:
      "`verify`: some answer of Jelou differs from openapi.yaml; the report names each difference, its schema path and " +
      "the change to make",
  },
  {
    code: EXIT.interrupted,
    meaning:
      "`bulk` interrupted by Ctrl-C, SIGTERM or SIGHUP, or its output closed (`| head`); the journal is consistent, " +
      "rerun with `--resume`",
  },
];

/**
 * When several `bulk` codes apply, the first of these is the exit code: the one that needs a person first. 16 (journal
 * not writable) is not among them: it ends the run at once, whatever else happened.
 */
export const BULK_EXIT_PRECEDENCE = [EXIT.interrupted, EXIT.bulkUnknown, EXIT.bulkFailed, EXIT.bulkSkippedInvalid] as const;

/** The precedence as the README and `--help` state it. */
const [last, ...before] = [...BULK_EXIT_PRECEDENCE].reverse();
const codes = `${before.reverse().join(", ")} and ${last}`;
export const BULK_EXIT_PRECEDENCE_TEXT = `When several \`bulk\` codes apply, the first of ${codes} is the exit code.`;

const plain = (markdown: string) => markdown.replaceAll("`", "");
const help = Object.assign(new Help(), { helpWidth: 120 });

/** The table printed by `--help`, laid out as commander lays out the options. */
export const EXIT_CODES_HELP = [
  "Exit codes:",
  ...EXIT_CODE_MEANINGS.map(({ code, meaning }) => help.formatItem(String(code), 3, plain(meaning), help)),
  `  ${help.boxWrap(plain(BULK_EXIT_PRECEDENCE_TEXT), 116).replaceAll("\n", "\n  ")}`,
].join("\n");

/**
 * The exit codes of `jelou-flow`, one per outcome a script may want to tell apart. Documented in the README and in
 * `jelou-flow --help`; they never change meaning once released.
 */
export const EXIT = {
  ok: 0,
  /** Something unexpected: a bug, or a file that could not be read or written. */
  unexpected: 1,
  /**
   * Wrong flags or arguments, a missing file, an unusable template, missing credentials or JELOU_BASE_URL, an unusable
   * journal path, a journal another run holds, or that records an earlier run (without --resume) or another template,
   * bot or type (with --resume, without --allow-template-change).
   */
  usage: 2,
  /** The message (or rows of the list) break the contract; nothing was sent. */
  validation: 3,
  /** 401: the credentials are wrong. */
  auth: 4,
  /** 403: these credentials may not use this bot. */
  forbidden: 5,
  /** 404: the bot (or flow) does not exist for this company. */
  not_found: 6,
  /** 429 even after the retries: slow down. */
  rate_limited: 7,
  /** 5xx: Jelou failed; the message may have been sent. */
  server: 8,
  /** Another HTTP status Jelou answered with. */
  http: 9,
  /** No connection to Jelou; nothing was sent. */
  network: 10,
  /** No answer in time; the message may have been sent. */
  timeout: 11,
  /** Aborted (Ctrl-C during `send`). */
  aborted: 12,
  /** `bulk` finished, and some recipients failed (safe to retry with --resume). */
  bulkFailed: 13,
  /** `bulk` finished, and some sends may or may not have reached Jelou (see --resend-unknown). */
  bulkUnknown: 14,
  /**
   * `bulk --skip-invalid` finished, and the invalid rows it skipped were not sent: not 0, which says everyone was sent.
   * Fix the rows, then run again with --resume to send them.
   */
  bulkSkippedInvalid: 15,
  /**
   * `bulk` stopped because its journal could not be written (a full disk, an I/O error): no send started without its
   * "started" line on disk. Free space, then run again with --resume.
   */
  journalWrite: 16,
  /** Stopped by Ctrl-C, SIGTERM or SIGHUP, or a closed output; the journal is consistent, rerun with --resume. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const BY_KIND: Record<string, ExitCode> = {
  validation: EXIT.validation,
  auth: EXIT.auth,
  forbidden: EXIT.forbidden,
  not_found: EXIT.not_found,
  rate_limited: EXIT.rate_limited,
  server: EXIT.server,
  http: EXIT.http,
  network: EXIT.network,
  timeout: EXIT.timeout,
  aborted: EXIT.aborted,
};

/** The exit code for a `JelouError` kind; `unexpected` for anything else. */
export function exitCodeForKind(kind: string | undefined): ExitCode {
  return (kind !== undefined && BY_KIND[kind]) || EXIT.unexpected;
}

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
  { code: EXIT.auth, meaning: "auth (401): wrong credentials" },
  { code: EXIT.forbidden, meaning: "forbidden (403): these credentials may not use this bot" },
  { code: EXIT.not_found, meaning: "not_found (404): no such bot for this company" },
  { code: EXIT.rate_limited, meaning: "rate_limited (429): still limited after the retries" },
  { code: EXIT.server, meaning: "server (5xx): Jelou failed; the message may have been sent" },
  { code: EXIT.http, meaning: "http: another HTTP error status (400, 413, ...)" },
  { code: EXIT.network, meaning: "network: no connection; nothing was sent" },
  { code: EXIT.timeout, meaning: "timeout: no answer in time; the message may have been sent" },
  { code: EXIT.aborted, meaning: "aborted (Ctrl-C during `send`)" },
  { code: EXIT.bulkFailed, meaning: "`bulk`: some recipients failed; `--resume` retries them" },
  { code: EXIT.bulkUnknown, meaning: "`bulk`: some outcomes are unknown; check, then `--resume --resend-unknown`" },
  {
    code: EXIT.bulkSkippedInvalid,
    meaning: "`bulk --skip-invalid`: the invalid rows were not sent (the others were); fix them in the list, then `--resume` sends them",
  },
  {
    code: EXIT.journalWrite,
    meaning: "`bulk` stopped: its journal could not be written (disk full, I/O error); no send started unrecorded; free space, then `--resume`",
  },
  {
    code: EXIT.interrupted,
    meaning: "`bulk` interrupted by Ctrl-C, SIGTERM or SIGHUP, or its output closed (`| head`); the journal is consistent, rerun with `--resume`",
  },
];

/**
 * When several `bulk` codes apply, the first of these is the exit code: the one that needs a person first. 16 (journal
 * not writable) is not among them: it ends the run at once, whatever else happened.
 */
export const BULK_EXIT_PRECEDENCE: readonly ExitCode[] = [EXIT.interrupted, EXIT.bulkUnknown, EXIT.bulkFailed, EXIT.bulkSkippedInvalid];

/**
 * The precedence as the README and `--help` state it.
 */
export const BULK_EXIT_PRECEDENCE_TEXT = `When several \`bulk\` codes apply, the first of ${BULK_EXIT_PRECEDENCE.slice(0, -1).join(", ")} and ${BULK_EXIT_PRECEDENCE.at(-1)} is the exit code.`;

/** `first` then the words of `text`, in lines of at most `width` characters; the lines after the first start with `indent`. */
function wrap(first: string, text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = first;
  for (const word of text.split(" ")) {
    if (line.trim() !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else line = line === first ? line + word : `${line} ${word}`;
  }
  return [...lines, line].join("\n");
}

const plain = (markdown: string) => markdown.replaceAll("`", "");

/**
 * The table printed by `--help`, from {@link EXIT_CODE_MEANINGS} and {@link BULK_EXIT_PRECEDENCE}.
 */
export const EXIT_CODES_HELP = [
  "Exit codes:",
  ...EXIT_CODE_MEANINGS.map(({ code, meaning }) => wrap(`  ${String(code).padEnd(5)}`, plain(meaning), 118, "       ")),
  wrap("  ", plain(BULK_EXIT_PRECEDENCE_TEXT), 118, "  "),
].join("\n");

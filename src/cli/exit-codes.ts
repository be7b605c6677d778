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
   * journal path, a journal another run holds (or that records an earlier run, without --resume).
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

/** The table printed by `--help` and copied into the README. When several bulk codes apply: 130, then 14, 13, 15. */
export const EXIT_CODES_HELP = `Exit codes:
  0    done (bulk: everyone sent, or already sent before)
  1    unexpected error (a bug, or a file that cannot be read or written)
  2    usage: wrong flags, missing file, unusable template, missing credentials or JELOU_BASE_URL,
       unusable --journal path, journal in use by another run (or of an earlier run, without --resume)
  3    validation: the message or some rows break the contract; nothing was sent
  4    auth (401): wrong credentials
  5    forbidden (403): these credentials may not use this bot
  6    not_found (404): no such bot for this company
  7    rate_limited (429): still limited after retries
  8    server (5xx): Jelou failed; the message may have been sent
  9    http: another HTTP error status
  10   network: no connection; nothing was sent
  11   timeout: no answer in time; the message may have been sent
  12   aborted
  13   bulk: some recipients failed (rerun with --resume to retry them)
  14   bulk: some outcomes are unknown (check, then --resume --resend-unknown)
  15   bulk --skip-invalid: the invalid rows were not sent (fix them, then --resume sends them)
  130  bulk interrupted by Ctrl-C, SIGTERM or SIGHUP, or its output closed (| head); the journal is consistent,
       rerun with --resume`;

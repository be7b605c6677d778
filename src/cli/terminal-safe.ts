import { scrubSecrets } from "../client/redact.js";
import type { OutputStream } from "./io.js";

/**
 * The characters a terminal acts on rather than shows: C0 controls but the newline (ESC starts CSI and OSC sequences,
 * CR rewrites a line), DEL, C1 controls (0x9b is a one-byte CSI), and the marks and overrides that reorder text
 * (U+061C, U+200E-200F, U+202A-202E, U+2066-2069), plus the line and paragraph separators.
 */
const CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` with every character a terminal would act on written as a `\uXXXX` escape, so that a list's cell, column or
 * bot id cannot erase, rewrite or reorder the lines around it. The escape is JSON's own, so a JSON line passed through
 * stays valid JSON with the same value.
 *
 * @param text what is about to be printed
 * @returns the text, its controls escaped; newlines kept
 */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * `value` with its line breaks written as `\u000a`, for a value (a cell, a file name, a server's message) printed
 * inside a line: the output boundary keeps newlines, which are the program's own, so a newline in a quoted CSV cell
 * would otherwise start a line of the value's choosing, such as a forged summary. Other controls are left to the boundary.
 *
 * @param value a value from outside the program
 * @returns the value on one line
 */
export function inline(value: string): string {
  return value.replaceAll("\n", "\\u000a");
}

/** A stream whose text is printed with {@link escapeControls}, and whose own terminal sequences go out as they are. */
export interface TerminalSafeStream extends OutputStream {
  /** Writes the program's own control sequences (a progress bar's redraw), never data, unescaped. */
  writeControl(sequence: string): unknown;
}

/**
 * Wraps a stream so that everything written to it is scrubbed of the secrets (and their encoded forms) and has its
 * controls escaped: the one boundary all output of the command line, human and JSON, goes through. A secret is caught
 * within one write; the command line writes whole lines.
 *
 * @param stream stdout or stderr
 * @param secrets texts never to print (see `secretsFromEnv`)
 * @returns the safe stream; `writeControl` bypasses the escaping
 */
export function terminalSafe(stream: OutputStream, secrets: readonly string[] = []): TerminalSafeStream {
  return {
    write: (text) => stream.write(escapeControls(scrubSecrets(text, secrets))),
    writeControl: (sequence) => stream.write(sequence),
    get isTTY() {
      return stream.isTTY;
    },
    get columns() {
      return stream.columns;
    },
    ...(stream.fd !== undefined && { fd: stream.fd }),
  };
}

import { scrubSecrets } from "../client/redact.js";
import type { OutputStream } from "./io.js";

/** What a terminal acts on rather than shows: C0 (but newline), DEL, C1 controls, bidi marks and overrides, separators. */
const CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Writes those characters as JSON's own `\uXXXX` escapes: a JSON line passed through keeps its value. */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** A value printed inside a line, its newlines escaped: the boundary keeps newlines, so a cell could forge a line. */
export function inline(value: string): string {
  return value.replaceAll("\n", "\\u000a");
}

/** A stream whose text is printed escaped, and whose own terminal sequences go out as they are. */
export interface TerminalSafeStream extends OutputStream {
  /** Writes the program's own control sequences (a progress bar's redraw), never data, unescaped. */
  writeControl(sequence: string): unknown;
}

/** The one boundary all output goes through: secrets scrubbed (within one write) and controls escaped. */
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

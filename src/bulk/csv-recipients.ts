import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { parse, type Info } from "csv-parse";
import { withRowNumber } from "./rows.js";
import type { RecipientRow } from "./types.js";

/** Options of {@link readRecipientsCsv}. @inline */
export interface CsvOptions {
  /** The separator; by default guessed from the header line among `,` `;` and tab (spreadsheets in many locales write `;`). */
  delimiter?: string;
}

/** The header of a CSV file. @inline */
interface CsvHeader {
  /** The column names, trimmed. */ columns: string[];
  /** The separator given, or the one guessed. */ delimiter: string;
}

/** Reads the first line of a file (at most 64 KiB), to guess the separator and list the columns without parsing it all. */
async function firstLine(path: string): Promise<string> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(65_536);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, bytesRead).toString("utf8").replace(/^\uFEFF/, "");
    return text.split(/\r?\n/, 1)[0] ?? "";
  } finally {
    await handle.close();
  }
}

/** The separator of a CSV header line: the most frequent of `,` `;` and tab outside quotes, `,` when none. */
export function guessDelimiter(header: string): string {
  const unquoted = header.replace(/"[^"]*"/g, "");
  const counts = [",", ";", "\t"].map((d) => [d, unquoted.split(d).length - 1] as const);
  const best = counts.reduce((a, b) => (b[1] > a[1] ? b : a));
  return best[1] > 0 ? best[0] : ",";
}

/**
 * The column names of a CSV file and its separator, read from its header line only.
 *
 * @param path the CSV file
 * @param options the separator (`delimiter`), when not to be guessed
 * @throws the file system's error when the file cannot be read
 * @example
 * ```ts
 * const { columns } = await readCsvHeader("list.csv"); // ["userId", "name"]
 * ```
 */
export async function readCsvHeader(path: string, options: CsvOptions = {}): Promise<CsvHeader> {
  const line = await firstLine(path);
  const delimiter = options.delimiter ?? guessDelimiter(line);
  const parsed: string[][] = await new Promise((resolve, reject) =>
    parse(line, { delimiter, relax_quotes: true }, (error, records: string[][]) => (error ? reject(error) : resolve(records))),
  );
  return { columns: (parsed[0] ?? []).map((c) => c.trim()), delimiter };
}

/**
 * A CSV file of recipients, streamed: each call of the returned function opens the file again and yields its rows as
 * objects keyed by the header's column names (a `userId` column, plus any the template uses). Memory stays bounded
 * whatever the file's length. Parsing is csv-parse's (RFC 4180 quotes, embedded newlines, a UTF-8 BOM); a row with more
 * or fewer cells than the header is an error naming its line, not a silent shift of columns. Each row carries its number
 * as a spreadsheet shows it (the header is row 1, a blank line is a row), which `sendFlowMessages` reports.
 *
 * @param path the CSV file, with a header line
 * @param options the separator (guessed by default)
 * @returns a function to pass as the recipients of `sendFlowMessages` (it reads the list twice: to check, then to send)
 * @example
 * ```ts
 * for await (const r of sendFlowMessages(client, readRecipientsCsv("list.csv"), { template, botId: "bot-1" })) {}
 * ```
 */
export function readRecipientsCsv(path: string, options: CsvOptions = {}): () => AsyncIterable<RecipientRow> {
  return () => ({
    async *[Symbol.asyncIterator]() {
      const delimiter = options.delimiter ?? guessDelimiter(await firstLine(path));
      const file = createReadStream(path);
      const parser = file.pipe(
        parse({
          columns: (header: string[]) => header.map((c) => c.trim()),
          bom: true,
          delimiter,
          skip_empty_lines: true,
          info: true,
        }),
      );
      file.once("error", (error) => parser.destroy(error));
      try {
        for await (const { record, info } of parser as AsyncIterable<{ record: RecipientRow; info: Info }>) {
          // A spreadsheet shows a blank line as an empty row, and a quoted cell's line break inside its row: so the row is
          // the header, the records and the blank lines so far, not the file's line (info.lines).
          yield withRowNumber(record, 1 + info.records + info.empty_lines + info.comment_lines);
        }
      } finally {
        parser.destroy();
        file.destroy();
      }
    },
  });
}

import type { RecipientRow } from "./types.js";

/**
 * Where a list that knows its own row numbers puts each row's: a CSV file with blank lines does not number its rows by
 * counting them. A registered symbol, so that rows made by another copy of this package carry a number this one reads,
 * and no column name can ever collide with it.
 */
const ROW_NUMBER = Symbol.for("jelou-flow.rowNumber");

/**
 * Gives a row the number people see for it (in a spreadsheet), kept out of its columns: the template and the JSON output
 * never see it.
 *
 * @param row the row, as read from the list; it is changed and returned
 * @param number the row's number
 * @returns the same row
 */
export function withRowNumber<T extends object>(row: T, number: number): T {
  Object.defineProperty(row, ROW_NUMBER, { value: number, enumerable: false });
  return row;
}

/**
 * The number a row was given by {@link withRowNumber}, or `counted` (its position in the list) when it has none.
 *
 * @param row the row
 * @param counted the number counted by the caller
 * @returns the row's number
 */
export function rowNumberOf(row: RecipientRow, counted: number): number {
  const given = (row as Record<symbol, unknown>)[ROW_NUMBER];
  return typeof given === "number" ? given : counted;
}

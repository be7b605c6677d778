/**
 * The last lines a process printed, kept in a bounded buffer so that a server running for a whole test file costs a fixed
 * amount of memory and its recent output can still be attached to a failing test.
 */
export class LineRingBuffer {
  readonly #lines: string[] = [];
  #partial = "";
  #dropped = 0;

  /** @param capacity how many complete lines to keep; older ones are dropped and counted */
  constructor(readonly capacity = 200) {}

  /** Adds a chunk of output; lines may be split across chunks. */
  push(chunk: string | Buffer): void {
    const text = this.#partial + chunk.toString();
    const parts = text.split(/\r?\n/);
    this.#partial = parts.pop() ?? "";
    for (const line of parts) this.#add(line);
  }

  #add(line: string): void {
    this.#lines.push(line);
    if (this.#lines.length > this.capacity) {
      this.#lines.shift();
      this.#dropped += 1;
    }
  }

  /** The kept lines, with the unfinished last line, and a note of how many were dropped. */
  toString(): string {
    const head = this.#dropped > 0 ? [`[${this.#dropped} earlier lines dropped]`] : [];
    const tail = this.#partial === "" ? [] : [this.#partial];
    return [...head, ...this.#lines, ...tail].join("\n");
  }
}

interface Taker<T> {
  resolve: (r: IteratorResult<T>) => void;
  reject: (error: unknown) => void;
}

/**
 * A bounded queue between producers (the send workers) and one consumer (the caller's `for await`): `push` waits while
 * it is full, so results never pile up in memory when the caller is slow.
 */
export class AsyncChannel<T> {
  private items: T[] = [];
  private takers: Taker<T>[] = [];
  private spaceWaiters: Array<() => void> = [];
  private closed = false;
  private failure: { error: unknown } | undefined;

  constructor(private readonly capacity: number) {}

  /** Adds an item; waits for room. After `close`, items are dropped (the consumer has gone). */
  async push(item: T): Promise<void> {
    while (!this.closed && this.items.length >= this.capacity && this.takers.length === 0) {
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
    }
    if (this.closed) return;
    const taker = this.takers.shift();
    if (taker) taker.resolve({ value: item, done: false });
    else this.items.push(item);
  }

  /** The next item, or done once the channel is closed and empty; rejects after `fail`. */
  next(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) {
      const item = this.items.shift() as T;
      this.spaceWaiters.shift()?.();
      return Promise.resolve({ value: item, done: false });
    }
    if (this.failure) return Promise.reject(this.failure.error);
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.takers.push({ resolve, reject }));
  }

  /** No more items: the consumer gets what is queued, then done; waiting producers are released. */
  close(): void {
    this.closed = true;
    for (const t of this.takers.splice(0)) t.resolve({ value: undefined, done: true });
    for (const w of this.spaceWaiters.splice(0)) w();
  }

  /** Ends the channel with an error, delivered to the consumer after what is queued. */
  fail(error: unknown): void {
    this.failure = { error };
    for (const t of this.takers.splice(0)) t.reject(error);
    this.close();
  }
}

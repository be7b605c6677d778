/** What is told when a watched signal fires. */
export interface Interruptible {
  interrupt(cause: "caller", reason: unknown): void;
}

/**
 * The sends waiting on each caller's signal. A bulk sender passes one signal to many sends at once; one listener per
 * signal (instead of one per send) keeps Node from warning about a listener leak past ten, and costs nothing per send
 * but a Set entry.
 */
const watchers = new WeakMap<AbortSignal, Set<Interruptible>>();

/**
 * Interrupts `target` when `signal` fires, until {@link unwatchSignal}.
 *
 * @param signal the caller's signal, not yet aborted
 * @param target the send to interrupt
 */
export function watchSignal(signal: AbortSignal, target: Interruptible): void {
  let targets = watchers.get(signal);
  if (targets === undefined) {
    const set = new Set<Interruptible>();
    targets = set;
    watchers.set(signal, set);
    signal.addEventListener(
      "abort",
      () => {
        for (const each of set) each.interrupt("caller", signal.reason);
        set.clear();
      },
      { once: true },
    );
  }
  targets.add(target);
}

/**
 * Stops interrupting `target` when `signal` fires.
 *
 * @param signal as given to {@link watchSignal}
 * @param target as given to {@link watchSignal}
 */
export function unwatchSignal(signal: AbortSignal, target: Interruptible): void {
  watchers.get(signal)?.delete(target);
}

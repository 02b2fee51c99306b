/**
 * The timeouts a Connection or Room sets, kept track of so that `clearAll()` on removal
 * leaves nothing to fire, and so tests can check `pending` is zero after teardown.
 */
export class Timers {
  readonly #live = new Set<number>();

  setTimeout(callback: () => void, ms: number): number {
    const id = window.setTimeout(() => {
      this.#live.delete(id);
      callback();
    }, ms);
    this.#live.add(id);
    return id;
  }

  clearTimeout(id: number | undefined): void {
    if (id === undefined) return;
    window.clearTimeout(id);
    this.#live.delete(id);
  }

  /** Timeouts set and not yet fired or cleared. */
  get pending(): number {
    return this.#live.size;
  }

  clearAll(): void {
    for (const id of this.#live) window.clearTimeout(id);
    this.#live.clear();
  }
}

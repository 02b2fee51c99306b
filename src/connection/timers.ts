/**
 * Where time comes from. Pages and servers use the platform's; unit tests inject a fake one
 * (test/unit/support/fake-clock.ts) and move it by hand, so delays are asserted exactly.
 */
export interface Clock {
  setTimeout(callback: () => void, ms: number): number;
  clearTimeout(id: number): void;
  now(): number;
}

export const systemClock: Clock = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms) as unknown as number,
  clearTimeout: (id) => globalThis.clearTimeout(id),
  now: () => Date.now(),
};

/**
 * The timeouts a Connection, Room or controller sets, kept track of so that `clearAll()` on
 * removal leaves nothing to fire, and so tests can check `pending` is zero after teardown.
 */
export class Timers {
  readonly #live = new Set<number>();

  constructor(readonly clock: Clock = systemClock) {}

  setTimeout(callback: () => void, ms: number): number {
    const id = this.clock.setTimeout(() => {
      this.#live.delete(id);
      callback();
    }, ms);
    this.#live.add(id);
    return id;
  }

  clearTimeout(id: number | undefined): void {
    if (id === undefined) return;
    this.clock.clearTimeout(id);
    this.#live.delete(id);
  }

  /** The clock's time in epoch ms. */
  now(): number {
    return this.clock.now();
  }

  /** Timeouts set and not yet fired or cleared. */
  get pending(): number {
    return this.#live.size;
  }

  clearAll(): void {
    for (const id of this.#live) this.clock.clearTimeout(id);
    this.#live.clear();
  }
}

import type { Timers } from './timers.js';

/**
 * One retry schedule, phoenix's `Timer(callback, timerCalc)`: `schedule()` waits
 * `delayFor(tries + 1)` and then calls back, counting the try; `reset()` after a success
 * cancels and starts the count again. Every retry in the kit goes through one of these, over
 * the owner's `Timers`, so a removed owner leaves nothing to fire and a fake clock drives it.
 */
export class Timer {
  #tries = 0;
  #id: number | undefined;

  constructor(
    private readonly timers: Timers,
    private readonly callback: (tries: number) => void,
    private readonly delayFor: (tries: number) => number,
  ) {}

  /** Tries made since the last reset. */
  get tries(): number {
    return this.#tries;
  }

  /** True while a try is waiting to run. */
  get scheduled(): boolean {
    return this.#id !== undefined;
  }

  /** Plans the next try (replacing one already planned); returns its delay in ms. */
  schedule(): number {
    this.cancel();
    const delay = this.delayFor(this.#tries + 1);
    this.#id = this.timers.setTimeout(() => {
      this.#id = undefined;
      this.#tries++;
      this.callback(this.#tries);
    }, delay);
    return delay;
  }

  /** Drops the planned try, keeping the count. */
  cancel(): void {
    this.timers.clearTimeout(this.#id);
    this.#id = undefined;
  }

  /** Success: no try planned, and the next schedule starts from the first delay. */
  reset(): void {
    this.cancel();
    this.#tries = 0;
  }
}

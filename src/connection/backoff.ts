/**
 * Reconnect delays: exponential from `baseMs` (1 s, 2 s, 4 s …), capped at `capMs` (30 s),
 * with full jitter — a uniform draw below the ceiling — so a server coming back is not hit
 * by every client at the same instant. `reset()` after a success starts again from 1 s.
 */
export interface BackoffOptions {
  baseMs?: number;
  capMs?: number;
  /** A number in [0, 1); `Math.random` unless a test fixes it. */
  random?: () => number;
}

export class Backoff {
  #attempts = 0;
  readonly #baseMs: number;
  readonly #capMs: number;
  readonly #random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.#baseMs = options.baseMs ?? 1000;
    this.#capMs = options.capMs ?? 30_000;
    this.#random = options.random ?? Math.random;
  }

  /** How many delays have been handed out since the last reset. */
  get attempt(): number {
    return this.#attempts;
  }

  /** The ceiling for attempt `n` (1-based): base · 2^(n−1), at most the cap. */
  ceiling(n: number): number {
    return Math.min(this.#capMs, this.#baseMs * 2 ** Math.max(0, Math.min(n - 1, 30)));
  }

  /** The next delay in milliseconds. */
  next(): number {
    return this.delayFor(this.#attempts + 1);
  }

  /** The delay before try number `n` (1-based), when the caller counts tries itself (phoenix does). */
  delayFor(n: number): number {
    this.#attempts = n;
    return Math.floor(this.#random() * this.ceiling(n));
  }

  reset(): void {
    this.#attempts = 0;
  }
}

/** The shape of a reconnect schedule; the defaults are the kit's. */
export interface BackoffOptions {
  /** The first ceiling, ms. Default 1 s. */
  baseMs?: number;
  /** The highest ceiling, ms. Default 30 s. */
  capMs?: number;
  /** A number in [0, 1); `Math.random` unless a test fixes it, so the delays are exact. */
  random?: () => number;
}

/**
 * Reconnect delays as phoenix's `Timer` takes them, `tries => ms` (tries count from 1, and the
 * Timer starts its count again after a success): exponential ceilings from `baseMs` (1 s, 2 s,
 * 4 s …) capped at `capMs` (30 s), with full jitter — a uniform draw below the ceiling — so a
 * server coming back is not hit by every client at the same instant.
 */
export function fullJitter({ baseMs = 1000, capMs = 30_000, random = Math.random }: BackoffOptions = {}): (tries: number) => number {
  return (tries) => Math.floor(random() * Math.min(capMs, baseMs * 2 ** Math.max(0, Math.min(tries - 1, 30))));
}

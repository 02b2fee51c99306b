import type { Clock } from '../../../src/connection/timers.js';

/**
 * A clock that moves only when told: `tick(ms)` runs every timeout due by then, in order of
 * due time (then of setting), including ones set by the callbacks it runs. Phoenix's socket
 * tests drive their Socket the same way with fake timers.
 */
export class FakeClock implements Clock {
  #now: number;
  #nextId = 1;
  readonly #due = new Map<number, { at: number; callback: () => void }>();

  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): number {
    const id = this.#nextId++;
    this.#due.set(id, { at: this.#now + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(id: number): void {
    this.#due.delete(id);
  }

  /** Timeouts waiting. */
  get pending(): number {
    return this.#due.size;
  }

  /** Delays (from now) of the waiting timeouts, soonest first. */
  get delays(): number[] {
    return [...this.#due.values()].map(({ at }) => at - this.#now).sort((a, b) => a - b);
  }

  /** Moves time forward by `ms`, running what falls due. */
  tick(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      const next = this.#soonest();
      if (!next || next[1].at > end) break;
      this.#due.delete(next[0]);
      this.#now = next[1].at;
      next[1].callback();
    }
    this.#now = end;
  }

  /** Runs timeouts until none is left (at most `limit`, so a loop that reschedules itself ends). */
  runAll(limit = 1000): void {
    for (let i = 0; i < limit; i++) {
      const next = this.#soonest();
      if (!next) return;
      this.tick(next[1].at - this.#now);
    }
    throw new Error(`FakeClock.runAll: still ${this.pending} timeouts after ${limit} runs`);
  }

  #soonest(): [number, { at: number; callback: () => void }] | undefined {
    let best: [number, { at: number; callback: () => void }] | undefined;
    for (const entry of this.#due) if (!best || entry[1].at < best[1].at) best = entry;
    return best;
  }
}

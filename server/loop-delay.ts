import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** How late the server's event loop ran, in milliseconds. */
export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

/** The last whole second, and the two minutes before it (the median second's p50, the worst max). */
export interface LoopDelayFigures {
  lastSecond: LoopDelay;
  recent: { seconds: number; p50: number; max: number };
}

/** Seconds kept: a load run's window (warm-up and a minute measured) fits. */
const KEEP = 120;

/**
 * The event loop's delay, second by second. A server that is late while its CPU is under one
 * core is waiting for a core (the machine is saturated), not doing its own work, and a request
 * that needs several turns of a late loop takes several delays: the load bench prints it.
 */
export class LoopDelayMeter {
  readonly #histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  readonly #timer: NodeJS.Timeout;
  readonly #seconds: LoopDelay[] = [];

  constructor() {
    this.#histogram.enable();
    this.#timer = setInterval(() => this.#roll(), 1000);
    this.#timer.unref();
  }

  get figures(): LoopDelayFigures {
    const seconds = this.#seconds;
    const p50s = seconds.map((s) => s.p50).sort((a, b) => a - b);
    return {
      lastSecond: seconds.at(-1) ?? { p50: 0, p99: 0, max: 0 },
      recent: { seconds: seconds.length, p50: p50s[Math.floor(p50s.length / 2)] ?? 0, max: Math.max(0, ...seconds.map((s) => s.max)) },
    };
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#histogram.disable();
  }

  // A loop that is seconds late rolls late too: each entry covers whatever time it spanned.
  #roll(): void {
    const h = this.#histogram;
    const ms = (ns: number): number => Math.round(ns / 1e5) / 10;
    // The histogram samples on the loop's turns: a turn that took the whole interval still shows as its max.
    if (h.count) this.#seconds.push({ p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) });
    if (this.#seconds.length > KEEP) this.#seconds.shift();
    h.reset();
  }
}

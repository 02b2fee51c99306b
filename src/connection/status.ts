/**
 * Connection states and quality grades as frozen lookup tables (shared/DESIGN.md §3), and the
 * pure functions that derive them, so every element words and colours them the same way.
 */

export const STATUS = Object.freeze({
  connecting: 'connecting',
  connected: 'connected',
  reconnecting: 'reconnecting',
  offline: 'offline',
} as const);
export type ConnectionStatus = (typeof STATUS)[keyof typeof STATUS];

export const QUALITY = Object.freeze({
  excellent: 'excellent',
  good: 'good',
  fair: 'fair',
  poor: 'poor',
} as const);
export type Quality = (typeof QUALITY)[keyof typeof QUALITY];

/** Upper bounds (exclusive, ms) of each grade; anything slower is `poor`. */
export const QUALITY_BOUNDS_MS = Object.freeze({ excellent: 100, good: 300, fair: 1000 } as const);

export function qualityOf(latencyMs: number): Quality {
  if (!Number.isFinite(latencyMs) || latencyMs < 0) return QUALITY.poor;
  if (latencyMs < QUALITY_BOUNDS_MS.excellent) return QUALITY.excellent;
  if (latencyMs < QUALITY_BOUNDS_MS.good) return QUALITY.good;
  if (latencyMs < QUALITY_BOUNDS_MS.fair) return QUALITY.fair;
  return QUALITY.poor;
}

/**
 * Heartbeat round trips smoothed as an exponentially weighted moving average, so one slow
 * beat nudges the figure rather than flipping the grade. The first sample is taken as is.
 */
export class LatencyAverage {
  #current: number | undefined;

  constructor(private readonly weight = 0.3) {}

  get value(): number | undefined {
    return this.#current;
  }

  add(sampleMs: number): number | undefined {
    if (!Number.isFinite(sampleMs) || sampleMs < 0) return this.#current;
    this.#current = this.#current === undefined ? sampleMs : this.#current + this.weight * (sampleMs - this.#current);
    return this.#current;
  }

  reset(): void {
    this.#current = undefined;
  }
}

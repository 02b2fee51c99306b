/**
 * Counters behind `GET /flock/stats`: totals since start and rates over the last whole second.
 */

/** Counts events and reports how many happened in the last whole second. */
export class Meter {
  total = 0;
  private second = 0;
  private current = 0;
  private previous = 0;

  add(n = 1, now = Date.now()): void {
    this.roll(now);
    this.total += n;
    this.current += n;
  }

  perSecond(now = Date.now()): number {
    this.roll(now);
    return this.previous;
  }

  private roll(now: number): void {
    const second = Math.floor(now / 1000);
    if (second === this.second) return;
    this.previous = second === this.second + 1 ? this.current : 0;
    this.current = 0;
    this.second = second;
  }
}

/** Why an inbound message was refused, as counted in the stats. */
export type DropReason = 'malformed' | 'rate_limited' | 'too_large' | 'unauthorized' | 'unmatched_topic' | 'invalid';

export class RealtimeStats {
  readonly messagesIn = new Meter();
  readonly messagesOut = new Meter();
  readonly dropped: Record<DropReason, number> = {
    malformed: 0,
    rate_limited: 0,
    too_large: 0,
    unauthorized: 0,
    unmatched_topic: 0,
    invalid: 0,
  };
  connectionsTotal = 0;
  /** WebSocket upgrades refused (429) because `maxConcurrentUsers` sockets were already counted. */
  connectionsRefused = 0;
  /** Sockets closed because they held more than `maxBufferedBytes` unread. */
  slowConsumersClosed = 0;
  /** Sockets closed by the idle timer: nothing heard, or heard from but not reading (see `RealtimeConnection.touch`). */
  idleClosed = 0;

  drop(reason: DropReason, count = 1): void {
    this.dropped[reason] += count;
  }
}

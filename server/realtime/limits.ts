/**
 * Realtime limits, defaulting to Supabase's published quotas for a project
 * (https://supabase.com/docs/guides/realtime/limits). Supabase counts most of them per
 * project; one local server is one project but typically many test clients and tabs, so
 * they are counted per connection here, which keeps one misbehaving client from starving
 * the others. The concurrent-user cap is the exception: it only means something for the
 * whole server, so it is counted there, as Supabase counts it per project. Every one is a
 * `serve` flag.
 */
export interface RealtimeLimits {
  /** Messages a connection may send per second on average, in bursts of up to two seconds' worth (broadcast, presence, everything but heartbeats). */
  maxEventsPerSecond: number;
  /** Channel joins per second per connection. */
  maxJoinsPerSecond: number;
  /** Largest broadcast or presence payload, in bytes. */
  maxPayloadBytes: number;
  /** Channels one connection may have joined at once. */
  maxChannelsPerClient: number;
  /** Top-level keys a tracked presence payload may have ("presence keys per object"). */
  maxPresenceKeysPerObject: number;
  /** Presence messages (track/untrack) per second per connection. */
  maxPresenceEventsPerSecond: number;
  /** Presence calls one channel may make per `presenceWindowMs` (Realtime's client presence limit). */
  maxPresenceCallsPerWindow: number;
  presenceWindowMs: number;
  /** Largest WebSocket frame accepted; bigger frames close the socket with 1009. */
  maxFrameBytes: number;
  /**
   * A socket that sends nothing (not even a heartbeat) for this long is closed, and so is one
   * that sends but does not read: only heartbeat replies written out, or frames sent while
   * nothing waits unread for it, restart the timer.
   */
  idleTimeoutMs: number;
  /**
   * Sockets that may hold a channel at once, for the whole server (Realtime's per-project
   * `max_concurrent_users`). A socket counts from its first successful join until it closes.
   */
  maxConcurrentUsers: number;
  /** A socket with no channel joined for this long is closed (Realtime's `NO_CHANNEL_TIMEOUT_IN_MS`). */
  noChannelTimeoutMs: number;
  /**
   * Bytes the server may hold unsent for one socket (a client that does not read). Past it the
   * socket is destroyed (no close handshake: it would wait behind the unread bytes) and counted,
   * so one slow reader cannot grow the server's memory by everything its rooms send;
   * realtime-js reconnects and its channels catch up.
   */
  maxBufferedBytes: number;
  /**
   * The share, in percent, of the server-wide budgets one client address may take: of
   * `maxConcurrentUsers`, and of the HTTP broadcast budget (`maxEventsPerSecond` for the whole
   * server). So one caller holding the public key cannot take every user slot or the whole
   * broadcast budget and lock out the others (Supabase counts both per project only; 100 turns
   * the shares off, as the load bench does for its 200 clients on one loopback address).
   */
  addressSharePercent: number;
}

export const DEFAULT_LIMITS: RealtimeLimits = {
  maxEventsPerSecond: 100,
  maxJoinsPerSecond: 100,
  maxPayloadBytes: 256 * 1024,
  maxChannelsPerClient: 100,
  maxPresenceKeysPerObject: 10,
  maxPresenceEventsPerSecond: 20,
  maxPresenceCallsPerWindow: 5,
  presenceWindowMs: 30_000,
  maxFrameBytes: 1024 * 1024,
  idleTimeoutMs: 60_000,
  maxConcurrentUsers: 200,
  noChannelTimeoutMs: 10 * 60_000,
  // 64 broadcasts of the largest size: far beyond what a reading client ever has in flight.
  maxBufferedBytes: 16 * 1024 * 1024,
  addressSharePercent: 50,
};

/** What one address may take of a server-wide `total`: `percent` of it, at least 1. */
export function addressShare(total: number, percent: number): number {
  return Math.max(1, Math.floor((total * Math.min(100, percent)) / 100));
}

/** One key per client address: an IPv4 address seen through a dual-stack socket counts as itself. */
export function addressKey(address: string | undefined): string {
  const a = address ?? '';
  return a.startsWith('::ffff:') ? a.slice('::ffff:'.length) : a;
}

/** Counts events in fixed windows; `take()` is false once the window's budget is spent. */
export class RateWindow {
  private windowStart = 0;
  private count = 0;

  constructor(
    private readonly perWindow: number,
    private readonly windowMs = 1000,
  ) {}

  /** Counts `n` events; false once the window's budget is spent. */
  take(now = Date.now(), n = 1): boolean {
    this.roll(now);
    this.count += n;
    return this.count <= this.perWindow;
  }

  /** What is left of this window's budget. */
  left(now = Date.now()): number {
    this.roll(now);
    return this.perWindow - this.count;
  }

  /** Whether the window holding the last event is over (nothing counted now). */
  expired(now = Date.now()): boolean {
    return now - this.windowStart >= this.windowMs;
  }

  private roll(now: number): void {
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.count = 0;
    }
  }
}

/** A `RateWindow` per client address; windows that are over are dropped, so idle addresses hold nothing. */
export class AddressWindows {
  readonly #windows = new Map<string, RateWindow>();
  #swept = 0;

  constructor(
    private readonly perWindow: number,
    private readonly windowMs = 1000,
  ) {}

  of(address: string, now = Date.now()): RateWindow {
    if (now - this.#swept >= this.windowMs) {
      this.#swept = now;
      for (const [key, window] of this.#windows) if (window.expired(now)) this.#windows.delete(key);
    }
    let window = this.#windows.get(address);
    if (!window) {
      window = new RateWindow(this.perWindow, this.windowMs);
      this.#windows.set(address, window);
    }
    return window;
  }
}

/**
 * A token bucket: `perSecond` on average, with bursts of up to `burstSeconds` worth. Used
 * for the message rate, which Supabase measures as an average (over up to 60 s), so that a
 * client keeping to its rate is never cut off because its messages arrived bunched together
 * (a busy event loop, a reconnect flushing its buffer).
 */
export class TokenBucket {
  private tokens: number;
  private last = Date.now();
  private readonly capacity: number;

  constructor(
    private readonly perSecond: number,
    burstSeconds = 2,
  ) {
    this.capacity = perSecond * burstSeconds;
    this.tokens = this.capacity;
  }

  take(now = Date.now()): boolean {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

import type { SupabaseClient } from '@supabase/supabase-js';
import { INITIAL, next, type Effect, type Facts, type LivenessInput, type LivenessState } from './liveness.js';
import { LatencyAverage } from './status.js';
import { watchSocket } from './socket-watch.js';
import type { Timers } from './timers.js';

export interface LinkOptions {
  client: SupabaseClient;
  /** True for a kit-created client: the link drives its reconnects. */
  owned: boolean;
  timers: Timers;
  /** The reconnect schedule, `tries => ms` (see backoff.ts). */
  delayFor(tries: number): number;
  /** The state or the latency changed. */
  changed(): void;
  /** The socket is open again (or for the first time). */
  connected(): void;
}

/**
 * A Connection's link to the server: the status machine (`liveness.ts`) fed by one realtime-js
 * socket and the page (`online`, `offline`, `visibilitychange`), its steps carried out here —
 * the connect and wake watches over the owner's `Timers`, heartbeats sent, phoenix's reconnect
 * step run. `close()` removes every listener; the timers go with the owner's `clearAll()`.
 */
export class Link {
  readonly #options: LinkOptions;
  readonly #latency = new LatencyAverage();
  readonly #cleanups: (() => void)[] = [];
  #state: LivenessState = INITIAL;
  #connectWatch: number | undefined;
  #wakeWatch: number | undefined;
  #closed = false;

  constructor(options: LinkOptions) {
    this.#options = options;
    this.#cleanups.push(
      watchSocket(options.client.realtime, {
        open: () => this.input({ type: 'open' }),
        close: () => this.input({ type: 'close' }),
        error: () => this.input({ type: 'error' }),
        heartbeat: (beat, latency) => {
          if (beat === 'ok' && latency !== undefined) this.#latency.add(latency);
          this.input({ type: 'heartbeat', beat, latency });
        },
      }),
    );
    this.#listen(window, 'online', () => this.input({ type: 'online' }));
    this.#listen(window, 'offline', () => this.input({ type: 'offline' }));
    this.#listen(document, 'visibilitychange', () => {
      if (document.visibilityState === 'visible') this.input({ type: 'visible' });
    });
  }

  /** Reads the socket as it is now (it may already be open) and begins watching. */
  start(): void {
    this.input({ type: 'start' });
  }

  get state(): LivenessState {
    return this.#state;
  }

  /** Heartbeat round trips, smoothed; `undefined` before the first answer. */
  get latency(): number | undefined {
    return this.#latency.value;
  }

  /** Feeds the status machine and carries out its step; returns the delay it planned, if any. */
  input(input: LivenessInput): number | undefined {
    if (this.#closed) return undefined;
    const step = next(this.#state, input, this.#facts());
    const changed = step.state !== this.#state;
    this.#state = step.state;
    if (step.connectWatch !== undefined) this.#connectWatch = this.#watch(this.#connectWatch, step.connectWatch, 'connectTimeout');
    if (step.wakeWatch !== undefined) this.#wakeWatch = this.#watch(this.#wakeWatch, step.wakeWatch, 'wakeTimeout');
    if (changed) this.#options.changed();
    for (const effect of step.effects ?? []) this.#run(effect);
    return step.delay;
  }

  /** Sends a heartbeat now (unless one is in flight) to refresh the latency figure. */
  probe(): void {
    const realtime = this.#options.client.realtime;
    if (realtime.isConnected() && !realtime.pendingHeartbeatRef) void realtime.sendHeartbeat();
  }

  close(): void {
    this.#closed = true;
    this.#options.timers.clearTimeout(this.#connectWatch);
    this.#options.timers.clearTimeout(this.#wakeWatch);
    for (const cleanup of this.#cleanups.splice(0).reverse()) cleanup();
  }

  #facts(): Facts {
    const realtime = this.#options.client.realtime;
    return {
      now: this.#options.timers.now(),
      online: navigator.onLine !== false,
      visible: document.visibilityState === 'visible',
      socket: realtime.isConnected() ? 'open' : realtime.isConnecting() ? 'opening' : 'closed',
      heartbeatMs: realtime.heartbeatIntervalMs,
      owned: this.#options.owned,
      delayFor: this.#options.delayFor,
    };
  }

  /** Clears the watch `id` and, given a delay, sets it again to feed `type` when it runs out. */
  #watch(id: number | undefined, ms: number | null, type: 'connectTimeout' | 'wakeTimeout'): number | undefined {
    this.#options.timers.clearTimeout(id);
    return ms === null ? undefined : this.#options.timers.setTimeout(() => this.input({ type }), ms);
  }

  #run(effect: Effect): void {
    const realtime = this.#options.client.realtime;
    switch (effect) {
      case 'probe':
        return this.probe();
      case 'probeSoon':
        this.#options.timers.setTimeout(() => this.probe(), 0);
        return;
      case 'reconnect': {
        const timer = realtime.reconnectTimer;
        timer.reset();
        timer.callback();
        return;
      }
      case 'connect':
        return realtime.connect();
      case 'connected':
        return this.#options.connected();
    }
  }

  #listen(target: EventTarget, type: string, listener: () => void): void {
    target.addEventListener(type, listener);
    this.#cleanups.push(() => target.removeEventListener(type, listener));
  }
}

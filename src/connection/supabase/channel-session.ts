import type { RealtimeChannel, RealtimePostgresChangesPayload, SupabaseClient } from '@supabase/supabase-js';
import { fullJitter, type BackoffOptions } from '../backoff.js';
import { Timer } from '../timer.js';
import type { Timers } from '../timers.js';
import type { RowSubscription, RowChange, FlockTable } from '../types.js';

/** What the owner of a session says about its channel: the topic, the presence key, and what to do on a join. */
export interface ChannelSetup {
  topic: string;
  /** Presence key (the user id), or undefined for a channel without presence. */
  presenceKey?: string;
  onJoined(first: boolean): void;
  /** Lets the owner add its own listeners (presence, broadcast) to each channel it builds. */
  decorate?(channel: RealtimeChannel): void;
}

type ChangeListener = (change: RowChange) => void;

/**
 * One Realtime channel and everything joined on it. Supabase sends a channel's
 * postgres_changes bindings once, in the join, and refuses a reply that doesn't match them;
 * so bindings are gathered: the first join waits for the end of the task in which the first
 * need was registered (every element mounting with it has registered by then), and a binding
 * added after the join makes the channel leave and join again, once, however many arrive in
 * that task. realtime-js re-joins by itself after a reconnect; `onJoined(false)` tells the
 * owner so it can re-track presence and ask elements to refetch.
 *
 * A channel the server ends (`phx_close`, e.g. Realtime's shutdown when the join's access token
 * expires) is dropped by realtime-js for good, the socket staying open. The session joins again
 * itself, with backoff, after asking realtime-js for a fresh token (`setAuth()`, which reads the
 * auth session and refreshes an expired one); the re-join's `onJoined(false)` lets elements
 * catch up on what the gap missed.
 */
export class ChannelSession {
  /** How many times a channel was built and joined (the first join, re-joins for late bindings, and after the server ended one). */
  joins = 0;
  #channel: RealtimeChannel | undefined;
  readonly #bindings = new Map<string, { binding: RowSubscription; listeners: Set<ChangeListener> }>();
  #scheduled: number | undefined;
  #joinedOnce = false;
  #closed = false;
  #building: Promise<void> = Promise.resolve();
  /** Re-joins after the server ended the channel: 1 s, 2 s … 30 s with jitter, reset by a join. */
  readonly #rejoin: Timer;
  /** Set by `start`: until the owner knows the presence key, needs are gathered but nothing joins. */
  #setup: ChannelSetup | undefined;

  readonly #client: SupabaseClient;
  readonly #timers: Timers;

  /** `backoff` sets the re-join schedule (tests fix its jitter). */
  constructor(client: SupabaseClient, timers: Timers, backoff: BackoffOptions = {}) {
    this.#client = client;
    this.#timers = timers;
    this.#rejoin = new Timer(timers, () => this.#rejoinNow(), fullJitter(backoff));
  }

  /** The live channel, when joined or joining. */
  get current(): RealtimeChannel | undefined {
    return this.#channel;
  }

  /** Joins at the end of this task (or re-joins, if the channel exists with other bindings). */
  schedule(): void {
    // Before `start`, needs are only gathered: `start` joins with all of them.
    if (this.#closed || !this.#setup || this.#scheduled !== undefined) return;
    this.#scheduled = this.#timers.setTimeout(() => {
      this.#scheduled = undefined;
      this.#building = this.#building.then(() => this.#rebuild());
    }, 0);
  }

  /** Joins with `setup`; called again (a new presence key after sign-in), it joins afresh. */
  start(setup: ChannelSetup): void {
    this.#setup = setup;
    this.#joinedOnce = false;
    this.schedule();
  }

  addBinding(binding: RowSubscription, listener: ChangeListener): () => void {
    const signature = `${binding.event}|${binding.table}|${binding.filter ?? ''}`;
    let entry = this.#bindings.get(signature);
    if (!entry) {
      entry = { binding, listeners: new Set() };
      this.#bindings.set(signature, entry);
      // The live channel doesn't carry it: join again (or for the first time).
      this.schedule();
    }
    entry.listeners.add(listener);
    const listeners = entry.listeners;
    // An emptied binding stays joined until the next re-join drops it: leaving now would cost
    // every other element on the channel a leave and a join.
    return () => void listeners.delete(listener);
  }

  /** Leaves the channel for good. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#timers.clearTimeout(this.#scheduled);
    this.#rejoin.cancel();
    await this.#building;
    const channel = this.#channel;
    this.#channel = undefined;
    if (channel) await this.#client.removeChannel(channel);
  }

  /**
   * The live channel was closed without our leaving it (we clear `#channel` before any leave):
   * the server ended it. Joins afresh once a token has been fetched, after a backoff delay so a
   * server that keeps refusing is not hammered.
   */
  #endedByServer(): void {
    if (this.#closed || this.#rejoin.scheduled) return;
    this.#rejoin.schedule();
  }

  #rejoinNow(): void {
    this.#building = this.#building.then(async () => {
      // The join carries realtime-js's cached token, likely the expired one: fetch a fresh one first.
      await this.#client.realtime.setAuth().catch(() => undefined);
      await this.#rebuild();
    });
  }

  async #rebuild(): Promise<void> {
    if (this.#closed) return;
    this.#rejoin.cancel();
    const previous = this.#channel;
    this.#channel = undefined;
    // realtime-js hands back an existing channel for the same topic: the old one must be gone first.
    if (previous) await this.#client.removeChannel(previous);
    if (this.#closed || !this.#setup) return;
    for (const [signature, entry] of this.#bindings) if (entry.listeners.size === 0) this.#bindings.delete(signature);
    const { topic, presenceKey } = this.#setup;
    const channel = this.#client.channel(topic, {
      config: {
        broadcast: { self: false, ack: false },
        presence: { key: presenceKey ?? '', enabled: presenceKey !== undefined },
        private: false,
      },
    });
    for (const { binding, listeners } of this.#bindings.values()) {
      const filter = { event: binding.event, schema: 'public', table: binding.table, ...(binding.filter ? { filter: binding.filter } : {}) };
      channel.on('postgres_changes', filter as { event: '*'; schema: string }, (payload: RealtimePostgresChangesPayload<Record<string, unknown>>) => {
        const change = toChange(payload);
        for (const listener of [...listeners]) listener(change);
      });
    }
    const setup = this.#setup;
    setup.decorate?.(channel);
    this.#channel = channel;
    this.joins++;
    channel.subscribe((status) => {
      if (this.#channel !== channel) return;
      if (status === 'CLOSED') this.#endedByServer();
      if (status !== 'SUBSCRIBED') return;
      this.#rejoin.reset();
      const first = !this.#joinedOnce;
      this.#joinedOnce = true;
      setup.onJoined(first);
    });
  }
}

function toChange(payload: RealtimePostgresChangesPayload<Record<string, unknown>>): RowChange {
  return {
    eventType: payload.eventType,
    table: payload.table as FlockTable,
    new: (payload.new ?? {}) as Record<string, unknown>,
    old: (payload.old ?? {}) as Record<string, unknown>,
    commitTimestamp: payload.commit_timestamp,
  };
}

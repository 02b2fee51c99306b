import type { RealtimeChannel, RealtimePostgresChangesPayload, SupabaseClient } from '@supabase/supabase-js';
import type { Timers } from './timers.js';
import type { ChangeBinding, ChangeEvent, FlockTable } from './types.js';

/**
 * One Realtime channel and everything joined on it. Supabase sends a channel's
 * postgres_changes bindings once, in the join, and refuses a reply that doesn't match them;
 * so bindings are gathered: the first join waits for the end of the task in which the first
 * need was registered (every element mounting with it has registered by then), and a binding
 * added after the join makes the channel leave and join again, once, however many arrive in
 * that task. realtime-js re-joins by itself after a reconnect; `onJoined(false)` tells the
 * owner so it can re-track presence and ask elements to refetch.
 */

export interface ChannelSetup {
  topic: string;
  /** Presence key (the user id), or undefined for a channel without presence. */
  presenceKey?: string;
  onJoined(first: boolean): void;
  /** Lets the owner add its own listeners (presence, broadcast) to each channel it builds. */
  decorate?(channel: RealtimeChannel): void;
}

type ChangeListener = (change: ChangeEvent) => void;

export class ChannelSession {
  /** How many times a channel was built and joined (the first join plus re-joins for late bindings). */
  joins = 0;
  private channel: RealtimeChannel | undefined;
  private readonly bindings = new Map<string, { binding: ChangeBinding; listeners: Set<ChangeListener> }>();
  private scheduled: number | undefined;
  private joinedOnce = false;
  private closed = false;
  private building: Promise<void> = Promise.resolve();
  /** Set by `start`: until the owner knows the presence key, needs are gathered but nothing joins. */
  private setup: ChannelSetup | undefined;

  constructor(
    private readonly client: SupabaseClient,
    private readonly timers: Timers,
  ) {}

  /** The live channel, when joined or joining. */
  get current(): RealtimeChannel | undefined {
    return this.channel;
  }

  /** Joins at the end of this task (or re-joins, if the channel exists with other bindings). */
  schedule(): void {
    // Before `start`, needs are only gathered: `start` joins with all of them.
    if (this.closed || !this.setup || this.scheduled !== undefined) return;
    this.scheduled = this.timers.setTimeout(() => {
      this.scheduled = undefined;
      this.building = this.building.then(() => this.rebuild());
    }, 0);
  }

  /** Joins with `setup`; called again (a new presence key after sign-in), it joins afresh. */
  start(setup: ChannelSetup): void {
    this.setup = setup;
    this.joinedOnce = false;
    this.schedule();
  }

  addBinding(binding: ChangeBinding, listener: ChangeListener): () => void {
    const signature = `${binding.event}|${binding.table}|${binding.filter ?? ''}`;
    let entry = this.bindings.get(signature);
    if (!entry) {
      entry = { binding, listeners: new Set() };
      this.bindings.set(signature, entry);
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
    this.closed = true;
    this.timers.clearTimeout(this.scheduled);
    await this.building;
    const channel = this.channel;
    this.channel = undefined;
    if (channel) await this.client.removeChannel(channel);
  }

  private async rebuild(): Promise<void> {
    if (this.closed) return;
    const previous = this.channel;
    this.channel = undefined;
    // realtime-js hands back an existing channel for the same topic: the old one must be gone first.
    if (previous) await this.client.removeChannel(previous);
    if (this.closed || !this.setup) return;
    for (const [signature, entry] of this.bindings) if (entry.listeners.size === 0) this.bindings.delete(signature);
    const { topic, presenceKey } = this.setup;
    const channel = this.client.channel(topic, {
      config: {
        broadcast: { self: false, ack: false },
        presence: { key: presenceKey ?? '', enabled: presenceKey !== undefined },
        private: false,
      },
    });
    for (const { binding, listeners } of this.bindings.values()) {
      const filter = { event: binding.event, schema: 'public', table: binding.table, ...(binding.filter ? { filter: binding.filter } : {}) };
      channel.on('postgres_changes', filter as { event: '*'; schema: string }, (payload: RealtimePostgresChangesPayload<Record<string, unknown>>) => {
        const change = toChange(payload);
        for (const listener of [...listeners]) listener(change);
      });
    }
    const setup = this.setup;
    setup.decorate?.(channel);
    this.channel = channel;
    this.joins++;
    channel.subscribe((status) => {
      if (status !== 'SUBSCRIBED' || this.channel !== channel) return;
      const first = !this.joinedOnce;
      this.joinedOnce = true;
      setup.onJoined(first);
    });
  }
}

function toChange(payload: RealtimePostgresChangesPayload<Record<string, unknown>>): ChangeEvent {
  return {
    eventType: payload.eventType,
    table: payload.table as FlockTable,
    new: (payload.new ?? {}) as Record<string, unknown>,
    old: (payload.old ?? {}) as Record<string, unknown>,
    commitTimestamp: payload.commit_timestamp,
  };
}

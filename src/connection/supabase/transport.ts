import type { RealtimeChannel } from '@supabase/supabase-js';
import type { Connection } from '../connection.js';
import { roomTopic, type TransportRoom } from '../room/room.js';
import type { ChannelHandlers, RoomTransport } from '../room/transport.js';
import { Timer } from '../timer.js';
import { Timers } from '../timers.js';
import type { ChangeScope, ReadOptions, RowChange, RowQuery, RowsResult, RowSubscription } from '../types.js';
import type { PresenceMeta } from '../wire.js';
import { ChannelSession } from './channel-session.js';
import { ReadError, readRows } from './rest.js';

/** How many times a read that got no answer is sent again while the socket shows the server up. */
const READ_RETRIES = 3;

/** The wait before read try `tries` + 1: 250 ms, 500 ms, 1 s. */
export const readRetryDelay = (tries: number): number => 250 * 2 ** (tries - 1);

/** The one Room on Supabase, as the registry hands it out. */
export type SupabaseRoom = TransportRoom<SupabaseTransport>;

/**
 * A room on Supabase Realtime: one channel, `flock:<room>`, shared by every element in the
 * room (presence, broadcast and the room's postgres_changes), on the page's one Connection
 * (its socket, status, identity and outbox; notifications on the user's own channel).
 */
export class SupabaseTransport implements RoomTransport {
  readonly timers = new Timers();
  readonly session: ChannelSession;
  #closed = false;

  constructor(
    readonly name: string,
    /** The page's one Connection this room rides on. */
    readonly link: Connection,
  ) {
    this.session = new ChannelSession(link.client, this.timers);
  }

  get presenceKey(): string | undefined {
    return this.session.current?.params.config.presence?.key;
  }

  get joined(): boolean {
    return this.session.current?.state === 'joined';
  }

  join(presenceKey: string, handlers: ChannelHandlers): void {
    this.session.start({
      topic: roomTopic(this.name),
      presenceKey,
      // The first join too: what was read before the channel's changes began to flow (history,
      // unread counts) may have missed rows inserted in between, so elements catch up then.
      onJoined: () => handlers.joined(true),
      decorate: (channel: RealtimeChannel) => {
        let synced = false;
        channel.on('presence', { event: 'sync' }, () => {
          if (channel !== this.session.current) return;
          handlers.presence(Object.entries(channel.presenceState()), !synced);
          synced = true;
        });
        channel.on('presence', { event: 'join' }, ({ key, newPresences }) => handlers.arrived(key, newPresences));
        channel.on('broadcast', { event: '*' }, ({ event, payload }: { event?: unknown; payload?: unknown }) => handlers.broadcast(event, payload));
      },
    });
  }

  async track(meta: PresenceMeta): Promise<void> {
    const channel = this.session.current;
    if (channel?.state === 'joined') await channel.track(meta);
  }

  async send(event: string, payload: Record<string, unknown>): Promise<boolean> {
    const channel = this.session.current;
    if (!channel || channel.state !== 'joined') return false;
    return (await channel.send({ type: 'broadcast', event, payload })) === 'ok';
  }

  bind(binding: RowSubscription, listener: (change: RowChange) => void, scope: ChangeScope): () => void {
    return (scope === 'user' ? this.link.userChannel() : this.session).addBinding(binding, listener);
  }

  /**
   * Reads over REST. A read that got no answer while the socket is connected is sent again: the
   * server is reachable, so the request went out on an HTTP connection that died silently (a
   * keep-alive connection from before a half-open outage, which the browser still thinks open).
   * The timeout aborts it, which closes that connection, so the next try goes out on another.
   * Without this, the refetch an element makes on `resync` could be lost to such a connection.
   */
  async rows(query: RowQuery, options: ReadOptions = {}): Promise<RowsResult> {
    let wake = () => {};
    // A quick failure (a 503) gets a moment before the next try; a timeout has waited already.
    const backoff = new Timer(this.timers, () => wake(), readRetryDelay);
    for (;;) {
      options.signal?.throwIfAborted();
      try {
        return await readRows(this.link.client, query, options.signal);
      } catch (error) {
        const worthRetrying = error instanceof ReadError && error.transient && this.link.state.status === 'connected';
        if (this.#closed || backoff.tries >= READ_RETRIES || !worthRetrying || options.signal?.aborted) throw error;
        await new Promise<void>((resolve) => {
          wake = resolve;
          backoff.schedule();
        });
      }
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.session.close();
  }
}

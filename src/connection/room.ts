import type { RealtimeChannel } from '@supabase/supabase-js';
import { ChannelSession } from './channel-session.js';
import type { Connection } from './connection.js';
import { ReadError, readRows } from './rest.js';
import { Timer } from './timer.js';
import { Timers } from './timers.js';
import type {
  RowSubscription,
  RowChange,
  ChangeScope,
  ConnectionState,
  FlockUser,
  OutgoingBroadcast,
  PresenceState,
  QueuedWrite,
  Room,
  RoomEventName,
  ReadOptions,
  RowQuery,
  RowsResult,
  WriteRequest,
  WriteResult,
} from './types.js';
import { BroadcastInbox, samePresence, validPresence } from './inbound.js';
import { WIRE_V, parsePresenceMeta, type BroadcastEvent, type BroadcastPayload, type PresenceMeta, type PresenceStatus } from './wire.js';

/** How many times a read that got no answer is sent again while the socket shows the server up. */
const READ_RETRIES = 3;

/** The wait before read try `tries` + 1: 250 ms, 500 ms, 1 s. */
export const readRetryDelay = (tries: number): number => 250 * 2 ** (tries - 1);

/** The topic of a room's channel (shared/DESIGN.md §3). */
export function roomTopic(room: string): string {
  return `flock:${room}`;
}

/**
 * A room on Supabase Realtime: one channel, `flock:<room>`, shared by every element in the
 * room (presence, broadcast and the room's postgres_changes), on the page's one Connection.
 * Every broadcast and presence meta from a peer is validated against the v1 wire shapes and
 * must come from someone present; anything else is dropped and counted, never delivered.
 */
export class SupabaseRoom extends EventTarget implements Room {
  readonly session: ChannelSession;
  readonly #timers = new Timers();
  readonly #inbox = new BroadcastInbox();
  #presenceState: PresenceState = new Map();
  /** The channel whose first sync has been announced: each (re)join announces at least once. */
  #syncedChannel: RealtimeChannel | undefined;
  #manualStatus: PresenceStatus = 'active';
  #since = Date.now();
  #trackedAs: string | undefined;
  readonly #cleanups: (() => void)[] = [];
  #closed = false;
  #resyncTimer: number | undefined;
  readonly #userChannel: () => ChannelSession;

  constructor(
    readonly name: string,
    /** The page's one Connection this room rides on (not `connection`: that is the Room API's state snapshot). */
    readonly sharedConnection: Connection,
    userChannel: () => ChannelSession,
  ) {
    super();
    this.#userChannel = userChannel;
    this.session = new ChannelSession(sharedConnection.client, this.#timers);
    const forward = (name: RoomEventName) => () => this.#emit(name);
    this.#listen(sharedConnection, 'status', forward('status'));
    this.#listen(sharedConnection, 'writes', forward('writes'));
    this.#listen(sharedConnection, 'resync', () => this.#resync());
    this.#listen(sharedConnection, 'user', () => {
      this.#emit('user');
      this.#userChanged();
    });
    this.#listen(document, 'visibilitychange', () => this.#statusChanged());
    void sharedConnection.ready().then(() => this.#userChanged(), () => undefined);
  }

  get user(): FlockUser | undefined {
    return this.sharedConnection.user;
  }

  get connection(): ConnectionState {
    return this.sharedConnection.state;
  }

  get presence(): PresenceState {
    return this.#presenceState;
  }

  get writes(): readonly QueuedWrite[] {
    return this.sharedConnection.writes;
  }

  setPresenceStatus(status: PresenceStatus): void {
    this.#manualStatus = status;
    this.#statusChanged();
  }

  onBroadcast<E extends BroadcastEvent>(event: E, listener: (payload: BroadcastPayload<E>) => void): () => void {
    return this.#inbox.add(event, listener);
  }

  async broadcast<E extends BroadcastEvent>(event: E, payload: OutgoingBroadcast<E>): Promise<boolean> {
    const channel = this.session.current;
    const user = this.user;
    // Nothing is queued: a cursor or typing signal from before a disconnection is stale.
    if (!channel || !user || channel.state !== 'joined') return false;
    const result = await channel.send({ type: 'broadcast', event, payload: { ...payload, v: WIRE_V, id: user.id } });
    return result === 'ok';
  }

  onChanges(binding: RowSubscription, listener: (change: RowChange) => void, scope: ChangeScope = 'room'): () => void {
    return (scope === 'user' ? this.#userChannel() : this.session).addBinding(binding, listener);
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
    const backoff = new Timer(this.#timers, () => wake(), readRetryDelay);
    for (;;) {
      options.signal?.throwIfAborted();
      try {
        return await readRows(this.sharedConnection.client, query, options.signal);
      } catch (error) {
        const worthRetrying = error instanceof ReadError && error.transient && this.sharedConnection.state.status === 'connected';
        if (this.#closed || backoff.tries >= READ_RETRIES || !worthRetrying || options.signal?.aborted) throw error;
        await new Promise<void>((resolve) => {
          wake = resolve;
          backoff.schedule();
        });
      }
    }
  }

  write(request: WriteRequest): Promise<WriteResult> {
    return this.sharedConnection.write(request);
  }

  retryWrite(key: string): Promise<WriteResult | undefined> {
    return this.sharedConnection.retryWrite(key);
  }

  discardWrite(key: string): Promise<void> {
    return this.sharedConnection.discardWrite(key);
  }

  retryNow(): void {
    this.sharedConnection.retryNow();
  }

  /** Leaves the channel and drops every listener and timer. Called by the registry. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const cleanup of this.#cleanups.splice(0).reverse()) cleanup();
    this.#inbox.clear();
    this.#timers.clearAll();
    await this.session.close();
    this.#timers.clearAll();
  }

  #channelSetup(presenceKey: string) {
    return {
      topic: roomTopic(this.name),
      presenceKey,
      onJoined: () => {
        this.#trackedAs = undefined;
        void this.#track();
        // The first join too: what was read before the channel's changes began to flow (history,
        // unread counts) may have missed rows inserted in between, so elements catch up then.
        this.#resync();
      },
      decorate: (channel: RealtimeChannel) => this.#decorate(channel),
    };
  }

  /** Identity known (or changed): a new user id needs a new presence key, so the channel joins again. */
  #userChanged(): void {
    const user = this.user;
    if (this.#closed || !user) return;
    if (this.session.current && this.#trackedKey() === user.id) {
      void this.#track();
    } else {
      this.session.start(this.#channelSetup(user.id));
    }
  }

  #trackedKey(): string | undefined {
    return this.session.current?.params.config.presence?.key;
  }

  #statusChanged(): void {
    this.#since = Date.now();
    void this.#track();
  }

  #meta(): PresenceMeta | undefined {
    const user = this.user;
    if (!user) return undefined;
    const hidden = typeof document !== 'undefined' && document.visibilityState === 'hidden';
    return {
      v: WIRE_V,
      id: user.id,
      name: user.name,
      color: user.color,
      ...(user.avatar ? { avatar: user.avatar } : {}),
      status: hidden || this.#manualStatus === 'away' ? 'away' : 'active',
      since: this.#since,
    };
  }

  async #track(): Promise<void> {
    const channel = this.session.current;
    const meta = this.#meta();
    if (!channel || !meta || channel.state !== 'joined') return;
    const serialized = JSON.stringify(meta);
    if (serialized === this.#trackedAs) return;
    this.#trackedAs = serialized;
    await channel.track(meta);
  }

  #decorate(channel: RealtimeChannel): void {
    channel.on('presence', { event: 'sync' }, () => this.#presenceSynced(channel));
    channel.on('presence', { event: 'join' }, ({ key, newPresences }) => {
      const bad = newPresences.filter((meta) => parsePresenceMeta(meta)?.id !== key).length;
      if (bad > 0) this.sharedConnection.noteDropped(bad);
    });
    channel.on('broadcast', { event: '*' }, (message: { event?: unknown; payload?: unknown }) => this.#received(message));
  }

  #presenceSynced(channel: RealtimeChannel): void {
    if (channel !== this.session.current) return;
    const next = validPresence(Object.entries(channel.presenceState()));
    // Invalid metas coming and going change nothing the elements show: no event, no re-render.
    if (channel === this.#syncedChannel && samePresence(this.#presenceState, next)) return;
    this.#syncedChannel = channel;
    this.#presenceState = next;
    this.#emit('presence');
  }

  #received({ event, payload }: { event?: unknown; payload?: unknown }): void {
    if (!this.#inbox.deliver(event, payload, (id) => this.#presenceState.has(id))) this.sharedConnection.noteDropped();
  }

  /** Both channels re-join together after a reconnect: elements hear one `resync`, not two. */
  #resync(): void {
    if (this.#resyncTimer !== undefined) return;
    this.#resyncTimer = this.#timers.setTimeout(() => {
      this.#resyncTimer = undefined;
      this.#emit('resync');
    }, 0);
  }

  #emit(name: RoomEventName): void {
    if (!this.#closed) this.dispatchEvent(new Event(name));
  }

  #listen(target: EventTarget, type: string, listener: () => void): void {
    target.addEventListener(type, listener);
    this.#cleanups.push(() => target.removeEventListener(type, listener));
  }
}

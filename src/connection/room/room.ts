import type {
  ChangeScope,
  ConnectionState,
  FlockUser,
  OutgoingBroadcast,
  PresenceState,
  QueuedWrite,
  ReadOptions,
  Room,
  RoomEventName,
  RowChange,
  RowQuery,
  RowsResult,
  RowSubscription,
  WriteRequest,
  WriteResult,
} from '../types.js';
import { BroadcastInbox, samePresence, validPresence } from '../inbound.js';
import { WIRE_V, parsePresenceMeta, type BroadcastEvent, type BroadcastPayload, type PresenceMeta, type PresenceStatus } from '../wire.js';
import type { ChannelHandlers, RoomTransport } from './transport.js';

/** The topic of a room's channel (shared/DESIGN.md §3). */
export function roomTopic(room: string): string {
  return `flock:${room}`;
}

/**
 * The one Room (the API in types.ts), over a transport: Supabase in pages, a MemoryNetwork in
 * stories and tests (test/connection/room-contract.ts runs it over both). It holds what does
 * not depend on the backend: this tab's presence meta (page visibility and the status the
 * elements set), presence and broadcasts from peers — validated against the v1 wire shapes and
 * required to come from someone present, anything else dropped and counted —, one `resync`
 * for the channels that re-join together, and writes through the transport's one outbox.
 */
export class TransportRoom<T extends RoomTransport = RoomTransport> extends EventTarget implements Room {
  readonly transport: T;
  readonly #inbox = new BroadcastInbox();
  #presence: PresenceState = new Map();
  #manualStatus: PresenceStatus = 'active';
  #since: number;
  #trackedAs: string | undefined;
  readonly #cleanups: (() => void)[] = [];
  #closed = false;
  #resyncTimer: number | undefined;
  readonly #handlers: ChannelHandlers = {
    joined: (catchUp) => {
      this.#trackedAs = undefined;
      void this.#track();
      if (catchUp) this.#resync();
    },
    presence: (entries, fresh) => {
      const next = validPresence(entries);
      // Invalid metas coming and going change nothing the elements show: no event, no re-render.
      if (!fresh && samePresence(this.#presence, next)) return;
      this.#presence = next;
      this.#emit('presence');
    },
    arrived: (key, metas) => {
      const bad = metas.filter((meta) => parsePresenceMeta(meta)?.id !== key).length;
      if (bad > 0) this.transport.link.noteDropped(bad);
    },
    broadcast: (event, payload) => {
      if (!this.#inbox.deliver(event, payload, (id) => this.#presence.has(id))) this.transport.link.noteDropped(1);
    },
  };

  constructor(
    readonly name: string,
    transport: T,
  ) {
    super();
    this.transport = transport;
    this.#since = transport.timers.now();
    const { link } = transport;
    const forward = (name: RoomEventName) => () => this.#emit(name);
    this.#listen(link, 'status', forward('status'));
    this.#listen(link, 'writes', forward('writes'));
    this.#listen(link, 'resync', () => this.#resync());
    this.#listen(link, 'user', () => {
      this.#emit('user');
      this.#userChanged();
    });
    if (typeof document !== 'undefined') this.#listen(document, 'visibilitychange', () => this.#statusChanged());
    void link.ready().then(() => this.#userChanged(), () => undefined);
  }

  get user(): FlockUser | undefined {
    return this.transport.link.user;
  }

  get connection(): ConnectionState {
    return this.transport.link.state;
  }

  get presence(): PresenceState {
    return this.#presence;
  }

  get writes(): readonly QueuedWrite[] {
    return this.transport.link.writes;
  }

  setPresenceStatus(status: PresenceStatus): void {
    this.#manualStatus = status;
    this.#statusChanged();
  }

  onBroadcast<E extends BroadcastEvent>(event: E, listener: (payload: BroadcastPayload<E>) => void): () => void {
    return this.#inbox.add(event, listener);
  }

  async broadcast<E extends BroadcastEvent>(event: E, payload: OutgoingBroadcast<E>): Promise<boolean> {
    const user = this.user;
    // Nothing is queued: a cursor or typing signal from before a disconnection is stale.
    if (this.#closed || !user || !this.transport.joined) return false;
    return this.transport.send(event, { ...payload, v: WIRE_V, id: user.id });
  }

  onChanges(binding: RowSubscription, listener: (change: RowChange) => void, scope: ChangeScope = 'room'): () => void {
    return this.transport.bind(binding, listener, scope);
  }

  rows(query: RowQuery, options: ReadOptions = {}): Promise<RowsResult> {
    return this.transport.rows(query, options);
  }

  write(request: WriteRequest): Promise<WriteResult> {
    return this.transport.link.queue.write(request);
  }

  retryWrite(key: string): Promise<WriteResult | undefined> {
    return this.transport.link.queue.retry(key);
  }

  discardWrite(key: string): Promise<void> {
    return this.transport.link.queue.discard(key);
  }

  retryNow(): void {
    this.transport.link.retryNow();
  }

  /** Leaves the channel and drops every listener and timer. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const cleanup of this.#cleanups.splice(0).reverse()) cleanup();
    this.#inbox.clear();
    this.transport.timers.clearAll();
    await this.transport.close();
    this.transport.timers.clearAll();
  }

  /** This tab's presence meta: who it is, and away when hidden or set so. */
  ownMeta(): PresenceMeta | undefined {
    const user = this.user;
    if (!user || this.#closed) return undefined;
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

  /** Identity known (or changed): a new user id needs a new presence key, so the channel joins again. */
  #userChanged(): void {
    const user = this.user;
    if (this.#closed || !user) return;
    if (this.transport.presenceKey === user.id) void this.#track();
    else this.transport.join(user.id, this.#handlers);
  }

  #statusChanged(): void {
    this.#since = this.transport.timers.now();
    void this.#track();
  }

  async #track(): Promise<void> {
    const meta = this.ownMeta();
    if (!meta || !this.transport.joined) return;
    const serialized = JSON.stringify(meta);
    if (serialized === this.#trackedAs) return;
    this.#trackedAs = serialized;
    await this.transport.track(meta);
  }

  /** Both channels re-join together after a reconnect: elements hear one `resync`, not two. */
  #resync(): void {
    if (this.#resyncTimer !== undefined || this.#closed) return;
    this.#resyncTimer = this.transport.timers.setTimeout(() => {
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

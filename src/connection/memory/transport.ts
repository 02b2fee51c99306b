import { MemoryStore } from '../outbox/memory-store.js';
import { Outbox, writeCounts, type SendOutcome } from '../outbox/outbox.js';
import { WriteQueue } from '../outbox/write-queue.js';
import type { ChannelHandlers, RoomLink, RoomTransport } from '../room/transport.js';
import { STATUS, qualityOf } from '../status.js';
import { Timers } from '../timers.js';
import type {
  ChangeScope,
  ConnectionState,
  FlockUser,
  QueuedWrite,
  ReadOptions,
  RowChange,
  RowQuery,
  RowsResult,
  RowSubscription,
  Write,
} from '../types.js';
import type { PresenceMeta } from '../wire.js';
import type { MemoryServer, NetworkMember, RawPresence } from './network.js';
import { bindingMatches } from './rows.js';

/**
 * A room's channel on a MemoryNetwork, for the one Room (room/room.ts): deliveries are
 * asynchronous, as over a socket, and each waits on this transport's timers (so `settled()`
 * knows what is in flight); writes go through the real WriteQueue and Outbox over a
 * MemoryStore; the connection state is scripted (`script()`).
 */
export class MemoryTransport extends EventTarget implements RoomTransport, RoomLink, NetworkMember {
  readonly timers = new Timers();
  readonly #network: MemoryServer;
  readonly #self: FlockUser;
  #state: ConnectionState;
  #everConnected: boolean;
  #handlers: ChannelHandlers | undefined;
  #key: string | undefined;
  #joined = false;
  #fresh = false;
  #tracked: RawPresence | undefined;
  /** Metas that arrived before the join, counted at it. */
  readonly #early: RawPresence[] = [];
  readonly #bindings = new Set<{ binding: RowSubscription; listener: (change: RowChange) => void }>();
  readonly #outbox: Promise<Outbox>;
  readonly queue: WriteQueue;
  #writes: readonly QueuedWrite[] = [];
  #closed = false;

  constructor(
    readonly name: string,
    network: MemoryServer,
    self: FlockUser,
    connection: Partial<ConnectionState> = {},
  ) {
    super();
    this.#network = network;
    this.#self = self;
    const latency = 'latency' in connection ? connection.latency : 42;
    this.#state = {
      status: STATUS.connected,
      latency,
      quality: latency === undefined ? undefined : qualityOf(latency),
      attempt: 0,
      nextRetryAt: undefined,
      lastConnectedAt: Date.now(),
      queued: 0,
      failed: 0,
      dropped: 0,
      owned: true,
      ...connection,
    };
    this.#everConnected = this.#state.status === STATUS.connected;
    this.#outbox = Outbox.open(new MemoryStore(name), () => this.timers.now()).then((outbox) => {
      outbox.subscribe((entries) => {
        this.#writes = entries as readonly QueuedWrite[];
        this.#state = { ...this.#state, ...writeCounts(entries) };
        this.#emit('writes');
        this.#emit('status');
      });
      return outbox;
    });
    this.queue = new WriteQueue((write) => this.#send(write), () => this.#outbox, this.timers, () => this.#connected);
    // On the network from the start, as a subscribed socket is: what arrives before the join
    // (peers' presence) waits for it, and changes flow at once.
    network.enter(this);
    this.#later(() => this.#emit('user'));
  }

  /** A MemoryRoom's connection is its own. */
  get link(): this {
    return this;
  }

  get state(): ConnectionState {
    return { ...this.#state };
  }

  get user(): FlockUser {
    return this.#self;
  }

  get writes(): readonly QueuedWrite[] {
    return this.#writes;
  }

  async ready(): Promise<FlockUser> {
    return this.#self;
  }

  get presenceKey(): string | undefined {
    return this.#key;
  }

  get joined(): boolean {
    return this.#joined && this.#connected;
  }

  get tracked(): RawPresence | undefined {
    return this.#closed ? undefined : this.#tracked;
  }

  /** Deliveries, reads and writes waiting to land. */
  get inFlight(): number {
    return this.timers.pending;
  }

  join(presenceKey: string, handlers: ChannelHandlers): void {
    this.#key = presenceKey;
    this.#handlers = handlers;
    // Joined a turn later, the network having the member already: its track reaches everyone.
    this.#later(() => {
      this.#joined = true;
      this.#fresh = true;
      // Changes reached this member from its first moment: nothing to catch up on.
      handlers.joined(false);
      // What is there already (seeded peers) arrives as the first presence state.
      this.presenceArrived(this.#early.splice(0));
    });
  }

  async track(meta: PresenceMeta): Promise<void> {
    if (this.#closed || !this.#key) return;
    this.#tracked = { key: this.#key, meta };
    this.#network.presenceChanged(this.name, [this.#tracked]);
  }

  async send(event: string, payload: Record<string, unknown>): Promise<boolean> {
    if (this.#closed || !this.#connected) return false;
    this.#network.send(this, event, payload);
    return true;
  }

  bind(binding: RowSubscription, listener: (change: RowChange) => void, _scope: ChangeScope): () => void {
    const entry = { binding, listener };
    this.#bindings.add(entry);
    return () => void this.#bindings.delete(entry);
  }

  async rows(query: RowQuery, options: ReadOptions = {}): Promise<RowsResult> {
    options.signal?.throwIfAborted();
    await this.#delay();
    options.signal?.throwIfAborted();
    return this.#network.query(query);
  }

  noteDropped(count: number): void {
    this.#state = { ...this.#state, dropped: this.#state.dropped + count };
    this.#emit('status');
  }

  retryNow(): void {
    if (this.#connected) return;
    if (this.#network.down) {
      this.script({ status: STATUS.reconnecting, attempt: this.#state.attempt + 1 });
      return;
    }
    this.script({ status: STATUS.connecting });
    this.#later(() => this.script({ status: STATUS.connected, attempt: 0, nextRetryAt: undefined }));
  }

  /**
   * Sets any part of the connection state, as a story or test scripts it. `quality` follows
   * `latency` unless given. Becoming `connected` again sends the outbox and fires `resync`.
   */
  script(change: Partial<ConnectionState>): void {
    const wasConnected = this.#connected;
    this.#state = { ...this.#state, ...change };
    if ('latency' in change && !('quality' in change)) this.#state.quality = change.latency === undefined ? undefined : qualityOf(change.latency);
    if (this.#connected && !wasConnected) {
      this.#state.lastConnectedAt = Date.now();
      if (this.#everConnected) this.#emit('resync');
      this.#everConnected = true;
      void this.queue.flush();
    }
    this.#emit('status');
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.timers.clearAll();
    this.#bindings.clear();
    this.#network.exit(this);
    (await this.#outbox).close();
  }

  /** @internal Presence changed; `arrived` are new raw metas to count when malformed. */
  presenceArrived(arrived: RawPresence[]): void {
    this.#later(() => {
      const handlers = this.#handlers;
      if (!handlers || !this.#joined) {
        this.#early.push(...arrived);
        return;
      }
      for (const { key, meta } of arrived) handlers.arrived(key, [meta]);
      // Read at delivery, as a socket would deliver the state as it is then.
      const entries = this.#network.presenceOf(this.name).map(({ key, meta }) => [key, [meta]] as const);
      handlers.presence(entries, this.#fresh);
      this.#fresh = false;
    });
  }

  /** @internal A broadcast arriving from the network. */
  receive(event: string, payload: unknown): void {
    this.#later(() => this.#handlers?.broadcast(event, payload));
  }

  /** @internal A row change on the network. */
  changeArrived(change: RowChange): void {
    const row = change.eventType === 'DELETE' ? change.old : change.new;
    const hits = [...this.#bindings].filter(({ binding }) => bindingMatches(binding, change.table, change.eventType, row));
    if (hits.length > 0) this.#later(() => hits.forEach(({ listener }) => listener(change)));
  }

  get #connected(): boolean {
    return this.#state.status === STATUS.connected;
  }

  /** The "server" applies the write after the network's delay; offline, it never left. */
  async #send(write: Write): Promise<SendOutcome> {
    if (!this.#connected) return { ok: false, retry: true, reason: 'Failed to fetch' };
    await this.#delay();
    if (this.#closed) return { ok: false, retry: true, reason: 'closed' };
    return this.#network.apply(write, this.#self) as SendOutcome;
  }

  #delay(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#later(resolve, this.#network.delayMs));
  }

  #later(callback: () => void, ms = 0): void {
    if (!this.#closed) this.timers.setTimeout(callback, ms);
  }

  #emit(name: string): void {
    if (!this.#closed) this.dispatchEvent(new Event(name));
  }
}

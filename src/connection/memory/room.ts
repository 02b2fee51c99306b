import { colorFor } from '../palette.js';
import { STATUS, qualityOf } from '../status.js';
import { Timers } from '../timers.js';
import type {
  RowSubscription,
  RowChange,
  ConnectionState,
  FlockTable,
  FlockUser,
  FlockUserInput,
  OutgoingBroadcast,
  PresenceState,
  QueuedWrite,
  Room,
  RoomEventName,
  Row,
  ReadOptions,
  RowQuery,
  RowsResult,
  WriteRequest,
  WriteResult,
} from '../types.js';
import { BroadcastInbox, validPresence } from '../inbound.js';
import { WIRE_V, parsePresenceMeta, type BroadcastEvent, type BroadcastPayload, type PresenceMeta, type PresenceStatus } from '../wire.js';
import { MemoryNetwork, type RawPresence } from './network.js';
import { bindingMatches } from './rows.js';

export interface MemoryRoomOptions {
  /** The room's name. */
  room: string;
  /** This member's user; an id is made up when none is given. `kind: 'visitor'` can't write. */
  user?: FlockUserInput & { id?: string; kind?: FlockUser['kind'] };
  /** The starting connection state: e.g. `{ status: 'reconnecting', attempt: 3, nextRetryAt }`. */
  connection?: Partial<ConnectionState>;
  /** Other people already present (their presence metas; `v` is added when missing). */
  peers?: Partial<PresenceMeta>[];
  /** Rows to start with. */
  rows?: Partial<Record<'flock_messages' | 'flock_reads' | 'flock_notifications', Row[]>>;
  /** The network to join; a standalone MemoryRoom has one of its own. */
  network?: MemoryNetwork;
}

/**
 * The Room API in memory, for Storybook and element tests: the same contract as the
 * Supabase-backed Room (test/connection/room-contract.ts runs against both), with no server.
 * Peers are seeded or are other members of the same `MemoryNetwork`; the connection is
 * scripted with `script({...})`; failures and latency come from the network's knobs.
 *
 * @example
 * const room = new MemoryRoom({ room: 'demo', user: { name: 'Ada' }, peers: [{ id: 'bo', name: 'Bo', color: '#0f766e' }] });
 * room.script({ status: 'reconnecting', attempt: 2, nextRetryAt: Date.now() + 4000 });
 */
export class MemoryRoom extends EventTarget implements Room {
  readonly name: string;
  readonly network: MemoryNetwork;
  private readonly self: FlockUser;
  private state: ConnectionState;
  private everConnected: boolean;
  private readonly timers = new Timers();
  private presenceState: PresenceState = new Map();
  private status: PresenceStatus = 'active';
  private readonly since = Date.now();
  private readonly inbox = new BroadcastInbox();
  private readonly bindings = new Set<{ binding: RowSubscription; listener: (change: RowChange) => void }>();
  private queue: QueuedWrite[] = [];
  private seq = 0;
  private closed = false;

  constructor(options: MemoryRoomOptions) {
    super();
    this.name = options.room;
    this.network = options.network ?? new MemoryNetwork();
    const id = options.user?.id ?? crypto.randomUUID();
    this.self = {
      id,
      kind: options.user?.kind ?? 'anonymous',
      name: options.user?.name ?? `Guest ${id.replace(/-/g, '').slice(0, 4).toUpperCase()}`,
      color: options.user?.color ?? colorFor(id),
      ...(options.user?.avatar ? { avatar: options.user.avatar } : {}),
    };
    const latency = options.connection?.latency ?? 42;
    this.state = {
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
      ...options.connection,
    };
    this.everConnected = this.state.status === STATUS.connected;
    for (const [table, rows] of Object.entries(options.rows ?? {})) this.network.tables[table as FlockTable].push(...(rows ?? []).map((r) => ({ ...r })));
    for (const peer of options.peers ?? []) {
      const peerId = peer.id ?? crypto.randomUUID();
      const meta = { v: WIRE_V, id: peerId, name: 'Guest', color: colorFor(peerId), status: 'active', since: Date.now(), ...peer };
      this.network.injectPresence(this.name, peerId, meta);
    }
    this.network.enter(this);
    this.later(() => this.emit('user'));
  }

  get user(): FlockUser | undefined {
    return this.self;
  }

  get connection(): ConnectionState {
    return { ...this.state };
  }

  get presence(): PresenceState {
    return this.presenceState;
  }

  get writes(): readonly QueuedWrite[] {
    return this.queue;
  }

  /**
   * Sets any part of the connection state, as a story or test scripts it. `quality` follows
   * `latency` unless given. Becoming `connected` again sends the outbox and fires `resync`.
   */
  script(change: Partial<ConnectionState>): void {
    const wasConnected = this.state.status === STATUS.connected;
    this.state = { ...this.state, ...change };
    if ('latency' in change && !('quality' in change)) this.state.quality = change.latency === undefined ? undefined : qualityOf(change.latency);
    const nowConnected = this.state.status === STATUS.connected;
    if (nowConnected && !wasConnected) {
      this.state.lastConnectedAt = Date.now();
      if (this.everConnected) this.emit('resync');
      this.everConnected = true;
      void this.flush();
    }
    this.emit('status');
  }

  setPresenceStatus(status: PresenceStatus): void {
    this.status = status;
    this.network.presenceChanged(this.name);
  }

  onBroadcast<E extends BroadcastEvent>(event: E, listener: (payload: BroadcastPayload<E>) => void): () => void {
    return this.inbox.add(event, listener);
  }

  async broadcast<E extends BroadcastEvent>(event: E, payload: OutgoingBroadcast<E>): Promise<boolean> {
    if (this.closed || this.state.status !== STATUS.connected) return false;
    this.network.send(this, event, { ...payload, v: WIRE_V, id: this.self.id });
    return true;
  }

  onChanges(binding: RowSubscription, listener: (change: RowChange) => void): () => void {
    const entry = { binding, listener };
    this.bindings.add(entry);
    return () => void this.bindings.delete(entry);
  }

  async rows(query: RowQuery, options: ReadOptions = {}): Promise<RowsResult> {
    options.signal?.throwIfAborted();
    await this.delay();
    options.signal?.throwIfAborted();
    return this.network.query(query);
  }

  async write(request: WriteRequest): Promise<WriteResult> {
    if (!this.queue.some((e) => e.key === request.key)) {
      this.queue = [...this.queue, { seq: ++this.seq, key: request.key, scope: this.name, kind: request.kind, payload: request, state: 'pending', attempts: 0, queuedAt: Date.now() }];
      this.writesChanged();
    }
    await this.flush();
    return this.resultOf(request.key);
  }

  async retryWrite(key: string): Promise<WriteResult | undefined> {
    if (!this.queue.some((e) => e.key === key)) return undefined;
    this.queue = this.queue.map((e) => (e.key === key && e.state === 'failed' ? { ...e, state: 'pending', error: undefined } : e));
    this.writesChanged();
    await this.flush();
    return this.resultOf(key);
  }

  async discardWrite(key: string): Promise<void> {
    this.queue = this.queue.filter((e) => e.key !== key);
    this.writesChanged();
  }

  retryNow(): void {
    if (this.state.status === STATUS.connected) return;
    if (this.network.down) {
      this.script({ status: STATUS.reconnecting, attempt: this.state.attempt + 1 });
      return;
    }
    this.script({ status: STATUS.connecting });
    this.later(() => this.script({ status: STATUS.connected, attempt: 0, nextRetryAt: undefined }));
  }

  /**
   * Resolves once nothing is in flight on this member's network: every delivery, read and write
   * scripted so far has landed. Tests prove that something did *not* happen after this, not
   * after a sleep.
   */
  settled(): Promise<void> {
    return this.network.settled();
  }

  /** @internal Deliveries waiting to land. */
  get inFlight(): number {
    return this.timers.pending;
  }

  /** Leaves the network: others see this member go; nothing fires afterwards. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.timers.clearAll();
    this.inbox.clear();
    this.bindings.clear();
    this.network.exit(this);
  }

  /** @internal This member's presence meta, as the network shows it to others. */
  ownMeta(): PresenceMeta | undefined {
    if (this.closed) return undefined;
    const { id, name, color, avatar } = this.self;
    return { v: WIRE_V, id, name, color, ...(avatar ? { avatar } : {}), status: this.status, since: this.since };
  }

  /** @internal Presence changed; `arrived` are new raw metas to count when malformed. */
  presenceArrived(arrived: RawPresence[]): void {
    const bad = arrived.filter(({ key, meta }) => parsePresenceMeta(meta)?.id !== key).length;
    this.later(() => {
      if (bad > 0) this.drop(bad);
      // Read at delivery, as a socket would deliver the state as it is then.
      this.presenceState = validPresence(this.network.presenceOf(this.name).map(({ key, meta }) => [key, [meta]] as const));
      this.emit('presence');
    });
  }

  /** @internal A broadcast arriving from the network: validated and checked against presence. */
  receive(event: string, payload: unknown): void {
    this.later(() => {
      if (!this.inbox.deliver(event, payload, (id) => this.presenceState.has(id))) this.drop(1);
    });
  }

  /** @internal A row change on the network. */
  changeArrived(change: RowChange): void {
    const row = change.eventType === 'DELETE' ? change.old : change.new;
    const hits = [...this.bindings].filter(({ binding }) => bindingMatches(binding, change.table, change.eventType, row));
    if (hits.length > 0) this.later(() => hits.forEach(({ listener }) => listener(change)));
  }

  private async flush(): Promise<void> {
    if (this.state.status !== STATUS.connected) return;
    await this.delay();
    for (const entry of this.queue.filter((e) => e.state === 'pending')) {
      const outcome = this.network.apply(entry.payload.write, this.self);
      if (outcome.ok) this.queue = this.queue.filter((e) => e.key !== entry.key);
      else if (outcome.retry) break;
      else this.queue = this.queue.map((e) => (e.key === entry.key ? { ...e, state: 'failed', error: outcome.reason, attempts: e.attempts + 1 } : e));
    }
    this.writesChanged();
  }

  private resultOf(key: string): WriteResult {
    const entry = this.queue.find((e) => e.key === key);
    if (!entry) return { state: 'sent' };
    return entry.state === 'failed' ? { state: 'failed', reason: entry.error ?? 'refused' } : { state: 'queued' };
  }

  private writesChanged(): void {
    this.state = { ...this.state, queued: this.queue.filter((e) => e.state === 'pending').length, failed: this.queue.filter((e) => e.state === 'failed').length };
    this.emit('writes');
    this.emit('status');
  }

  private drop(count: number): void {
    this.state = { ...this.state, dropped: this.state.dropped + count };
    this.emit('status');
  }

  private delay(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.later(resolve, this.network.delayMs));
  }

  /** Deliveries are asynchronous, as they are over a socket. */
  private later(callback: () => void, ms = 0): void {
    if (!this.closed) this.timers.setTimeout(callback, ms);
  }

  private emit(name: RoomEventName): void {
    if (!this.closed) this.dispatchEvent(new Event(name));
  }
}

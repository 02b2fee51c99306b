import { guestName } from '../identity.js';
import { colorFor } from '../palette.js';
import { TransportRoom } from '../room/room.js';
import type { ConnectionState, FlockTable, FlockUser, FlockUserInput, Row } from '../types.js';
import { WIRE_V, type PresenceMeta } from '../wire.js';
import { MemoryServer } from './network.js';
import { MemoryTransport } from './transport.js';

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

/** A MemoryServer whose members are MemoryRooms: `join()` makes one. */
export class MemoryNetwork extends MemoryServer {
  /** A new member of `room` (see MemoryRoom's options). */
  join(options: Omit<MemoryRoomOptions, 'network'>): MemoryRoom {
    return new MemoryRoom({ ...options, network: this });
  }
}

/**
 * The one Room over a memory transport, for Storybook and element tests: the same class as
 * the Supabase-backed Room (test/connection/room-contract.ts runs both), so presence checks,
 * the broadcast inbox, the own meta and the outbox are the real ones, with no server.
 * Peers are seeded or are other members of the same `MemoryNetwork`; the connection is
 * scripted with `script({...})`; failures and latency come from the network's knobs.
 *
 * @example
 * const room = new MemoryRoom({ room: 'demo', user: { name: 'Ada' }, peers: [{ id: 'bo', name: 'Bo', color: '#0f766e' }] });
 * room.script({ status: 'reconnecting', attempt: 2, nextRetryAt: Date.now() + 4000 });
 */
export class MemoryRoom extends TransportRoom<MemoryTransport> {
  readonly network: MemoryNetwork;

  constructor(options: MemoryRoomOptions) {
    const network = options.network ?? new MemoryNetwork();
    const id = options.user?.id ?? crypto.randomUUID();
    const self: FlockUser = {
      id,
      kind: options.user?.kind ?? 'anonymous',
      name: options.user?.name ?? guestName(id),
      color: options.user?.color ?? colorFor(id),
      ...(options.user?.avatar ? { avatar: options.user.avatar } : {}),
    };
    for (const [table, rows] of Object.entries(options.rows ?? {})) network.tables[table as FlockTable].push(...(rows ?? []).map((r) => ({ ...r })));
    for (const peer of options.peers ?? []) {
      const peerId = peer.id ?? crypto.randomUUID();
      network.injectPresence(options.room, peerId, { v: WIRE_V, id: peerId, name: 'Guest', color: colorFor(peerId), status: 'active', since: Date.now(), ...peer });
    }
    super(options.room, new MemoryTransport(options.room, network, self, options.connection));
    this.network = network;
  }

  /**
   * Sets any part of the connection state, as a story or test scripts it. `quality` follows
   * `latency` unless given. Becoming `connected` again sends the outbox and fires `resync`.
   */
  script(change: Partial<ConnectionState>): void {
    this.transport.script(change);
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
    return this.transport.inFlight;
  }
}

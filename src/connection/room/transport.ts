import type { WriteQueue } from '../outbox/write-queue.js';
import type { Timers } from '../timers.js';
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
} from '../types.js';
import type { PresenceMeta } from '../wire.js';

/**
 * The connection a room rides on, as the Room reads it: the state, the identity and the one
 * outbox. On Supabase it is the page's Connection, shared by its rooms; a MemoryRoom's
 * transport is its own. Events (plain `Event`s): `status`, `writes`, `user`, and `resync` (a
 * connection-level gap closed: the user's own channel joined, or a scripted reconnect).
 */
export interface RoomLink extends EventTarget {
  readonly state: ConnectionState;
  readonly user: FlockUser | undefined;
  /** The outbox's entries (pending and failed), oldest first. */
  readonly writes: readonly QueuedWrite[];
  /** Resolves the identity (cached). */
  ready(): Promise<FlockUser>;
  /** The one WriteQueue over the outbox: every write of every room on this connection. */
  readonly queue: WriteQueue;
  /** Counts malformed messages from peers (shown as `dropped`). */
  noteDropped(count: number): void;
  retryNow(): void;
}

/**
 * What a backend gives the one Room (room.ts): a channel to join with a presence key, presence
 * to track, broadcasts to send, row changes to bind, reads with an AbortSignal, and — through
 * its `link` — the connection's state and the one WriteQueue/outbox. Two implementations:
 * supabase/transport.ts (ChannelSession + REST over supabase-js) and memory/transport.ts (a
 * MemoryNetwork, for stories and tests). Everything a peer sends arrives raw through
 * `ChannelHandlers`; the Room validates it.
 */
export interface RoomTransport {
  /** The timers of this room's transport; the Room sets its own on them, so closing clears all. */
  readonly timers: Timers;
  readonly link: RoomLink;
  /** The presence key of the current join, if any. */
  readonly presenceKey: string | undefined;
  /** True while the room's channel is joined: `track` and `send` reach the room. */
  readonly joined: boolean;
  /** Joins the room's channel (again, afresh, for a new key) and reports to `handlers`. */
  join(presenceKey: string, handlers: ChannelHandlers): void;
  track(meta: PresenceMeta): Promise<void>;
  /** Sends a broadcast (already stamped with v and id); false when it could not go. */
  send(event: string, payload: Record<string, unknown>): Promise<boolean>;
  bind(binding: RowSubscription, listener: (change: RowChange) => void, scope: ChangeScope): () => void;
  rows(query: RowQuery, options: ReadOptions): Promise<RowsResult>;
  /** Leaves the channel for good (its synchronous part runs at once). */
  close(): Promise<void>;
}

/** What the room's channel reports, raw: the Room validates presence and broadcasts. */
export interface ChannelHandlers {
  /**
   * The channel (re)joined: presence is tracked again; `catchUp` when changes may have been
   * missed before it (Supabase: always, as reads can precede the join), so elements refetch.
   */
  joined(catchUp: boolean): void;
  /**
   * The channel's presence as it is now, unvalidated; `fresh` for the first state after a
   * (re)join, which is announced even when it looks the same.
   */
  presence(entries: Iterable<readonly [string, readonly unknown[]]>, fresh: boolean): void;
  /** Metas that just arrived under `key`, to count the malformed ones. */
  arrived(key: string, metas: readonly unknown[]): void;
  broadcast(event: unknown, payload: unknown): void;
}

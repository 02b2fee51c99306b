import type { OutboxEntry } from './outbox/outbox.js';
import type { ConnectionStatus, Quality } from './status.js';
import type { BroadcastEvent, BroadcastPayload, PresenceMeta, PresenceStatus } from './wire.js';

/**
 * The Room API: everything an element may ask of the backend (shared/DESIGN.md §2). Elements
 * never touch supabase-js; they hold a `Room` (from `<flock-room>` through @lit/context) and
 * use only what is declared here, so the same element runs on Supabase, on the local server,
 * or on a `MemoryRoom` in Storybook and tests.
 */

/** The tables the kit reads and writes (supabase/migrations). */
export type FlockTable = 'flock_messages' | 'flock_reads' | 'flock_notifications';

export type Row = Record<string, unknown>;

/** Who this tab is. Many tabs of one user are one user: same `id`. */
export interface FlockUser {
  id: string;
  name: string;
  /** A `#rrggbb` colour from the palette unless the user chose one. */
  color: string;
  /** Checked URL (http(s) or same-origin), or undefined. */
  avatar?: string;
  /**
   * `user`: a signed-in account (the app's session); `anonymous`: an anonymous Supabase user
   * the kit signed in; `visitor`: no session at all (a random id kept in localStorage) — such a
   * user can be present and see the room but cannot write rows.
   */
  kind: 'user' | 'anonymous' | 'visitor';
}

/** What a page may set about its user: `user-name`, `user-color`, `avatar-url`, or the `user` property. */
export interface FlockUserInput {
  name?: string;
  color?: string;
  avatar?: string;
}

/** A snapshot of the one shared connection, as `<flock-status>` shows it. */
export interface ConnectionState {
  status: ConnectionStatus;
  /** Smoothed heartbeat round trip in ms; undefined until the first reply. */
  latency: number | undefined;
  quality: Quality | undefined;
  /** Reconnect attempts since the last success. */
  attempt: number;
  /** When the next reconnect attempt happens (epoch ms), when the kit knows it. */
  nextRetryAt: number | undefined;
  /** When the socket last opened (epoch ms). */
  lastConnectedAt: number | undefined;
  /** Writes waiting in the outbox. */
  queued: number;
  /** Writes the server refused, kept until retried or discarded. */
  failed: number;
  /** Malformed messages from peers dropped since the page opened. */
  dropped: number;
  /** True when the kit created the client (and so drives reconnects); false for an app's client. */
  owned: boolean;
}

/** A column comparison, PostgREST's operators. `is` takes null, true or false. */
export interface RowFilter {
  column: string;
  op: 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte' | 'is';
  value: string | number | boolean | null;
}

/**
 * A read over REST. `after`/`before` is keyset pagination on several columns, e.g.
 * `{ columns: ['created_at', 'id'], values: [t, id] }` means rows strictly after (or before)
 * that row in `(created_at, id)` order.
 */
export interface RowQuery {
  table: FlockTable;
  /** PostgREST select list; default `*`. */
  columns?: string;
  where?: RowFilter[];
  after?: Keyset;
  before?: Keyset;
  order?: { column: string; ascending: boolean }[];
  limit?: number;
  /** Ask for the exact number of matching rows too. */
  count?: boolean;
  /** Only the count, no rows. */
  head?: boolean;
}

export interface Keyset {
  columns: string[];
  values: (string | number)[];
}

export interface ReadOptions {
  /** Aborting it cancels the read: the promise rejects with an `AbortError`. */
  signal?: AbortSignal;
}

export interface RowsResult {
  rows: Row[];
  count?: number;
}

/**
 * A write, as plain data so it can wait in IndexedDB. Every kind is idempotent, so the outbox
 * can replay it after an unknown outcome: `create` inserts a row unless its primary key
 * exists (the client made the id; sent as an upsert that ignores duplicates), `upsert` merges on `onConflict`, `update`/`delete` match rows.
 */
export type Write =
  | { op: 'create'; table: FlockTable; values: Row }
  | { op: 'upsert'; table: FlockTable; values: Row; onConflict: string }
  | { op: 'update'; table: FlockTable; values: Row; where: RowFilter[]; requireMatch?: boolean }
  | { op: 'delete'; table: FlockTable; where: RowFilter[]; requireMatch?: boolean };

export interface WriteRequest {
  /** The write's identity, made by the client (a message uuid, `read:<room>`…): queuing it twice sends it once. */
  key: string;
  /** What it is, for people: `chat.send`, `chat.edit`, `notification.read`… */
  kind: string;
  /** A short human description for the status details, e.g. the message's first words. */
  label?: string;
  write: Write;
}

/**
 * `sent`: the server applied it. `queued`: no network; it waits in the outbox and goes when
 * the connection returns. `failed`: the server refused it (kept in the outbox until retried
 * or discarded).
 */
export type WriteResult = { state: 'sent' } | { state: 'queued' } | { state: 'failed'; reason: string };

/** A queued or refused write, as the outbox holds it. */
export type QueuedWrite = OutboxEntry<WriteRequest>;

/** A postgres_changes subscription. `filter` uses Realtime's grammar, e.g. `room=eq.lobby`. */
export interface RowSubscription {
  event: 'INSERT' | 'UPDATE' | 'DELETE' | '*';
  table: FlockTable;
  filter?: string;
}

export interface RowChange {
  eventType: 'INSERT' | 'UPDATE' | 'DELETE';
  table: FlockTable;
  new: Row;
  old: Row;
  commitTimestamp: string;
}

/**
 * Where a change binding lives: `room` on the room's channel, `user` on the current user's
 * own channel (one per connection, shared by every room: notifications).
 */
export type ChangeScope = 'room' | 'user';

/** Every tab present in the room, grouped by user id (one entry per tab). */
export type PresenceState = ReadonlyMap<string, readonly PresenceMeta[]>;

/** A broadcast payload as a sender gives it: the Room adds `v` and `id`. */
export type OutgoingBroadcast<E extends BroadcastEvent> = BroadcastPayload<E> extends infer P
  ? P extends unknown
    ? Omit<P, 'v' | 'id'>
    : never
  : never;

/**
 * Events a Room dispatches (it is an EventTarget): plain `Event`s named `status`, `presence`,
 * `writes`, `user`, and `resync` — read the new values from the Room's getters.
 *
 * - `status`: the connection state changed (status, latency, queued, dropped…).
 * - `presence`: someone arrived, left or changed.
 * - `writes`: the outbox changed (see `writes`).
 * - `user`: this tab's identity was resolved or changed.
 * - `resync`: the room's channel joined again after a disconnection, or the user's own
 *   channel joined (the first time too): refetch what may have been missed (chat history
 *   since the newest message held, unread notifications).
 */
export type RoomEventName = 'status' | 'presence' | 'writes' | 'user' | 'resync';

export interface Room extends EventTarget {
  /** The room's name, as in `<flock-room room="…">`. */
  readonly name: string;
  /** This tab's user, once resolved. */
  readonly user: FlockUser | undefined;
  readonly connection: ConnectionState;
  readonly presence: PresenceState;
  /** Writes in the outbox (pending and failed), oldest first. */
  readonly writes: readonly QueuedWrite[];

  /** Sets this tab's presence status (e.g. `away` after idling); the Room also follows page visibility. */
  setPresenceStatus(status: PresenceStatus): void;
  /** Calls `listener` with every valid `event` broadcast from another member; returns an unsubscribe. */
  onBroadcast<E extends BroadcastEvent>(event: E, listener: (payload: BroadcastPayload<E>) => void): () => void;
  /** Sends a broadcast to the room (not to this tab). Resolves false when it could not be sent. */
  broadcast<E extends BroadcastEvent>(event: E, payload: OutgoingBroadcast<E>): Promise<boolean>;
  /**
   * Subscribes to row changes. Bindings registered in the same task are joined together;
   * a later one makes the channel re-join once. Returns an unsubscribe.
   */
  onChanges(binding: RowSubscription, listener: (change: RowChange) => void, scope?: ChangeScope): () => void;
  /**
   * Reads rows over REST (RLS applies). Rejects with an Error carrying the server's message, or
   * with an `AbortError` once `options.signal` aborts (a newer read made this one moot).
   */
  rows(query: RowQuery, options?: ReadOptions): Promise<RowsResult>;
  /** Writes through the outbox: sent now when possible, else queued and sent exactly once later. */
  write(request: WriteRequest): Promise<WriteResult>;
  /** Puts a failed write back in the queue and sends it if the connection is up. */
  retryWrite(key: string): Promise<WriteResult | undefined>;
  /** Drops a failed or pending write for good. */
  discardWrite(key: string): Promise<void>;
  /** Tries to reconnect now instead of waiting for the backoff. */
  retryNow(): void;
}

import type { FlockTable, FlockUser, Row, RowQuery, RowsResult, Write } from '../types.js';
import { MemoryRoom, type MemoryRoomOptions } from './room.js';
import { matches, runQuery } from './rows.js';

/**
 * The backend of MemoryRooms: shared tables, presence and broadcast between every member that
 * joins a room of the same name on one network — a stand-in server for Storybook and element
 * tests. It enforces what the real schema enforces where elements can see it (idempotent
 * inserts, "as yourself" RLS, visitors can't write), and lets a story or test script the rest:
 * `down`, `delayMs`, `refuse(...)`, `failNext(...)`, `inject(...)`.
 */

const KEYS: Record<FlockTable, string[]> = {
  flock_messages: ['id'],
  flock_notifications: ['id'],
  flock_reads: ['user_id', 'room'],
};

export type WriteOutcome = { ok: true } | { ok: false; retry: boolean; reason: string };

export interface RawPresence {
  key: string;
  meta: unknown;
}

export class MemoryNetwork {
  /** While true, writes can't reach the "server": they wait in each member's outbox. */
  down = false;
  /** Milliseconds before reads, writes and deliveries complete, to show loading states. */
  delayMs = 0;
  readonly tables: Record<FlockTable, Row[]> = { flock_messages: [], flock_notifications: [], flock_reads: [] };
  /** Members per room name. */
  private readonly members = new Map<string, Set<MemoryRoom>>();
  /** Presence injected by `injectPresence` (peers with no MemoryRoom of their own), per room. */
  private readonly rawPresence = new Map<string, RawPresence[]>();
  private refusal: ((write: Write, user: FlockUser) => string | undefined) | undefined;
  private readFailures: string[] = [];
  private lastCreatedAt = 0;

  /** A new member of `room` (see MemoryRoom's options). */
  join(options: Omit<MemoryRoomOptions, 'network'>): MemoryRoom {
    return new MemoryRoom({ ...options, network: this });
  }

  /** Makes the "server" refuse writes `decide` returns a reason for (RLS, a CHECK…). */
  refuse(decide: ((write: Write, user: FlockUser) => string | undefined) | undefined): void {
    this.refusal = decide;
  }

  /** The next `count` reads fail with `reason`. */
  failNext(count: number, reason = 'Failed to fetch'): void {
    this.readFailures.push(...Array.from({ length: count }, () => reason));
  }

  /** A raw broadcast from "a peer" to every member of `room`: each validates it as it would a real one. */
  inject(room: string, event: string, payload: unknown): void {
    for (const member of this.roomMembers(room)) member.receive(event, payload);
  }

  /** A raw presence meta under `key` (a peer with no MemoryRoom): invalid ones are dropped and counted. */
  injectPresence(room: string, key: string, meta: unknown): void {
    this.rawPresence.set(room, [...(this.rawPresence.get(room) ?? []), { key, meta }]);
    for (const member of this.roomMembers(room)) member.presenceArrived([{ key, meta }]);
  }

  /** Everyone's presence in `room`: members' own metas plus injected ones. */
  presenceOf(room: string): RawPresence[] {
    const own = [...this.roomMembers(room)].flatMap((m) => (m.ownMeta() ? [{ key: m.user!.id, meta: m.ownMeta() }] : []));
    return [...own, ...(this.rawPresence.get(room) ?? [])];
  }

  async query(query: RowQuery): Promise<RowsResult> {
    const failure = this.readFailures.shift();
    if (failure !== undefined) throw new Error(failure);
    return runQuery(this.tables[query.table], query);
  }

  /** Applies a write as `user`, with the real schema's idempotency and "as yourself" rules. */
  apply(write: Write, user: FlockUser): WriteOutcome {
    if (this.down) return { ok: false, retry: true, reason: 'Failed to fetch' };
    if (user.kind === 'visitor') return { ok: false, retry: false, reason: 'Sign-in required to write' };
    const refused = this.refusal?.(write, user);
    if (refused) return { ok: false, retry: false, reason: refused };
    const rows = this.tables[write.table];
    if (write.op === 'create' || write.op === 'upsert') {
      const values: Row = { ...write.values };
      if (write.table !== 'flock_notifications') values.user_id ??= user.id;
      if (values.user_id !== user.id && write.table !== 'flock_notifications') {
        return { ok: false, retry: false, reason: `new row violates row-level security policy for table "${write.table}"` };
      }
      values.id ??= write.table === 'flock_reads' ? undefined : crypto.randomUUID();
      if (write.table === 'flock_messages') {
        // What the insert trigger does: one clock for ordering, the author's name from the session.
        values.author_name = typeof values.author_name === 'string' && values.author_name.trim() ? values.author_name : user.name;
        values.edited_at = null;
        values.deleted_at = null;
      }
      const keys = write.op === 'upsert' ? write.onConflict.split(',') : KEYS[write.table];
      const existing = rows.find((row) => keys.every((k) => row[k] === values[k]));
      if (existing && write.op === 'create') return { ok: true };
      if (existing) {
        const old = { ...existing };
        Object.assign(existing, values);
        this.changed(write.table, 'UPDATE', existing, old);
      } else {
        if (write.table === 'flock_messages') values.created_at = this.createdAt();
        else values.created_at ??= this.createdAt();
        rows.push(values);
        this.changed(write.table, 'INSERT', values, {});
      }
      return { ok: true };
    }
    // Row-level security: every table lets a user change only their own rows.
    const hit = rows.filter((row) => matches(row, write.where) && row.user_id === user.id);
    if (write.requireMatch && hit.length === 0) return { ok: false, retry: false, reason: 'No rows matched: not found or not allowed' };
    for (const row of hit) {
      if (write.op === 'update') {
        const old = { ...row };
        Object.assign(row, write.table === 'flock_messages' ? messageUpdate(old, write.values, this.createdAt()) : write.values);
        this.changed(write.table, 'UPDATE', row, old);
      } else {
        rows.splice(rows.indexOf(row), 1);
        this.changed(write.table, 'DELETE', {}, row);
      }
    }
    return { ok: true };
  }

  /** Resolves once no member of this network has a delivery, read or write in flight (see `MemoryRoom.settled`). */
  async settled(): Promise<void> {
    // Each landing can set off more (a write's change, a presence echo): wait until all are quiet.
    for (let turns = 0; turns < 10_000; turns++) {
      if ([...this.members.values()].every((set) => [...set].every((member) => member.inFlight === 0))) return;
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    throw new Error('MemoryNetwork.settled: still busy after 10,000 turns');
  }

  /** @internal */
  enter(member: MemoryRoom): void {
    const set = this.members.get(member.name) ?? new Set();
    set.add(member);
    this.members.set(member.name, set);
    // Its meta arrives like any other: a malformed one is counted by everyone who receives it.
    this.presenceChanged(member.name, [{ key: member.user!.id, meta: member.ownMeta() }]);
  }

  /** @internal */
  exit(member: MemoryRoom): void {
    this.members.get(member.name)?.delete(member);
    this.presenceChanged(member.name);
  }

  /** @internal Tells every member of `room` that presence changed. */
  presenceChanged(room: string, arrived: RawPresence[] = []): void {
    for (const member of this.roomMembers(room)) member.presenceArrived(arrived);
  }

  /** @internal A member's broadcast, to the others in its room. */
  send(from: MemoryRoom, event: string, payload: unknown): void {
    for (const member of this.roomMembers(from.name)) if (member !== from) member.receive(event, payload);
  }

  private changed(table: FlockTable, eventType: 'INSERT' | 'UPDATE' | 'DELETE', row: Row, old: Row): void {
    const change = { eventType, table, new: { ...row }, old: { ...old }, commitTimestamp: new Date().toISOString() };
    for (const members of this.members.values()) for (const member of members) member.changeArrived(change);
  }

  private roomMembers(room: string): MemoryRoom[] {
    return [...(this.members.get(room) ?? [])];
  }

  /** Server-set and strictly increasing, as `clock_timestamp()` in the trigger makes them. */
  private createdAt(): string {
    this.lastCreatedAt = Math.max(Date.now(), this.lastCreatedAt + 1);
    return new Date(this.lastCreatedAt).toISOString();
  }
}

/** What the update trigger does to a message: identity fixed, deletion final and empty, edits stamped. */
function messageUpdate(old: Row, values: Row, now: string): Row {
  const next: Row = { ...values, id: old.id, room: old.room, user_id: old.user_id, created_at: old.created_at };
  if (old.deleted_at) return { ...next, body: '', deleted_at: old.deleted_at, edited_at: old.edited_at };
  if (values.deleted_at) return { ...next, body: '', deleted_at: now, edited_at: old.edited_at ?? null };
  return { ...next, edited_at: 'body' in values && values.body !== old.body ? now : (old.edited_at ?? null) };
}

import type { FlockTable, FlockUser, Row, RowChange, RowQuery, RowsResult, Write } from '../types.js';
import { runQuery } from './rows.js';
import { applyWrite, type WriteOutcome } from './schema.js';

export type { WriteOutcome } from './schema.js';

/**
 * The backend of MemoryRooms: shared tables, presence and broadcast between every member that
 * joins a room of the same name on one network — a stand-in server for Storybook and element
 * tests. It enforces the schema's rules (schema.ts, each citing its migration line), and lets
 * a story or test script the rest: `down`, `delayMs`, `refuse(...)`, `failNext(...)`,
 * `inject(...)`. It knows its members only as `NetworkMember`s (memory/transport.ts), never the
 * Room; `MemoryNetwork` (memory/room.ts) adds `join()`.
 */

export interface RawPresence {
  key: string;
  meta: unknown;
}

/** A member as the network sees it: a memory transport. */
export interface NetworkMember {
  readonly name: string;
  /** Its presence key and tracked meta, once it has tracked. */
  readonly tracked: RawPresence | undefined;
  /** Deliveries waiting to land. */
  readonly inFlight: number;
  presenceArrived(arrived: RawPresence[]): void;
  receive(event: string, payload: unknown): void;
  changeArrived(change: RowChange): void;
}

export class MemoryServer {
  /** While true, writes can't reach the "server": they wait in each member's outbox. */
  down = false;
  /** Milliseconds before reads, writes and deliveries complete, to show loading states. */
  delayMs = 0;
  readonly tables: Record<FlockTable, Row[]> = { flock_messages: [], flock_notifications: [], flock_reads: [] };
  /** Members per room name. */
  readonly #members = new Map<string, Set<NetworkMember>>();
  /** Presence injected by `injectPresence` (peers with no MemoryRoom of their own), per room. */
  readonly #rawPresence = new Map<string, RawPresence[]>();
  #refusal: ((write: Write, user: FlockUser) => string | undefined) | undefined;
  readonly #readFailures: string[] = [];
  #lastCreatedAt = 0;

  /** Makes the "server" refuse writes `decide` returns a reason for (RLS, a CHECK…). */
  refuse(decide: ((write: Write, user: FlockUser) => string | undefined) | undefined): void {
    this.#refusal = decide;
  }

  /** The next `count` reads fail with `reason`. */
  failNext(count: number, reason = 'Failed to fetch'): void {
    this.#readFailures.push(...Array.from({ length: count }, () => reason));
  }

  /** A raw broadcast from "a peer" to every member of `room`: each validates it as it would a real one. */
  inject(room: string, event: string, payload: unknown): void {
    for (const member of this.#roomMembers(room)) member.receive(event, payload);
  }

  /** A raw presence meta under `key` (a peer with no MemoryRoom): invalid ones are dropped and counted. */
  injectPresence(room: string, key: string, meta: unknown): void {
    this.#rawPresence.set(room, [...(this.#rawPresence.get(room) ?? []), { key, meta }]);
    for (const member of this.#roomMembers(room)) member.presenceArrived([{ key, meta }]);
  }

  /** Everyone's presence in `room`: members' tracked metas plus injected ones. */
  presenceOf(room: string): RawPresence[] {
    const own = this.#roomMembers(room).flatMap((m) => (m.tracked ? [m.tracked] : []));
    return [...own, ...(this.#rawPresence.get(room) ?? [])];
  }

  async query(query: RowQuery): Promise<RowsResult> {
    const failure = this.#readFailures.shift();
    if (failure !== undefined) throw new Error(failure);
    return runQuery(this.tables[query.table], query);
  }

  /** Applies a write as `user`, with the schema's rules (schema.ts) and the scripted refusals. */
  apply(write: Write, user: FlockUser): WriteOutcome {
    if (this.down) return { ok: false, retry: true, reason: 'Failed to fetch' };
    const refused = user.kind === 'visitor' ? undefined : this.#refusal?.(write, user);
    if (refused) return { ok: false, retry: false, reason: refused };
    const { outcome, changes } = applyWrite(this.tables[write.table], write, user, () => this.#createdAt());
    for (const { eventType, row, old } of changes) this.#changed(write.table, eventType, row, old);
    return outcome;
  }

  /** Resolves once no member of this network has a delivery, read or write in flight (see `MemoryRoom.settled`). */
  async settled(): Promise<void> {
    // Each landing can set off more (a write's change, a presence echo): wait until all are quiet.
    for (let turns = 0; turns < 10_000; turns++) {
      if ([...this.#members.values()].every((set) => [...set].every((member) => member.inFlight === 0))) return;
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    throw new Error('MemoryNetwork.settled: still busy after 10,000 turns');
  }

  /** @internal A member joined its room's channel. */
  enter(member: NetworkMember): void {
    const set = this.#members.get(member.name) ?? new Set();
    set.add(member);
    this.#members.set(member.name, set);
  }

  /** @internal */
  exit(member: NetworkMember): void {
    this.#members.get(member.name)?.delete(member);
    this.presenceChanged(member.name);
  }

  /** @internal Tells every member of `room` that presence changed; `arrived` are new raw metas. */
  presenceChanged(room: string, arrived: RawPresence[] = []): void {
    for (const member of this.#roomMembers(room)) member.presenceArrived(arrived);
  }

  /** @internal A member's broadcast, to the others in its room. */
  send(from: NetworkMember, event: string, payload: unknown): void {
    for (const member of this.#roomMembers(from.name)) if (member !== from) member.receive(event, payload);
  }

  #changed(table: FlockTable, eventType: 'INSERT' | 'UPDATE' | 'DELETE', row: Row, old: Row): void {
    const change = { eventType, table, new: { ...row }, old: { ...old }, commitTimestamp: new Date().toISOString() };
    for (const members of this.#members.values()) for (const member of members) member.changeArrived(change);
  }

  #roomMembers(room: string): NetworkMember[] {
    return [...(this.#members.get(room) ?? [])];
  }

  /** Server-set and strictly increasing, as `clock_timestamp()` in the trigger makes them. */
  #createdAt(): string {
    this.#lastCreatedAt = Math.max(Date.now(), this.#lastCreatedAt + 1);
    return new Date(this.#lastCreatedAt).toISOString();
  }
}

import { expect } from '@esm-bundle/chai';
import type { RowChange, Room, WriteRequest } from '../../src/connection/types.js';
import { waitFor } from '../support/browser-rooms.js';

/**
 * The Room contract as a suite, run against every implementation (the Supabase-backed Room
 * and MemoryRoom): what an element may rely on, whatever is behind the Room. A harness gives
 * members of one fresh room, each a different user, and the few things only a test can do.
 */
export interface RoomHarness {
  /** The room's name: every member is in it. */
  readonly roomName: string;
  /** `count` members, each a different user, joined and seeing each other. */
  members(count: number): Promise<Room[]>;
  /** A member leaves (as its element would, on removal). */
  leave(room: Room): Promise<void>;
  /** A raw broadcast into the room from a peer who is present: only the payload may be wrong. */
  inject(event: string, payload: unknown): Promise<void>;
  /** The backend becomes unreachable for this member, then reachable again. */
  offline(room: Room): Promise<void>;
  online(room: Room): Promise<void>;
  /** Rows of a table in this room, read as the backend holds them (not through the Room). */
  stored(table: 'flock_messages'): Promise<Record<string, unknown>[]>;
  teardown(): Promise<void>;
}

function message(room: string, body: string, extra: Record<string, unknown> = {}): WriteRequest {
  const id = crypto.randomUUID();
  return { key: id, kind: 'chat.send', label: body, write: { op: 'create', table: 'flock_messages', values: { id, room, author_name: 'Ada', body, ...extra } } };
}

/** Lets anything already sent arrive (used only to prove that something did not). */
const settle = () => new Promise((r) => setTimeout(r, 300));

export function roomContract(label: string, makeHarness: () => Promise<RoomHarness>): void {
  describe(`Room contract: ${label}`, function () {
    this.timeout(40_000);
    let h: RoomHarness;
    beforeEach(async () => {
      h = await makeHarness();
    });
    afterEach(async () => {
      await h.teardown();
    });

    it('resolves its user and shows itself in presence as a v1 meta', async () => {
      const [a] = await h.members(1);
      const user = a!.user!;
      expect(user.id).to.be.a('string').and.not.equal('');
      const metas = a!.presence.get(user.id)!;
      expect(metas).to.have.length(1);
      expect(metas[0]).to.include({ v: 1, id: user.id, name: user.name, color: user.color, status: 'active' });
      expect(metas[0]!.since).to.be.a('number');
    });

    it('shows members to each other, follows their status and drops them when they leave', async () => {
      const [a, b] = await h.members(2);
      expect([...a!.presence.keys()].sort()).to.deep.equal([a!.user!.id, b!.user!.id].sort());
      let events = 0;
      a!.addEventListener('presence', () => events++);
      b!.setPresenceStatus('away');
      await waitFor(() => a!.presence.get(b!.user!.id)?.[0]?.status === 'away', 'b away');
      expect(events).to.be.greaterThan(0);
      await h.leave(b!);
      await waitFor(() => !a!.presence.has(b!.user!.id), 'b gone');
    });

    it('delivers a broadcast to the others, not to the sender, with v and id filled in', async () => {
      const [a, b] = await h.members(2);
      const atA: unknown[] = [];
      const atB: unknown[] = [];
      a!.onBroadcast('typing', (p) => atA.push(p));
      b!.onBroadcast('typing', (p) => atB.push(p));
      expect(await a!.broadcast('typing', { typing: true })).to.equal(true);
      await waitFor(() => atB.length === 1, 'b got it');
      expect(atB[0]).to.deep.equal({ v: 1, id: a!.user!.id, typing: true });
      await settle();
      expect(atA).to.deep.equal([]);
    });

    it('drops and counts malformed broadcasts and ones naming someone not present, delivering none', async () => {
      const [a] = await h.members(1);
      const got: unknown[] = [];
      a!.onBroadcast('cursor', (p) => got.push(p));
      const before = a!.connection.dropped;
      await h.inject('cursor', { v: 1, id: 'nobody-here', x: 0.5, y: 0.5 });
      await h.inject('cursor', { v: 1, id: a!.user!.id, x: Number.POSITIVE_INFINITY, y: 0 });
      await h.inject('cursor', { v: 2, x: 'left' });
      await h.inject('cursor', 'x'.repeat(10_000));
      await waitFor(() => a!.connection.dropped - before === 4, 'four drops');
      expect(got).to.deep.equal([]);
    });

    it('stops delivering to a listener once it unsubscribes', async () => {
      const [a, b] = await h.members(2);
      const got: unknown[] = [];
      const off = b!.onBroadcast('typing', (p) => got.push(p));
      await a!.broadcast('typing', { typing: true });
      await waitFor(() => got.length === 1, 'first');
      off();
      await a!.broadcast('typing', { typing: false });
      await settle();
      expect(got).to.have.length(1);
    });

    it('writes rows that arrive as changes on a filtered binding and read back in order, by page and with a count', async () => {
      const [a, b] = await h.members(2);
      const changes: RowChange[] = [];
      b!.onChanges({ event: 'INSERT', table: 'flock_messages', filter: `room=eq.${h.roomName}` }, (c) => changes.push(c));
      a!.onChanges({ event: 'INSERT', table: 'flock_messages', filter: 'room=eq.some-other-room' }, () => expect.fail('wrong room'));
      await settle();
      for (const body of ['one', 'two', 'three']) {
        expect(await a!.write(message(h.roomName, body))).to.deep.equal({ state: 'sent' });
      }
      await waitFor(() => changes.length === 3, 'three changes');
      expect(changes.map((c) => [c.eventType, c.new.body])).to.deep.equal([
        ['INSERT', 'one'],
        ['INSERT', 'two'],
        ['INSERT', 'three'],
      ]);

      const newest = await b!.rows({
        table: 'flock_messages',
        where: [{ column: 'room', op: 'eq', value: h.roomName }],
        order: [
          { column: 'created_at', ascending: false },
          { column: 'id', ascending: false },
        ],
        limit: 2,
        count: true,
      });
      expect(newest.rows.map((r) => r.body)).to.deep.equal(['three', 'two']);
      expect(newest.count).to.equal(3);
      const last = newest.rows[1]!;
      const older = await b!.rows({
        table: 'flock_messages',
        where: [{ column: 'room', op: 'eq', value: h.roomName }],
        before: { columns: ['created_at', 'id'], values: [last.created_at as string, last.id as string] },
        order: [
          { column: 'created_at', ascending: false },
          { column: 'id', ascending: false },
        ],
        limit: 2,
      });
      expect(older.rows.map((r) => r.body)).to.deep.equal(['one']);
    });

    it('keeps a refused write as failed until it is retried or discarded', async () => {
      const [a] = await h.members(1);
      let changes = 0;
      a!.addEventListener('writes', () => changes++);
      const refused = message(h.roomName, 'as someone else', { user_id: crypto.randomUUID() });
      const result = await a!.write(refused);
      expect(result.state).to.equal('failed');
      expect(result.state === 'failed' ? result.reason : '').to.match(/row-level security/);
      expect(a!.writes.map((w) => [w.key, w.state])).to.deep.equal([[refused.key, 'failed']]);
      expect(a!.connection.failed).to.equal(1);
      expect(changes).to.be.greaterThan(0);
      expect((await a!.retryWrite(refused.key))?.state).to.equal('failed');
      await a!.discardWrite(refused.key);
      await waitFor(() => a!.writes.length === 0, 'discarded');
      expect(a!.connection.failed).to.equal(0);
      expect(await h.stored('flock_messages')).to.deep.equal([]);
    });

    it('queues writes made offline and sends each exactly once, in order, when the connection returns, then asks to resync', async () => {
      const [a] = await h.members(1);
      let resyncs = 0;
      a!.addEventListener('resync', () => resyncs++);
      await h.offline(a!);
      expect(a!.connection.status).to.not.equal('connected');
      for (const body of ['one', 'two']) expect(await a!.write(message(h.roomName, body))).to.deep.equal({ state: 'queued' });
      expect(a!.connection.queued).to.equal(2);
      await h.online(a!);
      await waitFor(() => a!.connection.status === 'connected' && a!.writes.length === 0, 'sent', 20_000);
      await waitFor(() => resyncs >= 1, 'resync');
      const rows = await h.stored('flock_messages');
      expect(rows.map((r) => r.body)).to.deep.equal(['one', 'two']);
    });
  });
}

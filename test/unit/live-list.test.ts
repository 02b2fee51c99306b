import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRoom } from '../../src/connection/memory/room.js';
import type { ReadOptions, Room, Row, RowQuery, RowsResult } from '../../src/connection/types.js';
import { CATCH_UP_PAGE, CATCH_UP_PAGES, LIST, LiveList, type ListStatus, type LiveListOptions } from '../../src/elements/live/live-list.js';
import { fromRow, type ChatMessage } from '../../src/elements/chat/timeline.js';
import { FakeClock } from './support/fake-clock.js';
import { TestHost } from './support/room-host.js';

// LiveList over a real MemoryRoom (it runs in node): reads, changes and resyncs are the Room's
// own. The one addition is GatedRoom below, a MemoryRoom whose reads the test can hold and
// release one by one, because "which answer lands" is what these tests are about. The list's
// retry timer runs on a FakeClock; the room's deliveries are awaited with `settled()`.

const ROOM = 'lobby';
const base = Date.UTC(2026, 0, 1);

function row(i: number): Row {
  return { id: `m${String(i).padStart(5, '0')}`, room: ROOM, user_id: 'bo', author_name: 'Bo', body: `#${i}`, created_at: new Date(base + i * 1000).toISOString(), edited_at: null, deleted_at: null };
}
const rows = (from: number, to: number): Row[] => Array.from({ length: to - from + 1 }, (_, k) => row(from + k));
const ids = (list: LiveList<ChatMessage>): string[] => list.items.map((m) => m.body);

interface Read {
  query: RowQuery;
  signal: AbortSignal | undefined;
  release(): void;
}

/** A MemoryRoom whose reads can be held: each is answered as the rows were when it was asked, once released. */
class GatedRoom extends MemoryRoom {
  readonly reads: Read[] = [];
  hold = false;

  override async rows(query: RowQuery, options: ReadOptions = {}): Promise<RowsResult> {
    if (!this.hold) {
      this.reads.push({ query, signal: options.signal, release: () => undefined });
      return super.rows(query, options);
    }
    // Not told about the signal: a Room slower to honour an abort than the list must still lose.
    const answer = super.rows(query);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    this.reads.push({ query, signal: options.signal, release });
    await released;
    return answer;
  }
}

function chatList(room: Room, overrides: Partial<LiveListOptions<ChatMessage>> = {}) {
  const clock = new FakeClock();
  const host = new TestHost(room);
  const statuses: ListStatus[] = [];
  const list = new LiveList<ChatMessage>(host.host, {
    source: (r) => ({ table: 'flock_messages', where: [{ column: 'room', op: 'eq', value: r.name }], filter: `room=eq.${r.name}` }),
    parse: (r, at) => {
      const message = fromRow(r);
      return message?.room === at.name ? message : undefined;
    },
    pageSize: () => 3,
    afterResync: 'catch-up',
    changed: () => {
      if (statuses.at(-1) !== list.status) statuses.push(list.status);
    },
    clock,
    ...overrides,
  });
  host.connect();
  return { list, host, clock, statuses };
}

/** A released read's answer travels through a few promise steps before the list has it: one turn of the event loop, then the room's own deliveries. */
async function answered(room: MemoryRoom): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  await room.settled();
}

async function reconnect(room: MemoryRoom, whileAway: () => void = () => undefined): Promise<void> {
  room.script({ status: 'reconnecting' });
  whileAway();
  room.script({ status: 'connected' });
  await room.settled();
}

test('status: initial, pending, complete; a failed reload is error with the reason, and Try again completes', async () => {
  const room = new MemoryRoom({ room: ROOM, user: { id: 'ada', name: 'Ada' }, rows: { flock_messages: rows(1, 2) } });
  room.network.failNext(1, 'boom');
  const { list, statuses, host } = chatList(room);
  assert.deepEqual(statuses, [LIST.pending], 'reading from the moment the room is known');
  await room.settled();
  assert.equal(list.status, LIST.error);
  assert.equal(list.error, 'boom');
  await list.reload();
  assert.deepEqual(statuses, [LIST.pending, LIST.error, LIST.pending, LIST.complete]);
  assert.equal(list.error, '');
  assert.deepEqual(ids(list), ['#1', '#2']);
  host.disconnect();
  assert.equal(list.status, LIST.initial, 'no room, nothing asked');
  room.close();
});

test('pages back in (created_at, id) order until nothing is older', async () => {
  const room = new MemoryRoom({ room: ROOM, user: { id: 'ada', name: 'Ada' }, rows: { flock_messages: rows(1, 7) } });
  const { list } = chatList(room);
  await room.settled();
  assert.deepEqual(ids(list), ['#5', '#6', '#7']);
  assert.equal(list.watermark?.body, '#7');
  assert.equal(list.hasOlder, true);
  assert.equal(await list.older(), 3);
  assert.deepEqual(ids(list), ['#2', '#3', '#4', '#5', '#6', '#7']);
  assert.equal(list.hasOlder, true);
  assert.equal(await list.older(), 1);
  assert.equal(list.hasOlder, false);
  assert.equal(await list.older(), 0, 'nothing older to ask for');
  assert.deepEqual(ids(list), ['#1', '#2', '#3', '#4', '#5', '#6', '#7']);
  room.close();
});

test('catch-up across a gap reads only what is newer than the watermark, page by page, and live inserts then move the mark', async () => {
  const room = new GatedRoom({ room: ROOM, user: { id: 'ada', name: 'Ada' }, rows: { flock_messages: rows(1, 3) } });
  const { list } = chatList(room);
  await room.settled();
  assert.equal(list.watermark?.body, '#3');
  const before = room.reads.length;
  // Missed while away: rows the server has but no change delivered.
  await reconnect(room, () => room.network.tables.flock_messages.push(...rows(4, 3 + CATCH_UP_PAGE + 50)));
  await room.settled();
  const catchUps = room.reads.slice(before).map((r) => r.query);
  assert.equal(catchUps.length, 2, 'one full page and the rest');
  assert.deepEqual(catchUps[0]!.after, { columns: ['created_at', 'id'], values: [row(3).created_at, row(3).id] });
  assert.equal(catchUps[0]!.order?.[0]?.ascending, true);
  assert.deepEqual(catchUps[1]!.after?.values, [row(3 + CATCH_UP_PAGE).created_at, row(3 + CATCH_UP_PAGE).id]);
  assert.equal(list.items.length, 3 + CATCH_UP_PAGE + 50);
  assert.equal(list.watermark?.id, row(3 + CATCH_UP_PAGE + 50).id);
  assert.equal(list.status, LIST.complete);
  // Back to the present with the connection up: a live insert follows on from the mark.
  const bo = room.network.join({ room: ROOM, user: { id: 'bo', name: 'Bo' } });
  await bo.write({ key: 'live-1', kind: 'chat.send', write: { op: 'create', table: 'flock_messages', values: { id: 'live-1', room: ROOM, user_id: 'bo', body: 'live' } } });
  await room.settled();
  assert.equal(list.watermark?.id, 'live-1');
  bo.close();
  room.close();
});

test('an insert heard while disconnected is shown but does not move the watermark past the gap', async () => {
  const room = new GatedRoom({ room: ROOM, user: { id: 'ada', name: 'Ada' }, rows: { flock_messages: rows(1, 3) } });
  const bo = room.network.join({ room: ROOM, user: { id: 'bo', name: 'Bo' } });
  const { list } = chatList(room);
  await room.settled();
  room.script({ status: 'reconnecting' });
  room.network.tables.flock_messages.push(row(4));
  await bo.write({ key: 'late', kind: 'chat.send', write: { op: 'create', table: 'flock_messages', values: { id: 'late', room: ROOM, user_id: 'bo', body: 'late' } } });
  await room.settled();
  assert.ok(list.get('late'), 'held');
  assert.equal(list.watermark?.body, '#3', 'the mark stays before the gap');
  const before = room.reads.length;
  room.script({ status: 'connected' });
  await room.settled();
  assert.deepEqual(room.reads[before]?.query.after?.values, [row(3).created_at, row(3).id], 'caught up from before the gap');
  assert.deepEqual(ids(list).slice(-2), ['#4', 'late']);
  bo.close();
  room.close();
});

test(`a gap wider than ${CATCH_UP_PAGES} catch-up pages is given up on: the newest page is read afresh`, async () => {
  const room = new GatedRoom({ room: ROOM, user: { id: 'ada', name: 'Ada' }, rows: { flock_messages: rows(1, 3) } });
  const { list } = chatList(room);
  await room.settled();
  const before = room.reads.length;
  await reconnect(room, () => room.network.tables.flock_messages.push(...rows(4, 3 + CATCH_UP_PAGE * CATCH_UP_PAGES + 5)));
  await room.settled();
  const queries = room.reads.slice(before).map((r) => r.query);
  assert.equal(queries.length, CATCH_UP_PAGES + 1);
  assert.equal(queries.at(-1)!.after, undefined, 'the last read is the newest page');
  assert.equal(queries.at(-1)!.order?.[0]?.ascending, false);
  assert.deepEqual(ids(list), rows(CATCH_UP_PAGE * CATCH_UP_PAGES + 6, CATCH_UP_PAGE * CATCH_UP_PAGES + 8).map((r) => r.body));
  room.close();
});

test('a reload during a read: the newest read wins and the older is aborted, whichever answers first', async () => {
  for (const order of ['older answers last', 'older answers first'] as const) {
    const room = new GatedRoom({ room: ROOM, user: { id: 'ada', name: 'Ada' }, rows: { flock_messages: rows(1, 2) } });
    room.hold = true;
    const { list } = chatList(room);
    await room.settled();
    assert.equal(room.reads.length, 1);
    assert.equal(list.status, LIST.pending);
    room.network.tables.flock_messages.push(row(3));
    const reloaded = list.reload();
    await room.settled();
    const [first, second] = room.reads;
    assert.equal(first!.signal?.aborted, true, 'the older read is aborted');
    assert.equal(second!.signal?.aborted, false);
    if (order === 'older answers first') first!.release();
    second!.release();
    await reloaded;
    first!.release();
    await answered(room);
    assert.deepEqual(ids(list), ['#1', '#2', '#3'], order);
    assert.equal(list.status, LIST.complete);
    room.close();
  }
});

test('a resync during a reload is one more reload, not a reload and a catch-up', async () => {
  const room = new GatedRoom({ room: ROOM, user: { id: 'ada', name: 'Ada' }, rows: { flock_messages: rows(1, 2) } });
  room.hold = true;
  const { list } = chatList(room);
  await room.settled();
  room.network.tables.flock_messages.push(row(3));
  await reconnect(room);
  assert.equal(room.reads.length, 2);
  assert.equal(room.reads[0]!.signal?.aborted, true);
  assert.equal(room.reads[1]!.query.after, undefined, 'the newest page again');
  room.hold = false;
  for (const read of room.reads) read.release();
  await answered(room);
  assert.equal(room.reads.length, 2, 'no catch-up read follows');
  assert.deepEqual(ids(list), ['#1', '#2', '#3']);
  room.close();
});

test('a failed catch-up is tried again after 1 s, then 2 s, and the schedule starts over after a success', async () => {
  const room = new MemoryRoom({ room: ROOM, user: { id: 'ada', name: 'Ada' }, rows: { flock_messages: rows(1, 2) } });
  const { list, clock } = chatList(room);
  await room.settled();
  room.network.failNext(2);
  await reconnect(room, () => room.network.tables.flock_messages.push(row(3)));
  assert.deepEqual(clock.delays, [1000]);
  assert.equal(list.status, LIST.complete, 'what is held is still right');
  clock.tick(999);
  await room.settled();
  assert.deepEqual(clock.delays, [1]);
  clock.tick(1);
  await room.settled();
  assert.deepEqual(clock.delays, [2000]);
  clock.tick(2000);
  await room.settled();
  assert.deepEqual(clock.delays, []);
  assert.deepEqual(ids(list), ['#1', '#2', '#3']);
  room.network.failNext(1);
  await reconnect(room);
  assert.deepEqual(clock.delays, [1000], 'a success reset the schedule');
  room.close();
});

test("a 'reload' list reads its newest page afresh after a resync, keeping what was heard during the read", async () => {
  const room = new GatedRoom({ room: ROOM, user: { id: 'ada', name: 'Ada' }, rows: { flock_messages: rows(1, 2) } });
  const bo = room.network.join({ room: ROOM, user: { id: 'bo', name: 'Bo' } });
  const { list } = chatList(room, { afterResync: 'reload' });
  await room.settled();
  room.hold = true;
  await reconnect(room);
  assert.equal(room.reads.at(-1)!.query.after, undefined);
  // Inserted after that read was answered: only the live change brings it.
  await bo.write({ key: 'heard', kind: 'chat.send', write: { op: 'create', table: 'flock_messages', values: { id: 'heard', room: ROOM, user_id: 'bo', body: 'heard' } } });
  await room.settled();
  room.reads.at(-1)!.release();
  await answered(room);
  assert.deepEqual(ids(list), ['#1', '#2', 'heard']);
  bo.close();
  room.close();
});

test('leaving the room aborts the read in flight, forgets what was held and leaves no timer', async () => {
  const room = new GatedRoom({ room: ROOM, user: { id: 'ada', name: 'Ada' }, rows: { flock_messages: rows(1, 2) } });
  const { list, host, clock } = chatList(room);
  await room.settled();
  room.network.failNext(1);
  await reconnect(room);
  assert.equal(clock.pending, 1, 'a catch-up retry is planned');
  room.hold = true;
  void list.reload();
  await room.settled();
  host.disconnect();
  assert.equal(room.reads.at(-1)!.signal?.aborted, true);
  assert.equal(list.status, LIST.initial);
  assert.deepEqual(list.items, []);
  assert.equal(clock.pending, 0);
  room.reads.at(-1)!.release();
  await answered(room);
  assert.deepEqual(list.items, [], 'the aborted answer never lands');
  room.close();
});

test('changes: an edit of a message older than the list holds is ignored, a delete removes, another room is not ours', async () => {
  const room = new MemoryRoom({ room: ROOM, user: { id: 'ada', name: 'Ada' }, rows: { flock_messages: rows(1, 5) } });
  const applied: string[] = [];
  const { list } = chatList(room, { applied: (change, item, before) => applied.push(`${change.eventType} ${item?.body ?? '-'} ${before?.body ?? '-'}`) });
  await room.settled();
  const bo = room.network.join({ room: ROOM, user: { id: 'bo', name: 'Bo' } });
  const edit = (id: string, body: string) => bo.write({ key: `e-${id}`, kind: 'chat.edit', write: { op: 'update', table: 'flock_messages', values: { body }, where: [{ column: 'id', op: 'eq', value: id }] } });
  await edit(row(1).id as string, 'old edit');
  await edit(row(4).id as string, 'new edit');
  await bo.write({ key: 'd', kind: 'chat.delete', write: { op: 'delete', table: 'flock_messages', where: [{ column: 'id', op: 'eq', value: row(5).id as string }] } });
  await room.settled();
  assert.deepEqual(ids(list), ['#3', 'new edit']);
  assert.deepEqual(applied, ['UPDATE - -', 'UPDATE new edit #4', 'DELETE - #5']);
  bo.close();
  room.close();
});

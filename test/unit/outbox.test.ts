import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryOutboxDb, MemoryStore } from '../../src/connection/outbox/memory-store.js';
import { Outbox, writeCounts, type OutboxEntry, type SendOutcome } from '../../src/connection/outbox/outbox.js';
import { LOCK_RETRY_MS, WriteQueue } from '../../src/connection/outbox/write-queue.js';
import { Timers } from '../../src/connection/timers.js';
import type { Write, WriteRequest } from '../../src/connection/types.js';
import { FakeClock } from './support/fake-clock.js';

/**
 * The outbox and the write queue over the in-memory store, with a scripted sender and a fake
 * clock: order, exactly once, refusals, failed/retry/discard, and the one retry the queue
 * plans (another tab holding the replay lock), at its exact delay.
 */

const SCOPE = 'http://127.0.0.1:54321|user-1';

/** Lets every pending promise callback run (no time passes on any clock). */
const drain = () => new Promise<void>((resolve) => setImmediate(resolve));

function request(key: string, body = key): WriteRequest {
  return { key, kind: 'chat.send', write: { op: 'create', table: 'flock_messages', values: { id: key, body } } };
}

/** A sender that records each write's id and answers from `script` (ok by default); `hold` makes it wait. */
function sender(script: Record<string, SendOutcome | 'throw'> = {}) {
  const sent: string[] = [];
  let gate: Promise<void> | undefined;
  let open = () => {};
  return {
    sent,
    hold() {
      gate = new Promise((resolve) => (open = resolve));
    },
    release() {
      gate = undefined;
      open();
    },
    send: async (write: Write): Promise<SendOutcome> => {
      const id = String((write as unknown as { values: { id: string } }).values.id);
      sent.push(id);
      if (gate) await gate;
      const answer = script[id];
      if (answer === 'throw') throw new Error('Failed to fetch');
      return answer ?? { ok: true };
    },
  };
}

const entrySender = (send: (write: Write) => Promise<SendOutcome>) => (entry: OutboxEntry) => send((entry.payload as WriteRequest).write);

async function setup(options: { online?: boolean; db?: MemoryOutboxDb; script?: Record<string, SendOutcome | 'throw'> } = {}) {
  const clock = new FakeClock();
  const outbox = await Outbox.open(new MemoryStore(SCOPE, options.db), () => clock.now());
  const wire = sender(options.script);
  let online = options.online ?? true;
  const queue = new WriteQueue(wire.send, async () => outbox, new Timers(clock), () => online);
  return { clock, outbox, wire, queue, goOffline: () => (online = false), goOnline: () => (online = true) };
}

test('replays queued writes once, in the order they were made, and a key queued twice once', async () => {
  const { outbox, wire, clock } = await setup();
  await outbox.enqueue('chat.send', 'm1', request('m1', 'one'));
  await outbox.enqueue('chat.send', 'm2', request('m2'));
  await outbox.enqueue('chat.send', 'm1', request('m1', 'changed'));
  await outbox.enqueue('chat.send', 'm3', request('m3'));
  assert.deepEqual(outbox.list.map((e) => [e.key, e.seq, e.state, e.attempts, e.queuedAt]), [
    ['m1', 1, 'pending', 0, clock.now()],
    ['m2', 2, 'pending', 0, clock.now()],
    ['m3', 3, 'pending', 0, clock.now()],
  ]);
  assert.equal((outbox.list[0]!.payload as WriteRequest).write.op, 'create');
  assert.equal(((outbox.list[0]!.payload as WriteRequest).write as unknown as { values: { body: string } }).values.body, 'one');
  assert.deepEqual(await outbox.replay(entrySender(wire.send)), { replayed: true, sent: 3, failed: 0, remaining: 0 });
  assert.deepEqual(await outbox.replay(entrySender(wire.send)), { replayed: true, sent: 0, failed: 0, remaining: 0 });
  assert.deepEqual(wire.sent, ['m1', 'm2', 'm3']);
  assert.deepEqual(outbox.list, []);
});

test('a refusal fails that write and the rest go on; a network failure stops the replay there, order kept', async () => {
  const script: Record<string, SendOutcome | 'throw'> = { m2: { ok: false, retry: false, reason: 'violates check' }, m4: 'throw' };
  const { outbox, wire } = await setup({ script });
  for (const key of ['m1', 'm2', 'm3', 'm4', 'm5']) await outbox.enqueue('chat.send', key, request(key));
  assert.deepEqual(await outbox.replay(entrySender(wire.send)), { replayed: true, sent: 2, failed: 1, remaining: 2 });
  assert.deepEqual(wire.sent, ['m1', 'm2', 'm3', 'm4']);
  assert.deepEqual(outbox.list.map((e) => [e.key, e.state, e.attempts, e.error]), [
    ['m2', 'failed', 1, 'violates check'],
    ['m4', 'pending', 1, undefined],
    ['m5', 'pending', 0, undefined],
  ]);
  assert.deepEqual(writeCounts(outbox.list), { queued: 2, failed: 1 });
  delete script.m4;
  assert.deepEqual(await outbox.replay(entrySender(wire.send)), { replayed: true, sent: 2, failed: 0, remaining: 0 });
  assert.deepEqual(wire.sent, ['m1', 'm2', 'm3', 'm4', 'm4', 'm5']);
  assert.deepEqual(outbox.list.map((e) => e.key), ['m2']);
});

test('retry puts a failed write back in its place; discard drops it for good', async () => {
  const script: Record<string, SendOutcome | 'throw'> = { m1: { ok: false, retry: false, reason: 'refused' } };
  const { outbox, wire } = await setup({ script });
  await outbox.enqueue('chat.send', 'm1', request('m1'));
  await outbox.replay(entrySender(wire.send));
  await outbox.enqueue('chat.send', 'm2', request('m2'));
  await outbox.enqueue('chat.send', 'm3', request('m3'));
  await outbox.retry('m1');
  assert.deepEqual(outbox.list.map((e) => [e.key, e.seq, e.state, e.error]), [
    ['m1', 1, 'pending', undefined],
    ['m2', 2, 'pending', undefined],
    ['m3', 3, 'pending', undefined],
  ]);
  await outbox.retry('m2'); // not failed: unchanged
  assert.equal(outbox.list[1]!.state, 'pending');
  await outbox.discard('m2');
  delete script.m1;
  await outbox.replay(entrySender(wire.send));
  assert.deepEqual(wire.sent, ['m1', 'm1', 'm3']);
  assert.deepEqual(outbox.list, []);
});

test('two holders of one scope: one replays at a time, and each sees the other\'s changes', async () => {
  const db = new MemoryOutboxDb();
  const tabA = await Outbox.open(new MemoryStore(SCOPE, db));
  const tabB = await Outbox.open(new MemoryStore(SCOPE, db));
  const other = await Outbox.open(new MemoryStore('https://other.supabase.co|user-1', db));
  const seen: string[][] = [];
  tabB.subscribe((entries) => seen.push(entries.map((e) => e.key)));
  await tabA.enqueue('chat.send', 'm1', request('m1'));
  await drain();
  assert.deepEqual(seen, [['m1']]);
  assert.equal(tabB.queued, 1);
  assert.equal(other.queued, 0);

  const wire = sender();
  wire.hold();
  const replayA = tabA.replay(entrySender(wire.send));
  await drain();
  assert.deepEqual(await tabB.replay(entrySender(wire.send)), { replayed: false, sent: 0, failed: 0, remaining: 1 });
  wire.release();
  assert.deepEqual(await replayA, { replayed: true, sent: 1, failed: 0, remaining: 0 });
  await drain();
  assert.deepEqual(wire.sent, ['m1']);
  assert.deepEqual(tabB.list, []);
  tabB.close();
  await tabA.enqueue('chat.send', 'm2', request('m2'));
  await drain();
  assert.equal(seen.length, 2, 'a closed holder hears nothing');
});

test('online with nothing waiting, a write is sent at once and leaves no entry', async () => {
  const { queue, outbox, wire } = await setup();
  const states: number[] = [];
  outbox.subscribe((entries) => states.push(entries.length));
  assert.deepEqual(await queue.write(request('m1')), { state: 'sent' });
  assert.deepEqual(wire.sent, ['m1']);
  assert.deepEqual(outbox.list, []);
  assert.deepEqual(states, [1, 0]);
});

test('offline, writes wait as queued; each flush stops at the head the network refused', async () => {
  const { queue, outbox, wire } = await setup({ online: false, script: { m1: 'throw', m2: 'throw' } });
  assert.deepEqual(await queue.write(request('m1')), { state: 'queued' });
  assert.deepEqual(await queue.write(request('m2')), { state: 'queued' });
  assert.deepEqual(await queue.write(request('m1')), { state: 'queued' });
  // Each write's flush tried the head of the queue and stopped at it.
  assert.deepEqual(wire.sent, ['m1', 'm1', 'm1']);
  assert.deepEqual(writeCounts(outbox.list), { queued: 2, failed: 0 });
});

test('back online, one flush sends every waiting write once, in order', async () => {
  const script: Record<string, SendOutcome | 'throw'> = { m1: 'throw' };
  const { queue, outbox, wire, goOnline } = await setup({ online: false, script });
  await queue.write(request('m1'));
  await queue.write(request('m2'));
  await queue.write(request('m3'));
  assert.equal(outbox.queued, 3);
  delete script.m1;
  goOnline();
  wire.sent.length = 0;
  await queue.flush();
  assert.deepEqual(wire.sent, ['m1', 'm2', 'm3']);
  assert.deepEqual(outbox.list, []);
  await queue.flush();
  assert.deepEqual(wire.sent, ['m1', 'm2', 'm3'], 'nothing is sent twice');
});

test('a refused write is failed with the server\'s reason until retried (then sent) or discarded', async () => {
  const script: Record<string, SendOutcome | 'throw'> = { m1: { ok: false, retry: false, reason: 'new row violates row-level security policy' }, m2: { ok: false, retry: false, reason: 'too long' } };
  const { queue, outbox, wire } = await setup({ script });
  assert.deepEqual(await queue.write(request('m1')), { state: 'failed', reason: 'new row violates row-level security policy' });
  assert.deepEqual(await queue.write(request('m2')), { state: 'failed', reason: 'too long' });
  assert.deepEqual(writeCounts(outbox.list), { queued: 0, failed: 2 });
  assert.equal(await queue.retry('nope'), undefined);
  delete script.m1;
  assert.deepEqual(await queue.retry('m1'), { state: 'sent' });
  await queue.discard('m2');
  assert.deepEqual(outbox.list, []);
  assert.deepEqual(wire.sent, ['m1', 'm2', 'm1']);
});

test('a write made while a direct send is in flight waits for it: order holds', async () => {
  const { queue, outbox, wire } = await setup();
  wire.hold();
  const first = queue.write(request('m1'));
  await drain();
  const second = queue.write(request('m2'));
  await drain();
  assert.deepEqual(wire.sent, ['m1'], 'm2 waits behind m1');
  assert.deepEqual(outbox.list.map((e) => e.key), ['m1', 'm2']);
  wire.release();
  assert.deepEqual(await first, { state: 'sent' });
  assert.deepEqual(await second, { state: 'sent' });
  assert.deepEqual(wire.sent, ['m1', 'm2']);
  assert.deepEqual(outbox.list, []);
});

test('another tab holding the replay lock: the queue looks again after exactly LOCK_RETRY_MS, once', async () => {
  const db = new MemoryOutboxDb();
  const { queue, outbox, wire, clock } = await setup({ db, online: false });
  const otherTab = new MemoryStore(SCOPE, db);
  let unlock = () => {};
  const held = otherTab.exclusive(() => new Promise<void>((resolve) => (unlock = resolve)));
  assert.deepEqual(await queue.write(request('m1')), { state: 'queued' });
  assert.deepEqual(wire.sent, []);
  assert.deepEqual(clock.delays, [LOCK_RETRY_MS]);
  assert.equal(LOCK_RETRY_MS, 1000);
  unlock();
  await held;
  clock.tick(LOCK_RETRY_MS - 1);
  await drain();
  assert.deepEqual(wire.sent, []);
  clock.tick(1);
  await drain();
  assert.deepEqual(wire.sent, ['m1']);
  assert.deepEqual(outbox.list, []);
  assert.equal(clock.pending, 0, 'a replay that ran plans nothing more');
});

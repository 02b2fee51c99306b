import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SupabaseClient } from '@supabase/supabase-js';
import { ChannelSession } from '../../src/connection/supabase/channel-session.js';
import { Timers } from '../../src/connection/timers.js';
import { FakeClock } from './support/fake-clock.js';

/**
 * ChannelSession's own logic: when it joins, how many times, with which bindings, and when it
 * joins again after the server ended the channel. The channel here is a stand-in that records
 * what the session asked of it — this file is about the session's decisions, not supabase-js,
 * which test/connection/flock-room.test.ts drives against the local server.
 */

type Status = 'SUBSCRIBED' | 'CLOSED' | 'CHANNEL_ERROR' | 'TIMED_OUT';

class FakeChannel {
  state: 'joining' | 'joined' | 'closed' = 'joining';
  readonly bindings: { event: string; table: string; filter?: string }[] = [];
  #status: ((status: Status) => void) | undefined;
  constructor(
    readonly topic: string,
    readonly params: { config: { presence?: { key: string } } },
  ) {}
  on(type: string, filter: { event: string; table: string; filter?: string }): this {
    if (type === 'postgres_changes') this.bindings.push({ event: filter.event, table: filter.table, ...(filter.filter ? { filter: filter.filter } : {}) });
    return this;
  }
  subscribe(callback: (status: Status) => void): this {
    this.#status = callback;
    return this;
  }
  /** What the server answers: the session hears it through the subscribe callback. */
  report(status: Status): void {
    this.state = status === 'SUBSCRIBED' ? 'joined' : 'closed';
    this.#status?.(status);
  }
}

function fakeClient() {
  const built: FakeChannel[] = [];
  const removed: FakeChannel[] = [];
  let setAuths = 0;
  const client = {
    channel: (topic: string, params: FakeChannel['params']) => {
      const channel = new FakeChannel(`realtime:${topic}`, params);
      built.push(channel);
      return channel;
    },
    removeChannel: async (channel: FakeChannel) => void removed.push(channel),
    realtime: { setAuth: async () => void setAuths++ },
  };
  return { client: client as unknown as SupabaseClient, built, removed, setAuths: () => setAuths };
}

/** Lets the session's promise chain run (no time passes). */
const drain = () => new Promise<void>((resolve) => setImmediate(resolve));

async function setup() {
  const clock = new FakeClock();
  const timers = new Timers(clock);
  const fake = fakeClient();
  // Jitter fixed at half the ceiling: 500 ms, 1 s, 2 s …
  const session = new ChannelSession(fake.client, timers, { random: () => 0.5 });
  const joined: boolean[] = [];
  const start = () => session.start({ topic: 'flock:lobby', presenceKey: 'user-1', onJoined: (first) => joined.push(first) });
  const turn = async () => {
    clock.tick(0);
    await drain();
  };
  return { clock, timers, session, joined, start, turn, ...fake };
}

const noop = () => {};

test('bindings registered before start and in its task are joined together, in one join', async () => {
  const { session, start, turn, built, joined } = await setup();
  session.addBinding({ event: 'INSERT', table: 'flock_messages', filter: 'room=eq.lobby' }, noop);
  start();
  session.addBinding({ event: '*', table: 'flock_reads', filter: 'room=eq.lobby' }, noop);
  await turn();
  assert.equal(session.joins, 1);
  assert.equal(built.length, 1);
  assert.equal(built[0]!.topic, 'realtime:flock:lobby');
  assert.equal(built[0]!.params.config.presence?.key, 'user-1');
  assert.deepEqual(built[0]!.bindings, [
    { event: 'INSERT', table: 'flock_messages', filter: 'room=eq.lobby' },
    { event: '*', table: 'flock_reads', filter: 'room=eq.lobby' },
  ]);
  built[0]!.report('SUBSCRIBED');
  assert.deepEqual(joined, [true]);
});

test('nothing joins before start, however many bindings arrive', async () => {
  const { session, turn, built, clock } = await setup();
  session.addBinding({ event: 'INSERT', table: 'flock_messages' }, noop);
  session.addBinding({ event: 'UPDATE', table: 'flock_messages' }, noop);
  await turn();
  assert.equal(session.joins, 0);
  assert.equal(built.length, 0);
  assert.equal(clock.pending, 0);
});

test('three late bindings in one task make exactly one re-join, carrying all of them; a repeated one none', async () => {
  const { session, start, turn, built, removed, joined } = await setup();
  session.addBinding({ event: 'INSERT', table: 'flock_messages', filter: 'room=eq.lobby' }, noop);
  start();
  await turn();
  built[0]!.report('SUBSCRIBED');

  session.addBinding({ event: 'UPDATE', table: 'flock_messages', filter: 'room=eq.lobby' }, noop);
  session.addBinding({ event: 'DELETE', table: 'flock_messages', filter: 'room=eq.lobby' }, noop);
  session.addBinding({ event: '*', table: 'flock_reads', filter: 'room=eq.lobby' }, noop);
  await turn();
  await turn();
  assert.equal(session.joins, 2);
  assert.deepEqual(removed, [built[0]]);
  assert.deepEqual(built[1]!.bindings.map((b) => `${b.event} ${b.table}`), ['INSERT flock_messages', 'UPDATE flock_messages', 'DELETE flock_messages', '* flock_reads']);
  built[1]!.report('SUBSCRIBED');
  assert.deepEqual(joined, [true, false]);

  session.addBinding({ event: 'INSERT', table: 'flock_messages', filter: 'room=eq.lobby' }, noop);
  await turn();
  assert.equal(session.joins, 2, 'a binding the channel carries needs no re-join');
  assert.equal(session.current, built[1]);
});

test('a binding whose listeners all left is dropped at the next re-join, not sooner', async () => {
  const { session, start, turn, built } = await setup();
  const off = session.addBinding({ event: 'INSERT', table: 'flock_messages' }, noop);
  start();
  await turn();
  off();
  await turn();
  assert.equal(session.joins, 1);
  session.addBinding({ event: 'UPDATE', table: 'flock_messages' }, noop);
  await turn();
  await turn();
  assert.equal(session.joins, 2);
  assert.deepEqual(built[1]!.bindings.map((b) => b.event), ['UPDATE']);
});

test('a channel the server ended joins again after the backoff (500 ms, then 1 s), with a fresh token, and a join resets it', async () => {
  const { session, start, turn, built, clock, setAuths, joined } = await setup();
  start();
  await turn();
  built[0]!.report('SUBSCRIBED');

  built[0]!.report('CLOSED');
  assert.deepEqual(clock.delays, [500]);
  built[0]!.report('CLOSED'); // a second notice plans nothing more
  assert.deepEqual(clock.delays, [500]);
  clock.tick(499);
  await drain();
  assert.equal(session.joins, 1);
  clock.tick(1);
  await drain();
  assert.equal(setAuths(), 1);
  assert.equal(session.joins, 2);

  // Ended again before it joined: the next wait is longer.
  built[1]!.report('CLOSED');
  assert.deepEqual(clock.delays, [1000]);
  clock.tick(1000);
  await drain();
  assert.equal(session.joins, 3);
  built[2]!.report('SUBSCRIBED');
  assert.deepEqual(joined, [true, false]);

  built[2]!.report('CLOSED');
  assert.deepEqual(clock.delays, [500], 'a join started the schedule again');
});

test('close leaves the channel and leaves nothing to fire, a planned re-join included', async () => {
  const { session, start, turn, built, removed, timers } = await setup();
  start();
  await turn();
  built[0]!.report('SUBSCRIBED');
  built[0]!.report('CLOSED');
  assert.equal(timers.pending, 1);
  await session.close();
  assert.equal(timers.pending, 0);
  assert.deepEqual(removed, [built[0]]);
  assert.equal(session.current, undefined);
  session.addBinding({ event: 'INSERT', table: 'flock_messages' }, noop);
  assert.equal(timers.pending, 0);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROFILE_SAVE_DELAY_MS, Session } from '../../src/connection/session.js';
import { Timers } from '../../src/connection/timers.js';
import type { FlockUser, FlockUserInput } from '../../src/connection/types.js';
import { FakeClock } from './support/fake-clock.js';

/**
 * The identity chain without supabase-js: the Session is handed a `resolve` that the test
 * answers by hand, so the order of resolutions, profile saves and token refreshes is seen
 * exactly, over a fake clock.
 */

const NOW = 1_700_000_000_000;

const ana: FlockUser = { id: 'u-ana', kind: 'anonymous', name: 'Ana', color: '#123456' };
const visitor: FlockUser = { id: 'v-1', kind: 'visitor', name: 'Guest V1', color: '#654321' };

/** Lets pending promise callbacks run (no time passes on the fake clock). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function harness(options: { owned?: boolean } = {}) {
  const clock = new FakeClock(NOW);
  const timers = new Timers(clock);
  const log: string[] = [];
  const pending: { profile: FlockUserInput; answer(user: FlockUser): void }[] = [];
  const saves: FlockUserInput[] = [];
  const session = new Session({
    owned: options.owned ?? true,
    timers,
    resolve: (profile) => {
      log.push(`resolve ${profile.name ?? '-'}`);
      return new Promise((answer) => pending.push({ profile, answer }));
    },
    saveProfile: async (profile) => {
      log.push(`save ${profile.name ?? '-'}`);
      saves.push(profile);
    },
    refreshToken: () => log.push('refresh token'),
    changed: (user, idChanged) => log.push(`changed ${user.id} ${user.name}${idChanged ? ' (new id)' : ''}`),
  });
  /** Answers the oldest resolution still waiting. */
  const answer = async (user: FlockUser) => {
    pending.shift()!.answer(user);
    await settle();
  };
  return { clock, timers, log, pending, saves, session, answer };
}

test('resolutions run one at a time: a second waits until the first has answered', async () => {
  const h = harness();
  const first = h.session.ready();
  const second = h.session.refresh();
  await settle();
  assert.deepEqual(h.log, ['resolve -'], 'the second has not started');
  await h.answer(ana);
  assert.deepEqual(h.log, ['resolve -', 'changed u-ana Ana (new id)', 'resolve -']);
  await h.answer({ ...ana, name: 'Ana B' });
  assert.equal((await first).name, 'Ana');
  assert.equal((await second).name, 'Ana B');
  assert.deepEqual(h.log.slice(3), ['changed u-ana Ana B'], 'same id, shown differently: changed, not a new id');
  assert.equal(h.session.ready(), first, 'ready() is the first resolution, cached');
});

test('a resolution to the same user as shown changes nothing', async () => {
  const h = harness();
  void h.session.ready();
  await settle();
  await h.answer(ana);
  void h.session.refresh();
  await settle();
  await h.answer({ ...ana });
  assert.deepEqual(h.log, ['resolve -', 'changed u-ana Ana (new id)', 'resolve -']);
});

test('sign-in → profile saved 500 ms after the first resolution; profile changes meanwhile are one save of the latest', async () => {
  const h = harness();
  void h.session.ready();
  await settle();
  await h.answer(ana);
  assert.deepEqual(h.clock.delays, [PROFILE_SAVE_DELAY_MS]);
  h.clock.tick(200);
  h.session.setProfile({ name: 'Ana' });
  await settle();
  await h.answer(ana);
  h.clock.tick(200);
  h.session.setProfile({ name: 'Ana Lima' });
  await settle();
  await h.answer({ ...ana, name: 'Ana Lima' });
  h.clock.tick(PROFILE_SAVE_DELAY_MS - 1);
  assert.deepEqual(h.saves, [], 'not before 500 ms of quiet');
  h.clock.tick(1);
  assert.deepEqual(h.saves, [{ name: 'Ana Lima' }]);
  assert.deepEqual(h.log, ['resolve -', 'changed u-ana Ana (new id)', 'resolve Ana', 'resolve Ana Lima', 'changed u-ana Ana Lima', 'save Ana Lima']);
  assert.equal(h.clock.pending, 0);
});

test("a visitor's or an app's user's profile is never saved", async () => {
  for (const [owned, user] of [
    [true, visitor],
    [false, ana],
  ] as const) {
    const h = harness({ owned });
    void h.session.ready();
    await settle();
    await h.answer(user);
    h.session.setProfile({ name: 'X' });
    await settle();
    await h.answer(user);
    h.clock.runAll();
    assert.deepEqual(h.saves, [], `owned ${owned}, ${user.kind}`);
  }
});

test('an auth event resolves again once auth-js has let go (next turn), except TOKEN_REFRESHED', async () => {
  const h = harness();
  h.session.authChanged('TOKEN_REFRESHED', null);
  h.clock.runAll();
  await settle();
  assert.deepEqual(h.log, []);
  h.session.authChanged('SIGNED_IN', null);
  await settle();
  assert.deepEqual(h.log, [], 'not while the auth lock is held');
  h.clock.tick(0);
  await settle();
  assert.deepEqual(h.log, ['resolve -']);
});

test('a token living under 45 s is refreshed at three quarters of its life, once; a longer one is left to auth-js', () => {
  const h = harness();
  h.session.authChanged('TOKEN_REFRESHED', { expires_at: (NOW + 40_000) / 1000 });
  assert.deepEqual(h.clock.delays, [30_000]);
  h.clock.tick(29_999);
  assert.deepEqual(h.log, []);
  h.clock.tick(1);
  assert.deepEqual(h.log, ['refresh token']);
  h.session.authChanged('TOKEN_REFRESHED', { expires_at: (h.clock.now() + 20_000) / 1000 });
  h.session.authChanged('TOKEN_REFRESHED', { expires_at: (h.clock.now() + 3_600_000) / 1000 });
  assert.equal(h.clock.pending, 0, 'the long-lived token replaced the planned refresh');
});

test('closed: no save, no refresh, and a late answer changes nothing', async () => {
  const h = harness();
  void h.session.ready();
  await settle();
  await h.answer(ana);
  h.session.authChanged('SIGNED_IN', { expires_at: (NOW + 10_000) / 1000 });
  void h.session.refresh();
  await settle();
  h.session.close();
  await h.answer({ ...ana, id: 'u-other' });
  h.session.authChanged('SIGNED_IN', null);
  h.clock.runAll();
  await settle();
  assert.deepEqual(h.log, ['resolve -', 'changed u-ana Ana (new id)', 'resolve -']);
  assert.equal(h.session.user?.id, 'u-ana');
  assert.deepEqual(h.saves, []);
});

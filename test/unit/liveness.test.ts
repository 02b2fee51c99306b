import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fullJitter } from '../../src/connection/backoff.js';
import { CONNECT_TIMEOUT_MS, INITIAL, WAKE_PROBE_MS, next, type Effect, type Facts, type LivenessInput, type LivenessState, type Step } from '../../src/connection/liveness.js';
import { STATUS } from '../../src/connection/status.js';
import { Timer } from '../../src/connection/timer.js';
import { Timers } from '../../src/connection/timers.js';
import { FakeClock } from './support/fake-clock.js';

/**
 * The status machine, as phoenix's socket_test.js drives its Socket: tables of (state, input,
 * what the page can tell) → (status, the exact next delay, watches, effects), then whole
 * stories over a fake clock with phoenix's reconnect timer played by the kit's own Timer.
 */

const NOW = 1_700_000_000_000;
const HEARTBEAT_MS = 15_000;
/** Jitter fixed at one half: each delay is exactly half its ceiling (1 s, 2 s, 4 s … 30 s). */
const delayFor = fullJitter({ random: () => 0.5 });

function facts(overrides: Partial<Facts> = {}): Facts {
  return { now: NOW, online: true, visible: true, socket: 'closed', heartbeatMs: HEARTBEAT_MS, owned: true, delayFor, ...overrides };
}

function state(overrides: Partial<LivenessState> = {}): LivenessState {
  return { ...INITIAL, ...overrides };
}

const connected = state({ status: STATUS.connected, lastConnectedAt: NOW - 60_000, lastHeardAt: NOW - 1000 });
const retrying = state({ status: STATUS.reconnecting, attempt: 3, nextRetryAt: NOW + 2000, lastConnectedAt: NOW - 60_000, lastHeardAt: NOW - 60_000 });
const offline = state({ ...retrying, status: STATUS.offline });
/** Open, but silent for longer than two heartbeat intervals: the page's timers were paused. */
const silent = state({ ...connected, lastHeardAt: NOW - 2 * HEARTBEAT_MS - 1 });

interface Row {
  name: string;
  from: LivenessState;
  input: LivenessInput;
  facts?: Partial<Facts>;
  /** Expected fields of the new state (status always). */
  to: Partial<LivenessState> & { status: LivenessState['status'] };
  delay?: number;
  connectWatch?: number | null;
  wakeWatch?: number | null;
  effects?: Effect[];
  /** The state object itself comes back: nothing to emit. */
  unchanged?: boolean;
}

const rows: Row[] = [
  // Start
  { name: 'start on an open socket: connected, a probe soon, the outbox out', from: INITIAL, input: { type: 'start' }, facts: { socket: 'open' }, to: { status: 'connected', attempt: 0, lastConnectedAt: NOW, lastHeardAt: NOW }, connectWatch: null, wakeWatch: null, effects: ['probeSoon', 'connected'] },
  { name: 'start on a closed owned socket: connecting, watched for 10 s', from: INITIAL, input: { type: 'start' }, to: { status: 'connecting' }, connectWatch: CONNECT_TIMEOUT_MS, effects: [], unchanged: true },
  { name: "start on an app's closed socket: connecting, not watched", from: INITIAL, input: { type: 'start' }, facts: { owned: false }, to: { status: 'connecting' }, effects: [], unchanged: true },
  // Open, close, error
  { name: 'open after tries: connected, tries and planned retry cleared, watches cleared', from: retrying, input: { type: 'open' }, facts: { socket: 'open' }, to: { status: 'connected', attempt: 0, nextRetryAt: undefined, lastConnectedAt: NOW, lastHeardAt: NOW }, connectWatch: null, wakeWatch: null, effects: ['probeSoon', 'connected'] },
  { name: 'close of an owned socket: reconnecting, phoenix counts the tries', from: connected, input: { type: 'close' }, to: { status: 'reconnecting', attempt: 0 }, effects: [] },
  { name: "close of an app's socket: reconnecting, counted here", from: retrying, input: { type: 'close' }, facts: { owned: false }, to: { status: 'reconnecting', attempt: 4 }, effects: [] },
  { name: 'close while the browser is offline: offline', from: connected, input: { type: 'close' }, facts: { online: false }, to: { status: 'offline' }, effects: [] },
  { name: 'error: nothing changes (a close follows)', from: connected, input: { type: 'error' }, to: { status: 'connected' }, effects: [], unchanged: true },
  // Phoenix asks for a delay
  { name: 'retry 1: reconnecting, 500 ms, watched for the delay plus 10 s', from: connected, input: { type: 'retry', tries: 1 }, to: { status: 'reconnecting', attempt: 1, nextRetryAt: NOW + 500 }, delay: 500, connectWatch: 500 + CONNECT_TIMEOUT_MS, effects: [] },
  { name: 'retry 5: 8 s', from: retrying, input: { type: 'retry', tries: 5 }, to: { status: 'reconnecting', attempt: 5, nextRetryAt: NOW + 8000 }, delay: 8000, connectWatch: 8000 + CONNECT_TIMEOUT_MS },
  { name: 'retry 6: the 30 s cap (15 s at half jitter)', from: retrying, input: { type: 'retry', tries: 6 }, to: { status: 'reconnecting', attempt: 6, nextRetryAt: NOW + 15_000 }, delay: 15_000 },
  { name: 'retry 40: still the cap', from: retrying, input: { type: 'retry', tries: 40 }, to: { status: 'reconnecting', attempt: 40 }, delay: 15_000 },
  { name: 'retry while the browser is offline: offline, the delay still planned', from: offline, input: { type: 'retry', tries: 4 }, facts: { online: false }, to: { status: 'offline', attempt: 4, nextRetryAt: NOW + 4000 }, delay: 4000 },
  // Heartbeats
  { name: 'heartbeat timeout: reconnecting', from: connected, input: { type: 'heartbeat', beat: 'timeout' }, facts: { socket: 'open' }, to: { status: 'reconnecting' }, effects: [] },
  { name: 'heartbeat timeout while the browser is offline: offline', from: connected, input: { type: 'heartbeat', beat: 'timeout' }, facts: { socket: 'open', online: false }, to: { status: 'offline' } },
  { name: 'heartbeat answered while connected: heard now, nothing to do', from: connected, input: { type: 'heartbeat', beat: 'ok', latency: 40 }, facts: { socket: 'open' }, to: { status: 'connected', lastHeardAt: NOW, lastConnectedAt: NOW - 60_000 }, effects: [] },
  { name: 'heartbeat answered on an open socket shown reconnecting: connected again', from: retrying, input: { type: 'heartbeat', beat: 'ok', latency: 40 }, facts: { socket: 'open' }, to: { status: 'connected', attempt: 0, lastConnectedAt: NOW, lastHeardAt: NOW }, connectWatch: null, wakeWatch: null, effects: ['probeSoon', 'connected'] },
  { name: 'heartbeat sent on a visible page, socket silent for two intervals: presumed lost, probed, wake watch', from: silent, input: { type: 'heartbeat', beat: 'sent' }, facts: { socket: 'open' }, to: { status: 'reconnecting', lastHeardAt: 0 }, wakeWatch: WAKE_PROBE_MS, effects: ['probe'] },
  { name: "the same for an app's socket: probed, no wake watch (its own heartbeat decides)", from: silent, input: { type: 'heartbeat', beat: 'sent' }, facts: { socket: 'open', owned: false }, to: { status: 'reconnecting', lastHeardAt: 0 }, effects: ['probe'] },
  { name: 'heartbeat sent on a hidden page (throttled timers): nothing', from: silent, input: { type: 'heartbeat', beat: 'sent' }, facts: { socket: 'open', visible: false }, to: { status: 'connected' }, unchanged: true },
  { name: 'heartbeat sent exactly two intervals after the last answer: nothing', from: state({ ...connected, lastHeardAt: NOW - 2 * HEARTBEAT_MS }), input: { type: 'heartbeat', beat: 'sent' }, facts: { socket: 'open' }, to: { status: 'connected' }, unchanged: true },
  { name: "heartbeat 'disconnected' (phoenix's own close follows): nothing", from: connected, input: { type: 'heartbeat', beat: 'disconnected' }, to: { status: 'connected' }, unchanged: true },
  { name: 'heartbeat answered without a round trip figure: nothing', from: retrying, input: { type: 'heartbeat', beat: 'ok' }, facts: { socket: 'open' }, to: { status: 'reconnecting' }, unchanged: true },
  // The browser
  { name: 'offline: offline at once', from: connected, input: { type: 'offline' }, facts: { socket: 'open', online: false }, to: { status: 'offline' }, effects: [] },
  { name: 'online with the socket down: reconnect now, planned retry dropped, watched 10 s', from: offline, input: { type: 'online' }, to: { status: 'reconnecting', attempt: 3, nextRetryAt: undefined }, connectWatch: CONNECT_TIMEOUT_MS, effects: ['reconnect'] },
  { name: "online with an app's socket down: shown reconnecting, its own schedule left alone", from: offline, input: { type: 'online' }, facts: { owned: false }, to: { status: 'reconnecting', nextRetryAt: NOW + 2000 }, effects: [] },
  { name: 'online with the socket open and heard lately: no new socket', from: state({ ...connected, status: STATUS.offline }), input: { type: 'online' }, facts: { socket: 'open' }, to: { status: 'reconnecting' }, effects: [] },
  { name: 'online with the socket open but silent: presumed lost and probed', from: silent, input: { type: 'online' }, facts: { socket: 'open' }, to: { status: 'reconnecting', lastHeardAt: 0 }, wakeWatch: WAKE_PROBE_MS, effects: ['probe'] },
  { name: 'visible with the socket down: reconnect now', from: retrying, input: { type: 'visible' }, to: { status: 'reconnecting', nextRetryAt: undefined }, connectWatch: CONNECT_TIMEOUT_MS, effects: ['reconnect'] },
  { name: 'visible after a sleep, socket open but silent: presumed lost', from: silent, input: { type: 'visible' }, facts: { socket: 'open' }, to: { status: 'reconnecting', lastHeardAt: 0 }, wakeWatch: WAKE_PROBE_MS, effects: ['probe'] },
  { name: 'visible while the browser is still offline: stays offline, still tries', from: offline, input: { type: 'visible' }, facts: { online: false }, to: { status: 'offline', nextRetryAt: undefined }, connectWatch: CONNECT_TIMEOUT_MS, effects: ['reconnect'] },
  // Retry now and the watches
  { name: 'retry now on an open socket: nothing', from: connected, input: { type: 'retryNow' }, facts: { socket: 'open' }, to: { status: 'connected' }, effects: [], unchanged: true },
  { name: 'retry now with the socket down: reconnect', from: retrying, input: { type: 'retryNow' }, to: { status: 'reconnecting', attempt: 3, nextRetryAt: undefined }, connectWatch: CONNECT_TIMEOUT_MS, effects: ['reconnect'] },
  { name: 'connect watch ran out, still connecting: abandoned for a fresh socket', from: retrying, input: { type: 'connectTimeout' }, facts: { socket: 'opening' }, to: { status: 'reconnecting', nextRetryAt: undefined }, connectWatch: CONNECT_TIMEOUT_MS, effects: ['reconnect'] },
  { name: 'connect watch ran out, the socket is closed (phoenix plans the next try): nothing', from: retrying, input: { type: 'connectTimeout' }, to: { status: 'reconnecting' }, effects: [], unchanged: true },
  { name: 'wake watch ran out with no answer: replaced', from: state({ ...silent, status: STATUS.reconnecting, lastHeardAt: 0 }), input: { type: 'wakeTimeout' }, facts: { socket: 'open' }, to: { status: 'reconnecting' }, connectWatch: CONNECT_TIMEOUT_MS, effects: ['reconnect'] },
  { name: 'wake watch ran out after an answer: nothing', from: connected, input: { type: 'wakeTimeout' }, facts: { socket: 'open' }, to: { status: 'connected' }, effects: [], unchanged: true },
];

describe('next(state, input, facts)', () => {
  for (const row of rows) {
    test(row.name, () => {
      const step = next(row.from, row.input, facts(row.facts));
      for (const [key, value] of Object.entries(row.to)) assert.equal(step.state[key as keyof LivenessState], value, key);
      assert.equal(step.delay, row.delay, 'delay');
      if ('connectWatch' in row) assert.equal(step.connectWatch, row.connectWatch, 'connectWatch');
      else if (row.input.type !== 'retry') assert.equal(step.connectWatch, undefined, 'connectWatch');
      assert.equal(step.wakeWatch, row.wakeWatch, 'wakeWatch');
      if (row.effects) assert.deepEqual(step.effects ?? [], row.effects, 'effects');
      assert.equal(step.state === row.from, row.unchanged === true, 'same state object');
    });
  }
});

/**
 * One page over a fake clock: the machine's watches set on `Timers`, and phoenix's reconnect
 * timer played by the kit's Timer, asking the machine for each delay (as `reconnectAfterMs`).
 */
function page(options: { owned?: boolean } = {}) {
  const clock = new FakeClock(NOW);
  const timers = new Timers(clock);
  const world: Pick<Facts, 'online' | 'visible' | 'socket'> = { online: true, visible: true, socket: 'closed' };
  const owned = options.owned ?? true;
  let current = INITIAL;
  const watches: Record<'connectWatch' | 'wakeWatch', number | undefined> = { connectWatch: undefined, wakeWatch: undefined };
  const effects: Effect[] = [];
  const attempts: number[] = [];
  const phoenix = new Timer(timers, () => connect(), (tries) => send({ type: 'retry', tries }).delay!);
  const connect = () => {
    world.socket = 'opening';
    attempts.push(clock.now() - NOW);
  };
  const send = (input: LivenessInput): Step => {
    const step = next(current, input, { ...world, now: clock.now(), heartbeatMs: HEARTBEAT_MS, owned, delayFor });
    current = step.state;
    for (const [watch, input] of [
      ['connectWatch', 'connectTimeout'],
      ['wakeWatch', 'wakeTimeout'],
    ] as const) {
      const ms = step[watch];
      if (ms === undefined) continue;
      timers.clearTimeout(watches[watch]);
      watches[watch] = ms === null ? undefined : timers.setTimeout(() => send({ type: input }), ms);
    }
    for (const effect of step.effects ?? []) {
      effects.push(effect);
      if (effect === 'reconnect') {
        // Phoenix's own step: the planned try dropped and its count reset, a socket opened now.
        phoenix.reset();
        connect();
      }
    }
    return step;
  };
  return {
    clock,
    world,
    effects,
    attempts,
    send,
    get state() {
      return current;
    },
    open() {
      world.socket = 'open';
      phoenix.reset();
      send({ type: 'open' });
    },
    /** The socket closed (or failed to open): phoenix plans the next try. */
    close() {
      world.socket = 'closed';
      send({ type: 'close' });
      phoenix.schedule();
    },
  };
}

describe('over a fake clock', () => {
  test('after a close, tries come after 0.5, 1, 2, 4, 8, 15, 15 s (half of 1 s … 30 s), shown as reconnecting with the try and its time', () => {
    const p = page();
    p.open();
    p.close();
    const plans: [number, number | undefined][] = [];
    for (let i = 0; i < 7; i++) {
      plans.push([p.state.attempt, p.state.nextRetryAt === undefined ? undefined : p.state.nextRetryAt - p.clock.now()]);
      assert.equal(p.state.status, STATUS.reconnecting);
      p.clock.tick(p.clock.delays[0]!); // the try runs; the connect watch is later
      assert.equal(p.world.socket, 'opening');
      p.close();
    }
    assert.deepEqual(plans, [
      [1, 500],
      [2, 1000],
      [3, 2000],
      [4, 4000],
      [5, 8000],
      [6, 15_000],
      [7, 15_000],
    ]);
    assert.deepEqual(p.attempts, [500, 1500, 3500, 7500, 15_500, 30_500, 45_500]);
    p.open();
    assert.deepEqual([p.state.status, p.state.attempt, p.state.nextRetryAt], [STATUS.connected, 0, undefined]);
  });

  test('online during a long wait tries at once, and the schedule starts again from the first delay', () => {
    const p = page();
    p.open();
    for (let i = 0; i < 5; i++) {
      p.close();
      p.clock.tick(p.clock.delays[0]!);
    }
    p.close();
    assert.equal(p.state.nextRetryAt! - p.clock.now(), 15_000);
    p.world.online = false;
    p.send({ type: 'offline' });
    assert.equal(p.state.status, STATUS.offline);
    p.clock.tick(1000);
    p.world.online = true;
    const before = p.attempts.length;
    p.send({ type: 'online' });
    assert.equal(p.attempts.length, before + 1, 'a try at once');
    assert.equal(p.state.status, STATUS.reconnecting);
    assert.equal(p.state.nextRetryAt, undefined);
    p.close();
    assert.equal(p.state.attempt, 1);
    assert.equal(p.state.nextRetryAt! - p.clock.now(), 500, 'the first delay again');
  });

  test('a try still connecting after delay + 10 s is abandoned for a fresh socket; one that opens in time is not', () => {
    const p = page();
    p.open();
    p.close();
    assert.deepEqual(p.clock.delays, [500, 500 + CONNECT_TIMEOUT_MS]);
    p.clock.tick(500);
    assert.equal(p.world.socket, 'opening');
    p.clock.tick(CONNECT_TIMEOUT_MS - 1);
    assert.deepEqual(p.effects.filter((e) => e === 'reconnect'), []);
    p.clock.tick(1);
    assert.deepEqual(p.effects.filter((e) => e === 'reconnect'), ['reconnect']);
    assert.deepEqual(p.attempts, [500, 500 + CONNECT_TIMEOUT_MS]);
    p.open();
    p.clock.runAll();
    assert.equal(p.effects.filter((e) => e === 'reconnect').length, 1, 'no watch left after the open');
    assert.equal(p.state.status, STATUS.connected);
  });

  test('woken after a sleep: shown reconnecting at the first late beat; an answer within 3 s keeps the socket, silence replaces it', () => {
    for (const answered of [true, false]) {
      const p = page();
      p.open();
      p.clock.tick(2 * HEARTBEAT_MS + 1); // the page's timers were paused: no beat sent meanwhile
      p.send({ type: 'heartbeat', beat: 'sent' });
      assert.equal(p.state.status, STATUS.reconnecting);
      assert.deepEqual(p.effects.slice(-1), ['probe']);
      p.clock.tick(WAKE_PROBE_MS - 1);
      if (answered) p.send({ type: 'heartbeat', beat: 'ok', latency: 80 });
      p.clock.tick(1);
      assert.equal(p.state.status, answered ? STATUS.connected : STATUS.reconnecting, `answered: ${answered}`);
      assert.equal(p.effects.includes('reconnect'), !answered, `answered: ${answered}`);
    }
  });

  test('a heartbeat timeout shows reconnecting until the socket opens again', () => {
    const p = page();
    p.open();
    p.send({ type: 'heartbeat', beat: 'timeout' });
    assert.equal(p.state.status, STATUS.reconnecting);
    p.close(); // phoenix closes the socket after a timeout
    p.clock.tick(500);
    p.open();
    assert.equal(p.state.status, STATUS.connected);
    assert.equal(p.state.lastConnectedAt, NOW + 500);
  });

  test("an app's socket is only observed: tries counted on each close, never a delay planned or a watch set", () => {
    const p = page({ owned: false });
    p.send({ type: 'start' });
    p.world.socket = 'closed';
    p.send({ type: 'close' });
    p.send({ type: 'close' });
    assert.deepEqual([p.state.status, p.state.attempt, p.state.nextRetryAt], [STATUS.reconnecting, 2, undefined]);
    p.send({ type: 'retryNow' });
    assert.deepEqual(p.effects, ['connect']);
    assert.equal(p.clock.pending, 0);
  });
});

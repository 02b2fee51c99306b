import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fullJitter } from '../../src/connection/backoff.js';
import { Timer } from '../../src/connection/timer.js';
import { Timers } from '../../src/connection/timers.js';
import { FakeClock } from './support/fake-clock.js';

test('a Timer waits delayFor(tries + 1), counts each try and starts again after reset', () => {
  const clock = new FakeClock();
  const calls: number[] = [];
  const timer = new Timer(new Timers(clock), (tries) => calls.push(tries), (tries) => tries * 100);
  assert.equal(timer.schedule(), 100);
  clock.tick(99);
  assert.deepEqual(calls, []);
  clock.tick(1);
  assert.deepEqual(calls, [1]);
  assert.equal(timer.schedule(), 200);
  clock.tick(200);
  assert.deepEqual(calls, [1, 2]);
  timer.reset();
  assert.equal(timer.tries, 0);
  assert.equal(timer.schedule(), 100);
});

test('schedule replaces a planned try; cancel keeps the count; Timers.clearAll leaves nothing to fire', () => {
  const clock = new FakeClock();
  const timers = new Timers(clock);
  let fired = 0;
  const timer = new Timer(timers, () => fired++, () => 50);
  timer.schedule();
  timer.schedule();
  assert.equal(clock.pending, 1);
  clock.tick(50);
  assert.equal(fired, 1);
  timer.schedule();
  timer.cancel();
  assert.equal(timer.scheduled, false);
  assert.equal(timer.tries, 1);
  timer.schedule();
  timers.clearAll();
  clock.runAll();
  assert.equal(fired, 1);
  assert.equal(timers.pending, 0);
});

test('over fullJitter the delays stay under 1 s, 2 s, 4 s … capped at 30 s', () => {
  const clock = new FakeClock();
  const timer = new Timer(new Timers(clock), () => undefined, fullJitter({ random: () => 0.999 }));
  const delays: number[] = [];
  for (let i = 0; i < 7; i++) {
    delays.push(timer.schedule());
    clock.runAll();
  }
  assert.deepEqual(delays, [999, 1998, 3996, 7992, 15984, 29970, 29970]);
});

test('after a reset the schedule over fullJitter starts again from the first delay', () => {
  const clock = new FakeClock();
  const timer = new Timer(new Timers(clock), () => undefined, fullJitter({ random: () => 0.999 }));
  for (let i = 0; i < 10; i++) {
    timer.schedule();
    clock.runAll();
  }
  assert.equal(timer.schedule(), 29_970);
  timer.reset();
  assert.equal(timer.schedule(), 999);
});

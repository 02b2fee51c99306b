import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fullJitter } from '../../src/connection/backoff.js';

test('fullJitter: ceilings double from 1 s to the 30 s cap and each delay is a draw below its ceiling', () => {
  const ceilings = fullJitter({ random: () => 0.999_999_999 });
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 20, 1000].map((tries) => ceilings(tries) + 1), [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000, 30_000]);
  const draws = [0.999, 0.5, 0];
  let i = 0;
  const delayFor = fullJitter({ random: () => draws[i++]! });
  assert.deepEqual([delayFor(1), delayFor(2), delayFor(3)], [999, 1000, 0]);
});

test('fullJitter takes its base and cap (a test that wants a slow schedule sets them)', () => {
  const delayFor = fullJitter({ baseMs: 60_000, capMs: 60_000, random: () => 0.99 });
  assert.deepEqual([delayFor(1), delayFor(5)], [59_400, 59_400]);
  assert.equal(fullJitter({ baseMs: 100, capMs: 250, random: () => 0.5 })(3), 125);
});

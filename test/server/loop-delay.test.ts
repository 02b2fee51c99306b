import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoopDelayMeter } from '../../server/loop-delay.ts';

test('the loop-delay meter reports a turn the loop spent blocked, and keeps it among its recent seconds', async () => {
  const meter = new LoopDelayMeter();
  try {
    await new Promise((r) => setTimeout(r, 1100));
    // A 300 ms synchronous stretch: the loop can't turn until it ends.
    const until = performance.now() + 300;
    while (performance.now() < until);
    await new Promise((r) => setTimeout(r, 1300));
    const { lastSecond, recent } = meter.figures;
    assert.ok(recent.seconds >= 2, `rolled ${recent.seconds} seconds`);
    assert.ok(recent.max >= 250, `the worst second's max is ${recent.max} ms`);
    assert.ok(lastSecond.p50 <= lastSecond.max && recent.p50 <= recent.max);
  } finally {
    meter.stop();
  }
});

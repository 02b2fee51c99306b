import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { place } from '../../src/elements/popover/fallback.ts';

/**
 * The fallback placement (browsers without CSS anchor positioning) makes the same choices as
 * popover.styles.ts: below and toward the inline end, else toward the start, else shifted to fit;
 * above when there is more room there; never past an 8 px margin.
 */

const trigger = (left: number, top: number, width = 40, height = 30) => ({ left, right: left + width, top, bottom: top + height });

describe('place (the anchor-positioning fallback)', () => {
  it('hangs below a trigger at the left edge, from its start edge', () => {
    assert.deepEqual(place(trigger(0, 0), 300, 200, 390, 844, false), { left: 8, top: 34, maxHeight: 844 - 30 - 4 - 8 });
  });

  it('ends at the trigger at the right edge, and starts at it right to left', () => {
    assert.equal(place(trigger(342, 0), 300, 200, 390, 844, false).left, 382 - 300);
    assert.equal(place(trigger(342, 0), 300, 200, 390, 844, true).left, 382 - 300);
    assert.equal(place(trigger(8, 0), 300, 200, 390, 844, true).left, 8);
  });

  it('shifts a panel wider than either side to fit, and caps one wider than the viewport', () => {
    const { left } = place(trigger(170, 0), 360, 200, 390, 844, false);
    assert.ok(left >= 8 && left + 360 <= 382, `left ${left}`);
    assert.equal(place(trigger(170, 0), 600, 200, 390, 844, false).left, 8);
  });

  it('opens above when there is more room above, capped to it', () => {
    const { top, maxHeight } = place(trigger(100, 700), 200, 900, 390, 844, false);
    assert.equal(maxHeight, 700 - 4 - 8);
    assert.equal(top, 8);
  });
});

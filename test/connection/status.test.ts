import { expect } from '@esm-bundle/chai';
import { LatencyAverage, qualityOf } from '../../src/connection/status.js';

describe('connection quality', () => {
  it('grades latency at the documented bounds', () => {
    const cases: [number, string][] = [
      [0, 'excellent'], [99, 'excellent'], [100, 'good'], [299, 'good'], [300, 'fair'], [999, 'fair'], [1000, 'poor'],
      [Number.NaN, 'poor'], [-1, 'poor'], [Number.POSITIVE_INFINITY, 'poor'],
    ];
    for (const [ms, grade] of cases) expect(qualityOf(ms), String(ms)).to.equal(grade);
  });

  it('smooths heartbeat round trips so one slow beat does not flip the grade', () => {
    const latency = new LatencyAverage(0.3);
    expect(latency.add(40)).to.equal(40);
    expect(latency.add(40)).to.equal(40);
    const afterSpike = latency.add(400)!;
    expect(afterSpike).to.be.closeTo(148, 0.001);
    expect(qualityOf(afterSpike)).to.equal('good');
    expect(latency.add(Number.NaN)).to.equal(afterSpike);
  });
});

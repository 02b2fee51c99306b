import { expect } from '@esm-bundle/chai';
import { Backoff } from '../../src/connection/backoff.js';
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

describe('reconnect backoff', () => {
  it('doubles its ceiling from 1 s up to 30 s and draws below it (full jitter)', () => {
    const draws = [0.999, 0.5, 0];
    let i = 0;
    const backoff = new Backoff({ random: () => draws[i++ % draws.length]! });
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((n) => backoff.ceiling(n))).to.deep.equal([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(backoff.next()).to.equal(999);
    expect(backoff.next()).to.equal(1000);
    expect(backoff.next()).to.equal(0);
    expect(backoff.attempt).to.equal(3);
  });

  it('starts again from 1 s after a reset', () => {
    const backoff = new Backoff({ random: () => 0.999 });
    for (let n = 0; n < 10; n++) backoff.next();
    expect(backoff.next()).to.equal(29970);
    backoff.reset();
    expect(backoff.next()).to.equal(999);
  });
});

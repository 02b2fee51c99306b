import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuthRateLimiter, DEFAULT_AUTH_RATE_LIMITS } from '../../server/auth/rate-limits.ts';

/** Takes from `kind` for `address` until refused; how many went through. */
function drain(limiter: AuthRateLimiter, kind: 'signIn' | 'tokenRefresh' | 'anonymousSignIn', address: string, now: number): number {
  let n = 0;
  for (; n < 1000; n++) {
    try {
      limiter.check(kind, address, now);
    } catch {
      return n;
    }
  }
  return n;
}

describe("auth rate limits (GoTrue's per-IP token buckets)", () => {
  it("allows Supabase's default allowance at once, then refuses with 429 over_request_rate_limit", () => {
    const limiter = new AuthRateLimiter(DEFAULT_AUTH_RATE_LIMITS);
    assert.equal(drain(limiter, 'signIn', '10.0.0.1', 0), 30);
    assert.equal(drain(limiter, 'tokenRefresh', '10.0.0.1', 0), 150);
    assert.equal(drain(limiter, 'anonymousSignIn', '10.0.0.1', 0), 30);
    assert.throws(() => limiter.check('signIn', '10.0.0.1', 0), { status: 429, code: 'over_request_rate_limit', message: 'Request rate limit reached' });
    assert.deepEqual(limiter.refused, { signIn: 2, tokenRefresh: 1, anonymousSignIn: 1 });
  });

  it('refills evenly over the window: one sign-in per 10 s, one anonymous sign-in per 2 min', () => {
    const limiter = new AuthRateLimiter(DEFAULT_AUTH_RATE_LIMITS);
    drain(limiter, 'signIn', 'a', 0);
    drain(limiter, 'anonymousSignIn', 'a', 0);
    assert.equal(drain(limiter, 'signIn', 'a', 9_999), 0);
    assert.equal(drain(limiter, 'signIn', 'a', 10_000), 1);
    assert.equal(drain(limiter, 'anonymousSignIn', 'a', 119_000), 0);
    assert.equal(drain(limiter, 'anonymousSignIn', 'a', 120_000), 1);
    assert.equal(drain(limiter, 'signIn', 'a', 10_000 + 300_000), 30, 'a whole window later the bucket is full, never more');
  });

  it('counts each address on its own', () => {
    const limiter = new AuthRateLimiter(DEFAULT_AUTH_RATE_LIMITS);
    assert.equal(drain(limiter, 'signIn', 'a', 0), 30);
    assert.equal(drain(limiter, 'signIn', 'b', 0), 30);
  });
});

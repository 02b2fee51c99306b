import { AuthApiError } from './errors.ts';

/**
 * GoTrue's per-IP rate limits on the endpoints that sign people in, with Supabase's defaults
 * (Authentication → Rate Limits): password sign-ins and sign-ups 30 per 5 minutes, token
 * refreshes 150 per 5 minutes, anonymous sign-ins 30 per hour. Like GoTrue's tollbooth limiters,
 * each is a token bucket per client address that holds its whole allowance and refills evenly
 * over its window, so a page that keeps to the rate is never refused for bunching. The address
 * is the socket's peer (GoTrue's default, without `GOTRUE_RATE_LIMIT_HEADER`).
 */
export interface AuthRateLimits {
  /** Password sign-ins (`/token?grant_type=password`) and email sign-ups per IP per 5 minutes. */
  signInsPer5Min: number;
  /** Refresh-token exchanges (`/token?grant_type=refresh_token`) per IP per 5 minutes. */
  tokenRefreshesPer5Min: number;
  /** Anonymous sign-ins (`/signup` with no email or phone) per IP per hour. */
  anonymousSignInsPerHour: number;
}

export const DEFAULT_AUTH_RATE_LIMITS: AuthRateLimits = {
  signInsPer5Min: 30,
  tokenRefreshesPer5Min: 150,
  anonymousSignInsPerHour: 30,
};

export type AuthRateKind = 'signIn' | 'tokenRefresh' | 'anonymousSignIn';

const FIVE_MINUTES = 5 * 60_000;
const HOUR = 60 * 60_000;
/** Addresses kept per limit; past it the one used longest ago is forgotten (it starts again full). */
const MAX_ADDRESSES = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

/** One limit's buckets by address. */
class PerAddress {
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    readonly capacity: number,
    readonly windowMs: number,
  ) {}

  take(address: string, now: number): boolean {
    const { capacity } = this;
    // No limit (FLOCK_AUTH_RATE_LIMITS=off): nothing to count, and Infinity would make NaN of the refill.
    if (capacity === Infinity) return true;
    const previous = this.#buckets.get(address);
    const tokens = previous ? Math.min(capacity, previous.tokens + ((now - previous.at) * capacity) / this.windowMs) : capacity;
    if (tokens < 1) {
      this.#buckets.set(address, { tokens, at: now });
      return false;
    }
    this.#buckets.delete(address);
    this.#buckets.set(address, { tokens: tokens - 1, at: now });
    if (this.#buckets.size > MAX_ADDRESSES) this.#buckets.delete(this.#buckets.keys().next().value as string);
    return true;
  }
}

/** Every auth limit of one server; counts refusals for `/flock/stats`. */
export class AuthRateLimiter {
  readonly refused: Record<AuthRateKind, number> = { signIn: 0, tokenRefresh: 0, anonymousSignIn: 0 };
  readonly #limits: Record<AuthRateKind, PerAddress>;

  constructor(readonly limits: AuthRateLimits) {
    this.#limits = {
      signIn: new PerAddress(limits.signInsPer5Min, FIVE_MINUTES),
      tokenRefresh: new PerAddress(limits.tokenRefreshesPer5Min, FIVE_MINUTES),
      anonymousSignIn: new PerAddress(limits.anonymousSignInsPerHour, HOUR),
    };
  }

  /** Throws GoTrue's 429 `over_request_rate_limit` once `address` has spent its allowance. */
  check(kind: AuthRateKind, address: string, now = Date.now()): void {
    if (this.#limits[kind].take(address, now)) return;
    this.refused[kind]++;
    throw new AuthApiError(429, 'over_request_rate_limit', 'Request rate limit reached');
  }
}

/**
 * The limits a server starts with: `options` over Supabase's defaults, or none at all when the
 * environment says `FLOCK_AUTH_RATE_LIMITS=off` (the project's test scripts and benches, which
 * sign in hundreds of users from one loopback address; the tests of the limits pass them).
 */
export function authRateLimits(options: Partial<AuthRateLimits> | undefined): AuthRateLimits {
  const base = process.env.FLOCK_AUTH_RATE_LIMITS === 'off' && !options
    ? { signInsPer5Min: Infinity, tokenRefreshesPer5Min: Infinity, anonymousSignInsPerHour: Infinity }
    : DEFAULT_AUTH_RATE_LIMITS;
  return { ...base, ...options };
}

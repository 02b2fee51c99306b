import type { Database } from './db.ts';
import type { JwtSigner } from './auth/jwt.ts';
import type { AuthRateLimiter } from './auth/rate-limits.ts';

/** Everything a route handler needs, made once at start. */
export interface ServerContext {
  db: Database;
  signer: JwtSigner;
  /** Public base URL of this server, e.g. `http://127.0.0.1:54321`; JWT `iss` is `<baseUrl>/auth/v1`. */
  baseUrl: string;
  version: string;
  startedAt: number;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /** Lifetime of issued access tokens, in seconds (Supabase's default is 3600). */
  accessTokenSeconds: number;
  /**
   * How long a rotated refresh token may still be exchanged, in seconds (GoTrue's
   * `REFRESH_TOKEN_REUSE_INTERVAL`, default 10), so two tabs refreshing at once both succeed.
   */
  refreshTokenReuseSeconds: number;
  /** Most rows one read returns (PostgREST's `db-max-rows`; Supabase's API setting `max_rows`, default 1000). */
  maxRows: number;
  /** GoTrue's per-IP limits on sign-ins, refreshes and anonymous sign-ins. */
  authRateLimiter: AuthRateLimiter;
}

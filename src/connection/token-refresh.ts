/** What of an auth-js `Session` this reads: its end, in epoch seconds. */
export interface ExpiringSession {
  expires_at?: number;
}

/**
 * auth-js refreshes on a 30 s tick once a token is within 90 s of expiry, so a token that lives
 * less than about one tick can lapse between ticks, and Realtime then ends every channel.
 */
const TICK_COVERS_MS = 45_000;
/** A token already past (or at) its end is refreshed at most this often. */
const MIN_DELAY_MS = 1000;

/**
 * How long until the session should be read again (which refreshes a token within auth-js's
 * margin) so that a short-lived token is renewed before it lapses; `undefined` when auth-js's own
 * tick covers it. Three quarters of the time left: one refresh per lifetime, not a loop.
 */
export function shortTokenRefreshDelay(session: ExpiringSession | null, now = Date.now()): number | undefined {
  if (!session?.expires_at) return undefined;
  const left = session.expires_at * 1000 - now;
  if (left >= TICK_COVERS_MS) return undefined;
  return Math.max(MIN_DELAY_MS, Math.floor(left * 0.75));
}

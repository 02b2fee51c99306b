import type { JwtSigner } from '../auth/jwt.ts';
import type { Database } from '../db.ts';
import type { ChangeFeed } from './changes/feed.ts';
import type { RealtimeHub } from './hub.ts';
import type { RealtimeLimits } from './limits.ts';

/** What every socket and channel of the Realtime service shares. */
export interface RealtimeEnv {
  db: Database;
  signer: JwtSigner;
  hub: RealtimeHub;
  feed: ChangeFeed;
  limits: RealtimeLimits;
}

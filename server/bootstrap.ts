import { SUPABASE_BOOTSTRAP_SQL } from './db-bootstrap.ts';
import { REALTIME_BOOTSTRAP_SQL } from './realtime/bootstrap.ts';

/**
 * What the local server's database runs at every open before user migrations: Supabase's
 * roles, `auth` schema and publication, then the `realtime` schema and the change capture.
 */
export const DATABASE_BOOTSTRAP_SQL: readonly string[] = [SUPABASE_BOOTSTRAP_SQL, REALTIME_BOOTSTRAP_SQL];

import type { FlockTable } from './types.js';

/** Each table's primary key (supabase/migrations/20261122000000_flock.sql): what a `create` is idempotent on. */
export const TABLE_KEYS: Record<FlockTable, readonly string[]> = {
  flock_messages: ['id'],
  flock_notifications: ['id'],
  flock_reads: ['user_id', 'room'],
};

import { TABLE_KEYS } from '../tables.js';
import type { FlockTable, FlockUser, Row, Write } from '../types.js';
import { matches } from './rows.js';

/**
 * The migration's rules, in memory, for MemoryNetwork: what the real schema does to a write
 * that elements can see. Each rule cites the line of supabase/migrations/20261122000000_flock.sql
 * it mirrors (`:N`); a change there is a change here.
 */

export type WriteOutcome = { ok: true } | { ok: false; retry: boolean; reason: string };

/** A change the write made, for the network's postgres_changes. */
export interface AppliedChange {
  eventType: 'INSERT' | 'UPDATE' | 'DELETE';
  row: Row;
  old: Row;
}

/** Server-set and strictly increasing, as `clock_timestamp()` makes them. */
export type ServerClock = () => string;

/**
 * Applies `write` to `rows` as `user`, returning the outcome and the changes it made.
 * `rows` is the table's array, changed in place.
 */
export function applyWrite(rows: Row[], write: Write, user: FlockUser, now: ServerClock): { outcome: WriteOutcome; changes: AppliedChange[] } {
  const refuse = (reason: string) => ({ outcome: { ok: false, retry: false, reason } as WriteOutcome, changes: [] });
  // `revoke all … from anon` (supabase/migrations/20261122000000_flock.sql:263): a visitor has no session, so no role that may write.
  if (user.kind === 'visitor') return refuse('Sign-in required to write');
  if (write.op === 'create' || write.op === 'upsert') {
    const values: Row = { ...write.values };
    // Notifications are created by a backend (service_role, :142-144; MemoryNetwork.apply plays it):
    // the member rules below are for messages and reads.
    if (write.table !== 'flock_notifications') {
      // `user_id … default auth.uid()` (:23, :112).
      values.user_id ??= user.id;
      // "post as yourself" / "insert your own" (:276-278, :290-292).
      if (values.user_id !== user.id) return refuse(rlsMessage(write.table));
    }
    // `id uuid primary key default gen_random_uuid()` (:21, :145).
    if (write.table !== 'flock_reads') values.id ??= crypto.randomUUID();
    const keys = write.op === 'upsert' ? write.onConflict.split(',') : TABLE_KEYS[write.table];
    const existing = rows.find((row) => keys.every((k) => row[k] === values[k]));
    // `create` is sent as an upsert ignoring duplicates (rest.ts): an existing key is left alone.
    if (existing && write.op === 'create') return { outcome: { ok: true }, changes: [] };
    if (existing) {
      const old = { ...existing };
      Object.assign(existing, values);
      return { outcome: { ok: true }, changes: [{ eventType: 'UPDATE', row: { ...existing }, old }] };
    }
    // `created_at … default clock_timestamp()` / `now()` (:30, :155).
    const row = write.table === 'flock_messages' ? messageBeforeInsert(values, user, now()) : { ...values, created_at: values.created_at ?? now() };
    rows.push(row);
    return { outcome: { ok: true }, changes: [{ eventType: 'INSERT', row: { ...row }, old: {} }] };
  }
  // "edit/delete their own", "update/delete your own", "mark/dismiss your own" (:279-285, :293-299, :305-311):
  // every table lets a user change only their own rows; others' rows are invisible, not refused.
  const hit = rows.filter((row) => matches(row, write.where) && row.user_id === user.id);
  if (write.requireMatch && hit.length === 0) return refuse('No rows matched: not found or not allowed');
  const changes: AppliedChange[] = [];
  for (const row of hit) {
    const old = { ...row };
    if (write.op === 'update') {
      Object.assign(row, write.table === 'flock_messages' ? messageBeforeUpdate(old, write.values, now()) : write.values);
      changes.push({ eventType: 'UPDATE', row: { ...row }, old });
    } else {
      rows.splice(rows.indexOf(row), 1);
      changes.push({ eventType: 'DELETE', row: {}, old });
    }
  }
  return { outcome: { ok: true }, changes };
}

function rlsMessage(table: FlockTable): string {
  return `new row violates row-level security policy for table "${table}"`;
}

/** `flock_messages_before_insert` (:44-70): one clock for ordering, no client-set edit marks, the author's name from the session. */
function messageBeforeInsert(values: Row, user: FlockUser, now: string): Row {
  const name = typeof values.author_name === 'string' && values.author_name.trim() ? values.author_name : user.name;
  return { ...values, author_name: name, created_at: now, edited_at: null, deleted_at: null };
}

/** `flock_messages_before_update` (:72-101): identity fixed, deletion final and empty, edits stamped. */
function messageBeforeUpdate(old: Row, values: Row, now: string): Row {
  const next: Row = { ...values, id: old.id, room: old.room, user_id: old.user_id, created_at: old.created_at };
  if (old.deleted_at) return { ...next, body: '', deleted_at: old.deleted_at, edited_at: old.edited_at };
  if (values.deleted_at) return { ...next, body: '', deleted_at: now, edited_at: old.edited_at ?? null };
  return { ...next, edited_at: 'body' in values && values.body !== old.body ? now : (old.edited_at ?? null) };
}

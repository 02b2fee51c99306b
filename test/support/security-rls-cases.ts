import type { SupabaseClient } from '@supabase/supabase-js';

/**
 * Forbidden actions against the migrations' tables, each written twice: as the statement a
 * user would run straight against Postgres (so row-level security and grants alone decide),
 * and as the supabase-js call that reaches the same statement through the local server's REST
 * API. security-rls.test.ts runs every case both ways on a database built from
 * supabase/migrations unchanged, and checks as the owner that nothing changed.
 */

/** The rows the cases aim at: Ada is the victim, Ben the attacker. */
export interface World {
  ada: string;
  ben: string;
  room: string;
  /** Ada's notification. */
  note: string;
  /** Ada's message in `room`. */
  message: string;
  /** Ben's own message in `room`. */
  benMessage: string;
}

/**
 * `42501`: Postgres refuses (REST answers 403, or 401 for anon, with code 42501).
 * `nothing`: the statement runs and reaches no row (REST answers 2xx with `[]`).
 * `harmless`: the statement runs, and a trigger undoes what it tried (the fingerprint shows it).
 */
export type Expectation = '42501' | 'nothing' | 'harmless';

export type RestResult = { status: number; data: unknown; error: { code: string; message: string } | null };

export interface RlsCase {
  name: string;
  /** Who attacks: Ben signed in, or a visitor with the anon key and no session. */
  actor: 'ben' | 'anon';
  sql: (w: World) => [string, unknown[]];
  expect: Expectation;
  /** The same attack through REST; absent where REST cannot express it. */
  rest?: (client: SupabaseClient, w: World) => PromiseLike<RestResult>;
  /** Where REST refuses earlier than Postgres would (e.g. a schema it does not expose). */
  restRefusal?: { status: number; code: string };
}

const notes = (c: SupabaseClient) => c.from('flock_notifications');
const messages = (c: SupabaseClient) => c.from('flock_messages');
const reads = (c: SupabaseClient) => c.from('flock_reads');
const now = () => new Date().toISOString();

export const RLS_CASES: readonly RlsCase[] = [
  // flock_notifications: a user may read, mark read and dismiss their own; nobody else may.
  {
    name: "reads Ada's notifications by recipient",
    actor: 'ben',
    sql: (w) => ['select * from public.flock_notifications where user_id = $1', [w.ada]],
    expect: 'nothing',
    rest: (c, w) => notes(c).select().eq('user_id', w.ada),
  },
  {
    name: "reads Ada's notification by id",
    actor: 'ben',
    sql: (w) => ['select * from public.flock_notifications where id = $1', [w.note]],
    expect: 'nothing',
    rest: (c, w) => notes(c).select('title, body').eq('id', w.note),
  },
  {
    name: 'lists every notification',
    actor: 'ben',
    sql: () => ['select * from public.flock_notifications', []],
    expect: 'nothing',
    rest: (c) => notes(c).select(),
  },
  {
    name: "marks Ada's notification read",
    actor: 'ben',
    sql: (w) => ['update public.flock_notifications set read_at = now() where id = $1 returning id', [w.note]],
    expect: 'nothing',
    rest: (c, w) => notes(c).update({ read_at: now() }).eq('id', w.note).select(),
  },
  {
    name: "rewrites the title of Ada's notification",
    actor: 'ben',
    sql: (w) => ["update public.flock_notifications set title = 'Reset your password at evil.example' where id = $1", [w.note]],
    expect: '42501',
    rest: (c, w) => notes(c).update({ title: 'Reset your password at evil.example' }).eq('id', w.note),
  },
  {
    name: "readdresses Ada's notification to himself",
    actor: 'ben',
    sql: (w) => ['update public.flock_notifications set user_id = $2 where id = $1', [w.note, w.ben]],
    expect: '42501',
    rest: (c, w) => notes(c).update({ user_id: w.ben }).eq('id', w.note),
  },
  {
    name: "dismisses Ada's notification",
    actor: 'ben',
    sql: (w) => ['delete from public.flock_notifications where id = $1 returning id', [w.note]],
    expect: 'nothing',
    rest: (c, w) => notes(c).delete().eq('id', w.note).select(),
  },
  {
    name: "dismisses all of Ada's notifications",
    actor: 'ben',
    sql: (w) => ['delete from public.flock_notifications where user_id = $1 returning id', [w.ada]],
    expect: 'nothing',
    rest: (c, w) => notes(c).delete().eq('user_id', w.ada).select(),
  },
  {
    name: 'creates a notification for Ada',
    actor: 'ben',
    sql: (w) => ["insert into public.flock_notifications (user_id, title, url) values ($1, 'Phishing', 'https://evil.example')", [w.ada]],
    expect: '42501',
    rest: (c, w) => notes(c).insert({ user_id: w.ada, title: 'Phishing', url: 'https://evil.example' }),
  },
  {
    name: 'creates a notification for himself',
    actor: 'ben',
    sql: (w) => ["insert into public.flock_notifications (user_id, title) values ($1, 'Self-made')", [w.ben]],
    expect: '42501',
    rest: (c, w) => notes(c).insert({ user_id: w.ben, title: 'Self-made' }),
  },
  {
    name: "upserts over Ada's notification",
    actor: 'ben',
    sql: (w) => [
      "insert into public.flock_notifications (id, user_id, title) values ($1, $2, 'Mine now') on conflict (id) do update set user_id = excluded.user_id, title = excluded.title",
      [w.note, w.ben],
    ],
    expect: '42501',
    rest: (c, w) => notes(c).upsert({ id: w.note, user_id: w.ben, title: 'Mine now' }),
  },

  // flock_messages: everyone signed in reads; only the author posts as themselves, edits and deletes.
  {
    name: 'posts a message as Ada',
    actor: 'ben',
    sql: (w) => ["insert into public.flock_messages (room, body, user_id, author_name) values ($1, 'I owe Ben money', $2, 'Ada')", [w.room, w.ada]],
    expect: '42501',
    rest: (c, w) => messages(c).insert({ room: w.room, body: 'I owe Ben money', user_id: w.ada, author_name: 'Ada' }),
  },
  {
    name: "edits Ada's message",
    actor: 'ben',
    sql: (w) => ["update public.flock_messages set body = 'edited by Ben' where id = $1 returning id", [w.message]],
    expect: 'nothing',
    rest: (c, w) => messages(c).update({ body: 'edited by Ben' }).eq('id', w.message).select(),
  },
  {
    name: "soft-deletes Ada's message",
    actor: 'ben',
    sql: (w) => ['update public.flock_messages set deleted_at = now() where id = $1 returning id', [w.message]],
    expect: 'nothing',
    rest: (c, w) => messages(c).update({ deleted_at: now() }).eq('id', w.message).select(),
  },
  {
    name: "deletes Ada's message",
    actor: 'ben',
    sql: (w) => ['delete from public.flock_messages where id = $1 returning id', [w.message]],
    expect: 'nothing',
    rest: (c, w) => messages(c).delete().eq('id', w.message).select(),
  },
  {
    name: "deletes every message in Ada's room",
    actor: 'ben',
    sql: (w) => ['delete from public.flock_messages where room = $1 and user_id <> $2 returning id', [w.room, w.ben]],
    expect: 'nothing',
    rest: (c, w) => messages(c).delete().eq('room', w.room).neq('user_id', w.ben).select(),
  },
  {
    name: "upserts over Ada's message (merge)",
    actor: 'ben',
    sql: (w) => [
      "insert into public.flock_messages (id, room, body) values ($1, $2, 'overwritten') on conflict (id) do update set body = excluded.body",
      [w.message, w.room],
    ],
    expect: '42501',
    rest: (c, w) => messages(c).upsert({ id: w.message, room: w.room, body: 'overwritten' }),
  },
  {
    name: "upserts over Ada's message (ignore duplicates)",
    actor: 'ben',
    sql: (w) => ["insert into public.flock_messages (id, room, body) values ($1, $2, 'overwritten') on conflict (id) do nothing returning id", [w.message, w.room]],
    expect: 'nothing',
    rest: (c, w) => messages(c).upsert({ id: w.message, room: w.room, body: 'overwritten' }, { ignoreDuplicates: true }).select(),
  },
  {
    name: 'hands his own message to Ada (the trigger keeps the author)',
    actor: 'ben',
    sql: (w) => ["update public.flock_messages set user_id = $1, created_at = '2000-01-01T00:00:00Z' where id = $2 returning user_id", [w.ada, w.benMessage]],
    expect: 'harmless',
    rest: (c, w) => messages(c).update({ user_id: w.ada, created_at: '2000-01-01T00:00:00Z' }).eq('id', w.benMessage).select('user_id'),
  },

  // flock_reads: everyone signed in reads ("Seen by"); each user writes only their own row.
  {
    name: 'writes a read position for Ada',
    actor: 'ben',
    sql: (w) => ["insert into public.flock_reads (user_id, room) values ($1, 'elsewhere')", [w.ada]],
    expect: '42501',
    rest: (c, w) => reads(c).insert({ user_id: w.ada, room: 'elsewhere' }),
  },
  {
    name: "moves Ada's read position",
    actor: 'ben',
    sql: (w) => ['update public.flock_reads set last_read_message_id = $2 where user_id = $1 returning room', [w.ada, w.benMessage]],
    expect: 'nothing',
    rest: (c, w) => reads(c).update({ last_read_message_id: w.benMessage }).eq('user_id', w.ada).select(),
  },
  {
    name: "deletes Ada's read position",
    actor: 'ben',
    sql: (w) => ['delete from public.flock_reads where user_id = $1 returning room', [w.ada]],
    expect: 'nothing',
    rest: (c, w) => reads(c).delete().eq('user_id', w.ada).select(),
  },
  {
    name: "upserts over Ada's read position",
    actor: 'ben',
    sql: (w) => [
      'insert into public.flock_reads (user_id, room) values ($1, $2) on conflict (user_id, room) do update set last_read_at = now()',
      [w.ada, w.room],
    ],
    expect: '42501',
    rest: (c, w) => reads(c).upsert({ user_id: w.ada, room: w.room }),
  },
  {
    name: 'hands his own read position to Ada',
    actor: 'ben',
    sql: (w) => ['update public.flock_reads set user_id = $1 where user_id = $2', [w.ada, w.ben]],
    expect: '42501',
    rest: (c, w) => reads(c).update({ user_id: w.ada }).eq('user_id', w.ben),
  },

  // What no client role may reach at all.
  {
    name: 'reads the users table (emails, password hashes)',
    actor: 'ben',
    sql: () => ['select email, encrypted_password from auth.users', []],
    expect: '42501',
    rest: (c) => c.schema('auth').from('users').select('email, encrypted_password'),
    restRefusal: { status: 406, code: 'PGRST106' },
  },
  {
    name: 'rewrites his own user metadata in auth.users',
    actor: 'ben',
    sql: (w) => [`update auth.users set raw_app_meta_data = '{"role":"admin"}' where id = $1`, [w.ben]],
    expect: '42501',
  },
  {
    name: "reads the local server's change log (full rows of every change)",
    actor: 'ben',
    sql: () => ['select record from realtime.local_change_log', []],
    expect: '42501',
    rest: (c) => c.schema('realtime').from('local_change_log').select(),
    restRefusal: { status: 406, code: 'PGRST106' },
  },
  {
    name: 'calls the mention trigger function (security definer) directly',
    actor: 'ben',
    sql: () => ['select public.flock_messages_notify_mentions()', []],
    expect: '42501',
    rest: (c) => c.rpc('flock_messages_notify_mentions'),
    restRefusal: { status: 404, code: 'PGRST202' },
  },
  {
    name: 'reads messages without a session',
    actor: 'anon',
    sql: () => ['select * from public.flock_messages', []],
    expect: '42501',
    rest: (c) => messages(c).select(),
  },
  {
    name: 'posts a message without a session',
    actor: 'anon',
    sql: (w) => ["insert into public.flock_messages (room, body, user_id, author_name) values ($1, 'drive-by', $2, 'Ada')", [w.room, w.ada]],
    expect: '42501',
    rest: (c, w) => messages(c).insert({ room: w.room, body: 'drive-by', user_id: w.ada, author_name: 'Ada' }),
  },
  {
    name: 'reads notifications without a session',
    actor: 'anon',
    sql: () => ['select * from public.flock_notifications', []],
    expect: '42501',
    rest: (c) => notes(c).select(),
  },
  {
    name: 'writes read positions without a session',
    actor: 'anon',
    sql: (w) => ["insert into public.flock_reads (user_id, room) values ($1, 'elsewhere')", [w.ada]],
    expect: '42501',
    rest: (c, w) => reads(c).insert({ user_id: w.ada, room: 'elsewhere' }),
  },
];

import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { Database, Transaction } from '../../server/db.ts';
import { openTestDatabase, type TestUser } from './db.ts';

/** The first migration's file name, as the ledger records it. */
export const MIGRATION = '20261122000000_flock.sql';
/** Every migration in supabase/migrations, in the order they are applied. */
export const MIGRATIONS = [MIGRATION, '20261123000000_flock_notifications_identity.sql', '20261124000000_flock_mentions_by_member.sql'];

/** Asserts that `promise` fails with Postgres error `code` (42501 privilege/RLS, 23514 check). */
export async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.equal((err as { code?: unknown }).code, code, String(err));
    return true;
  });
}

export interface MessageRow {
  id: string;
  room: string;
  user_id: string;
  author_name: string;
  body: string;
  created_at: Date;
  edited_at: Date | null;
  deleted_at: Date | null;
}

export interface NotificationRow {
  id: string;
  user_id: string;
  kind: string;
  title: string;
  body: string | null;
  url: string | null;
  room: string | null;
  actor_id: string | null;
  actor_name: string | null;
  message_id: string | null;
  read_at: Date | null;
}

/**
 * Opens a fresh in-memory database with the migrations for the calling test file (closed after
 * it) and returns helpers that act on it as a user, as a backend (service_role) or as the owner.
 */
export function useSchemaDatabase() {
  let db: Database | undefined;
  before(async () => {
    db = await openTestDatabase();
  });
  after(async () => {
    await db?.close();
  });
  const current = (): Database => {
    if (!db) throw new Error('the database opens in before(); use it inside tests and hooks');
    return db;
  };

  /** Runs `fn` as `user`'s signed-in session: their role, their JWT claims, RLS on. */
  function as<T>(user: TestUser, fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return current().asRole(user.claims, fn);
  }

  function owner<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return current().asOwner(fn);
  }

  async function post(user: TestUser, room: string, body: string): Promise<MessageRow> {
    const { rows } = await as(user, (tx) =>
      tx.query<MessageRow>('insert into flock_messages (room, body) values ($1, $2) returning *', [room, body]),
    );
    return rows[0]!;
  }

  async function messageAsOwner(id: string): Promise<MessageRow> {
    const { rows } = await owner((tx) => tx.query<MessageRow>('select * from flock_messages where id = $1', [id]));
    assert.equal(rows.length, 1, `message ${id} exists`);
    return rows[0]!;
  }

  async function joinRoom(user: TestUser, room: string): Promise<void> {
    await as(user, (tx) => tx.query('insert into flock_reads (room) values ($1)', [room]));
  }

  /** A notification for `user` written the way a backend would: as service_role. */
  async function notify(user: TestUser, title: string): Promise<NotificationRow> {
    const { rows } = await current().asRole({ role: 'service_role' }, (tx) =>
      tx.query<NotificationRow>('insert into flock_notifications (user_id, title) values ($1, $2) returning *', [
        user.id,
        title,
      ]),
    );
    return rows[0]!;
  }

  async function notificationAsOwner(id: string): Promise<NotificationRow> {
    const { rows } = await owner((tx) =>
      tx.query<NotificationRow>('select * from flock_notifications where id = $1', [id]),
    );
    assert.equal(rows.length, 1, `notification ${id} exists`);
    return rows[0]!;
  }

  async function notificationsAsOwner(messageId: string): Promise<NotificationRow[]> {
    const { rows } = await owner((tx) =>
      tx.query<NotificationRow>('select * from flock_notifications where message_id = $1 order by user_id', [
        messageId,
      ]),
    );
    return rows;
  }

  return {
    get db(): Database {
      return current();
    },
    as,
    owner,
    post,
    messageAsOwner,
    joinRoom,
    notify,
    notificationAsOwner,
    notificationsAsOwner,
  };
}

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Database, Transaction } from '../../server/db.ts';
import { createUser, openTestDatabase, type TestUser } from '../support/db.ts';

const MIGRATION = '20261122000000_flock.sql';

let db: Database;

before(async () => {
  db = await openTestDatabase();
});

after(async () => {
  await db?.close();
});

/** Runs `fn` as `user`'s signed-in session: their role, their JWT claims, RLS on. */
function as<T>(user: TestUser, fn: (tx: Transaction) => Promise<T>): Promise<T> {
  return db.asRole(user.claims, fn);
}

function owner<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
  return db.asOwner(fn);
}

/** Asserts that `promise` fails with Postgres error `code` (42501 privilege/RLS, 23514 check). */
async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.equal((err as { code?: unknown }).code, code, String(err));
    return true;
  });
}

interface MessageRow {
  id: string;
  room: string;
  user_id: string;
  author_name: string;
  body: string;
  created_at: Date;
  edited_at: Date | null;
  deleted_at: Date | null;
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

interface NotificationRow {
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

/** A notification for `user` written the way a backend would: as service_role. */
async function notify(user: TestUser, title: string): Promise<NotificationRow> {
  const { rows } = await db.asRole({ role: 'service_role' }, (tx) =>
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

describe('flock_notifications', () => {
  let ada: TestUser;
  let ben: TestUser;
  let adas: NotificationRow;

  before(async () => {
    ada = await createUser(db, 'Ada');
    ben = await createUser(db, 'Ben');
    adas = await notify(ada, 'For Ada only');
  });

  it("hides a user's notifications from everyone else", async () => {
    const seenByBen = await as(ben, (tx) => tx.query('select id from flock_notifications where user_id = $1', [ada.id]));
    const seenByAda = await as(ada, (tx) => tx.query('select id from flock_notifications where id = $1', [adas.id]));
    assert.equal(seenByBen.rows.length, 0);
    assert.equal(seenByAda.rows.length, 1);
  });

  it("does not let another user mark a user's notification read", async () => {
    const { rows } = await as(ben, (tx) =>
      tx.query('update flock_notifications set read_at = now() where id = $1 returning id', [adas.id]),
    );
    assert.equal(rows.length, 0);
    assert.equal((await notificationAsOwner(adas.id)).read_at, null);
  });

  it("does not let another user delete a user's notification", async () => {
    const { rows } = await as(ben, (tx) =>
      tx.query('delete from flock_notifications where id = $1 returning id', [adas.id]),
    );
    assert.equal(rows.length, 0);
    assert.equal((await notificationAsOwner(adas.id)).title, 'For Ada only');
  });

  it('lets a user mark their own notification read, and change nothing else about it', async () => {
    const own = await notify(ben, 'For Ben');
    const marked = await as(ben, (tx) =>
      tx.query('update flock_notifications set read_at = now() where id = $1 returning id', [own.id]),
    );
    assert.equal(marked.rows.length, 1);
    assert.notEqual((await notificationAsOwner(own.id)).read_at, null);

    await rejectsWith(
      as(ben, (tx) => tx.query(`update flock_notifications set title = 'Forged' where id = $1`, [own.id])),
      '42501',
    );
    await rejectsWith(
      as(ben, (tx) => tx.query('update flock_notifications set user_id = $2 where id = $1', [own.id, ada.id])),
      '42501',
    );
    const after = await notificationAsOwner(own.id);
    assert.equal(after.title, 'For Ben');
    assert.equal(after.user_id, ben.id);
  });

  it('does not let a user create a notification, for another user or for themselves', async () => {
    await rejectsWith(
      as(ben, (tx) => tx.query(`insert into flock_notifications (user_id, title) values ($1, 'Spam')`, [ada.id])),
      '42501',
    );
    await rejectsWith(
      as(ben, (tx) => tx.query(`insert into flock_notifications (user_id, title) values ($1, 'Self')`, [ben.id])),
      '42501',
    );
    const { rows } = await owner((tx) =>
      tx.query(`select 1 from flock_notifications where title in ('Spam', 'Self')`),
    );
    assert.equal(rows.length, 0);
  });

  it('lets a user dismiss their own notification', async () => {
    const own = await notify(ben, 'Dismiss me');
    const { rows } = await as(ben, (tx) =>
      tx.query('delete from flock_notifications where id = $1 returning id', [own.id]),
    );
    assert.equal(rows.length, 1);
  });
});

describe('flock_messages permissions', () => {
  const room = 'perm-room';
  let ada: TestUser;
  let ben: TestUser;
  let adas: MessageRow;

  before(async () => {
    ada = await createUser(db, 'Ada');
    ben = await createUser(db, 'Ben');
    adas = await post(ada, room, 'Original words');
  });

  it("does not let another user edit a user's message", async () => {
    const { rows } = await as(ben, (tx) =>
      tx.query(`update flock_messages set body = 'Hijacked' where id = $1 returning id`, [adas.id]),
    );
    assert.equal(rows.length, 0);
    const now = await messageAsOwner(adas.id);
    assert.equal(now.body, 'Original words');
    assert.equal(now.edited_at, null);
  });

  it("does not let another user delete or soft-delete a user's message", async () => {
    const hard = await as(ben, (tx) => tx.query('delete from flock_messages where id = $1 returning id', [adas.id]));
    const soft = await as(ben, (tx) =>
      tx.query('update flock_messages set deleted_at = now() where id = $1 returning id', [adas.id]),
    );
    assert.equal(hard.rows.length, 0);
    assert.equal(soft.rows.length, 0);
    const now = await messageAsOwner(adas.id);
    assert.equal(now.deleted_at, null);
    assert.equal(now.body, 'Original words');
  });

  it('does not let a user post as someone else', async () => {
    const id = randomUUID();
    await rejectsWith(
      as(ben, (tx) =>
        tx.query(`insert into flock_messages (id, room, user_id, body) values ($1, $2, $3, 'As Ada')`, [
          id,
          room,
          ada.id,
        ]),
      ),
      '42501',
    );
    const { rows } = await owner((tx) => tx.query('select 1 from flock_messages where id = $1', [id]));
    assert.equal(rows.length, 0);
  });

  it("does not let an upsert take over another user's message id", async () => {
    await rejectsWith(
      as(ben, (tx) =>
        tx.query(
          `insert into flock_messages (id, room, body) values ($1, $2, 'Mine now')
           on conflict (id) do update set body = excluded.body`,
          [adas.id, room],
        ),
      ),
      '42501',
    );
    assert.equal((await messageAsOwner(adas.id)).body, 'Original words');
  });

  it('lets every signed-in user read messages, and the anon role none', async () => {
    const seenByBen = await as(ben, (tx) => tx.query('select id from flock_messages where id = $1', [adas.id]));
    assert.equal(seenByBen.rows.length, 1);
    for (const table of ['flock_messages', 'flock_reads', 'flock_notifications']) {
      await rejectsWith(
        db.asRole({ role: 'anon' }, (tx) => tx.query(`select * from ${table}`)),
        '42501',
      );
    }
    await rejectsWith(
      db.asRole({ role: 'anon' }, (tx) => tx.query(`insert into flock_messages (room, body) values ($1, 'hi')`, [room])),
      '42501',
    );
  });

  it('fills the author name from the session, and falls back to Anonymous', async () => {
    const named = await post(ada, room, 'Who am I?');
    assert.equal(named.author_name, 'Ada');

    const nameless = await createUser(db, 'Ignored');
    const { rows } = await db.asRole({ role: 'authenticated', sub: nameless.id }, (tx) =>
      tx.query<MessageRow>(`insert into flock_messages (room, body, author_name) values ($1, 'hi', '  ') returning *`, [
        room,
      ]),
    );
    assert.equal(rows[0]!.author_name, 'Anonymous');
    assert.equal(rows[0]!.user_id, nameless.id);
  });
});

describe('flock_messages lifecycle', () => {
  const room = 'life-room';
  let ada: TestUser;

  before(async () => {
    ada = await createUser(db, 'Ada');
  });

  it('stamps created_at with the server clock, whatever the client sent', async () => {
    const before = await owner((tx) => tx.query<{ now: Date }>('select clock_timestamp() as now'));
    const { rows } = await as(ada, (tx) =>
      tx.query<MessageRow>(
        `insert into flock_messages (room, body, created_at) values ($1, 'Backdated?', '2001-01-01T00:00:00Z')
         returning *`,
        [room],
      ),
    );
    const createdAt = rows[0]!.created_at.getTime();
    assert.ok(createdAt >= before.rows[0]!.now.getTime(), `created_at ${rows[0]!.created_at.toISOString()} is now`);
    assert.ok(createdAt <= Date.now() + 1000);
  });

  it('makes an upsert resend of the same message a no-op', async () => {
    const sent = await post(ada, room, 'Sent once');
    const resend = () =>
      as(ada, (tx) =>
        tx.query(
          `insert into flock_messages as m (id, room, body, author_name, created_at)
           values ($1, $2, 'Sent once', 'Ada', '2001-01-01T00:00:00Z')
           on conflict (id) do update set
             room = excluded.room, body = excluded.body,
             author_name = excluded.author_name, created_at = excluded.created_at`,
          [sent.id, room],
        ),
      );
    await resend();
    await resend();

    const now = await messageAsOwner(sent.id);
    assert.equal(now.edited_at, null);
    assert.equal(now.created_at.getTime(), sent.created_at.getTime());
    assert.equal(now.body, 'Sent once');
    const { rows } = await owner((tx) => tx.query('select 1 from flock_messages where id = $1', [sent.id]));
    assert.equal(rows.length, 1);
  });

  it('keeps id, room, author and created_at when the author updates them', async () => {
    const sent = await post(ada, room, 'Stay put');
    const other = await createUser(db, 'Other');
    await as(ada, (tx) =>
      tx.query(
        `update flock_messages set room = 'elsewhere', user_id = $2, created_at = '2001-01-01' where id = $1`,
        [sent.id, other.id],
      ),
    );
    const now = await messageAsOwner(sent.id);
    assert.equal(now.room, room);
    assert.equal(now.user_id, ada.id);
    assert.equal(now.created_at.getTime(), sent.created_at.getTime());
    assert.equal(now.edited_at, null);
  });

  it('marks a message edited when its body changes', async () => {
    const sent = await post(ada, room, 'Frist');
    await as(ada, (tx) => tx.query(`update flock_messages set body = 'First' where id = $1`, [sent.id]));
    const now = await messageAsOwner(sent.id);
    assert.equal(now.body, 'First');
    assert.notEqual(now.edited_at, null);
    assert.ok(now.edited_at!.getTime() >= now.created_at.getTime());
  });

  it('soft-deletes a message by clearing its body, for good', async () => {
    const sent = await post(ada, room, 'Regrettable');
    await as(ada, (tx) => tx.query('update flock_messages set deleted_at = now() where id = $1', [sent.id]));
    const deleted = await messageAsOwner(sent.id);
    assert.equal(deleted.body, '');
    assert.notEqual(deleted.deleted_at, null);
    assert.equal(deleted.edited_at, null);

    // A late edit replayed from an offline queue does not bring the text back.
    await as(ada, (tx) =>
      tx.query(`update flock_messages set body = 'Regrettable', deleted_at = null where id = $1`, [sent.id]),
    );
    const still = await messageAsOwner(sent.id);
    assert.equal(still.body, '');
    assert.equal(still.deleted_at?.getTime(), deleted.deleted_at!.getTime());
  });

  it('rejects a body longer than 4000 characters', async () => {
    await post(ada, room, 'x'.repeat(4000));
    await rejectsWith(post(ada, room, 'x'.repeat(4001)), '23514');
  });

  it('rejects a blank body', async () => {
    await rejectsWith(post(ada, room, ''), '23514');
    await rejectsWith(post(ada, room, ' \n\t '), '23514');
  });

  it('rejects an empty or overlong room name', async () => {
    await rejectsWith(post(ada, '', 'hi'), '23514');
    await rejectsWith(post(ada, 'r'.repeat(201), 'hi'), '23514');
  });
});

describe('flock_reads', () => {
  const room = 'reads-room';
  let ada: TestUser;
  let ben: TestUser;

  before(async () => {
    ada = await createUser(db, 'Ada');
    ben = await createUser(db, 'Ben');
    await joinRoom(ada, room);
  });

  it("shows everyone's read state but lets a user change only their own", async () => {
    const seen = await as(ben, (tx) => tx.query('select user_id from flock_reads where room = $1', [room]));
    assert.deepEqual(seen.rows, [{ user_id: ada.id }]);

    const updated = await as(ben, (tx) =>
      tx.query(`update flock_reads set last_read_at = '2001-01-01' where room = $1 returning user_id`, [room]),
    );
    const deleted = await as(ben, (tx) => tx.query('delete from flock_reads where room = $1 returning user_id', [room]));
    assert.equal(updated.rows.length, 0);
    assert.equal(deleted.rows.length, 0);
    await rejectsWith(
      as(ben, (tx) => tx.query('insert into flock_reads (user_id, room) values ($1, $2)', [ada.id, 'other'])),
      '42501',
    );
  });

  it('keeps updated_at current when a user marks a room read', async () => {
    const message = await post(ada, room, 'Read me');
    const read = (tx: Transaction) =>
      tx.query<{ updated_at: Date; last_read_message_id: string | null }>(
        'select updated_at, last_read_message_id from flock_reads where user_id = $1 and room = $2',
        [ada.id, room],
      );
    const before = (await owner(read)).rows[0]!;
    await as(ada, (tx) =>
      tx.query(`update flock_reads set last_read_message_id = $2, updated_at = '2001-01-01' where user_id = $1`, [
        ada.id,
        message.id,
      ]),
    );
    const after = (await owner(read)).rows[0]!;
    assert.equal(after.last_read_message_id, message.id);
    assert.ok(after.updated_at.getTime() > before.updated_at.getTime());
  });
});

describe('mentions', () => {
  const room = 'mention-room';
  let ada: TestUser;
  let bob: TestUser;
  let maryAnn: TestUser;
  let carol: TestUser;

  before(async () => {
    ada = await createUser(db, 'Ada Mention');
    bob = await createUser(db, 'Bobby');
    maryAnn = await createUser(db, 'Mary Ann');
    carol = await createUser(db, 'Carol');
    await joinRoom(bob, room);
    await post(maryAnn, room, 'I have been here before');
    await joinRoom(carol, 'another-room');
  });

  it('notifies a mentioned room member once, however often they are named', async () => {
    const message = await post(ada, room, 'hi @bobby and again @Bobby, @BOBBY.');
    const notes = await notificationsAsOwner(message.id);
    assert.equal(notes.length, 1);
    const note = notes[0]!;
    assert.equal(note.user_id, bob.id);
    assert.equal(note.kind, 'mention');
    assert.equal(note.title, 'Ada Mention mentioned you');
    assert.equal(note.body, 'hi @bobby and again @Bobby, @BOBBY.');
    assert.equal(note.room, room);
    assert.equal(note.actor_id, ada.id);
    assert.equal(note.actor_name, 'Ada Mention');
    assert.equal(note.url, null);

    const mine = await as(bob, (tx) => tx.query('select id from flock_notifications where message_id = $1', [message.id]));
    assert.equal(mine.rows.length, 1);
  });

  it('matches a display name with its spaces removed, and members who have only posted', async () => {
    const message = await post(ada, room, '@maryann look');
    const notes = await notificationsAsOwner(message.id);
    assert.deepEqual(
      notes.map((n) => n.user_id),
      [maryAnn.id],
    );
  });

  it('notifies several members once each', async () => {
    const message = await post(ada, room, '@Bobby @MaryAnn @Bobby');
    const notes = await notificationsAsOwner(message.id);
    assert.deepEqual(notes.map((n) => n.user_id).sort(), [bob.id, maryAnn.id].sort());
  });

  it('does not notify a user who is not a member of the room', async () => {
    const message = await post(ada, room, 'hey @Carol');
    assert.equal((await notificationsAsOwner(message.id)).length, 0);
  });

  it('does not notify the author for mentioning themselves', async () => {
    const message = await post(ada, room, 'note to self @AdaMention');
    assert.equal((await notificationsAsOwner(message.id)).length, 0);
  });

  it('does not notify anyone for a name nobody has, or an email address', async () => {
    const message = await post(ada, room, 'ping @Nobody, mail bobby@Bobby.com');
    assert.equal((await notificationsAsOwner(message.id)).length, 0);
  });

  it('does not notify again when a message is edited', async () => {
    const message = await post(ada, room, 'soon');
    await as(ada, (tx) => tx.query(`update flock_messages set body = 'now @Bobby' where id = $1`, [message.id]));
    assert.equal((await notificationsAsOwner(message.id)).length, 0);
  });
});

describe('migrations', () => {
  it('applies the migration once, keeps its privileges across restarts, and publishes the tables to Realtime', async () => {
    assert.deepEqual(db.appliedMigrations, [MIGRATION]);

    const dir = await mkdtemp(join(tmpdir(), 'flock-schema-'));
    try {
      const first = await openTestDatabase(dir);
      assert.deepEqual(first.appliedMigrations, [MIGRATION]);
      await first.close();

      const second = await openTestDatabase(dir);
      try {
        assert.deepEqual(second.appliedMigrations, []);
        const ledger = await second.pg.query<{ version: string }>(
          'select version from supabase_migrations.schema_migrations',
        );
        assert.deepEqual(ledger.rows, [{ version: MIGRATION.split('_')[0] }]);
        const published = await second.pg.query<{ tablename: string }>(
          `select tablename from pg_publication_tables
           where pubname = 'supabase_realtime' and schemaname = 'public' order by tablename`,
        );
        assert.deepEqual(
          published.rows.map((r) => r.tablename),
          ['flock_messages', 'flock_notifications', 'flock_reads'],
        );

        // Restarting must not hand back what the migration revoked.
        await rejectsWith(
          second.asRole({ role: 'anon' }, (tx) => tx.query('select * from flock_messages')),
          '42501',
        );
        const { rows } = await second.pg.query<{ title: boolean; read_at: boolean }>(
          `select has_column_privilege('authenticated', 'public.flock_notifications', 'title', 'update') as title,
                  has_column_privilege('authenticated', 'public.flock_notifications', 'read_at', 'update') as read_at`,
        );
        assert.deepEqual(rows, [{ title: false, read_at: true }]);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps full old rows for Realtime on every table', async () => {
    const { rows } = await owner((tx) =>
      tx.query<{ relname: string; relreplident: string }>(
        `select relname, relreplident from pg_class
         where relname in ('flock_messages', 'flock_reads', 'flock_notifications') order by relname`,
      ),
    );
    assert.deepEqual(
      rows.map((r) => r.relreplident),
      ['f', 'f', 'f'],
    );
  });
});

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, it } from 'node:test';
import type { Transaction } from '../../server/db.ts';
import { createUser, type TestUser } from '../support/db.ts';
import { rejectsWith, useSchemaDatabase, type MessageRow } from '../support/schema-fixtures.ts';

const fx = useSchemaDatabase();
const { as, owner, post, messageAsOwner, joinRoom } = fx;

describe('flock_messages permissions', () => {
  const room = 'perm-room';
  let ada: TestUser;
  let ben: TestUser;
  let adas: MessageRow;

  before(async () => {
    ada = await createUser(fx.db, 'Ada');
    ben = await createUser(fx.db, 'Ben');
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
        fx.db.asRole({ role: 'anon' }, (tx) => tx.query(`select * from ${table}`)),
        '42501',
      );
    }
    await rejectsWith(
      fx.db.asRole({ role: 'anon' }, (tx) => tx.query(`insert into flock_messages (room, body) values ($1, 'hi')`, [room])),
      '42501',
    );
  });

  it('fills the author name from the session, and falls back to Anonymous', async () => {
    const named = await post(ada, room, 'Who am I?');
    assert.equal(named.author_name, 'Ada');

    const nameless = await createUser(fx.db, 'Ignored');
    const { rows } = await fx.db.asRole({ role: 'authenticated', sub: nameless.id }, (tx) =>
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
    ada = await createUser(fx.db, 'Ada');
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
    const other = await createUser(fx.db, 'Other');
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
    ada = await createUser(fx.db, 'Ada');
    ben = await createUser(fx.db, 'Ben');
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

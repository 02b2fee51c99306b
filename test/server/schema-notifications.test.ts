import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createUser, type TestUser } from '../support/db.ts';
import { rejectsWith, useSchemaDatabase, type NotificationRow } from '../support/schema-fixtures.ts';

const fx = useSchemaDatabase();
const { as, owner, post, joinRoom, notify, notificationAsOwner, notificationsAsOwner } = fx;

describe('flock_notifications', () => {
  let ada: TestUser;
  let ben: TestUser;
  let adas: NotificationRow;

  before(async () => {
    ada = await createUser(fx.db, 'Ada');
    ben = await createUser(fx.db, 'Ben');
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

describe('mentions', () => {
  const room = 'mention-room';
  let ada: TestUser;
  let bob: TestUser;
  let maryAnn: TestUser;
  let carol: TestUser;

  before(async () => {
    ada = await createUser(fx.db, 'Ada Mention');
    bob = await createUser(fx.db, 'Bobby');
    maryAnn = await createUser(fx.db, 'Mary Ann');
    carol = await createUser(fx.db, 'Carol');
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

  it('finds every author of a busy room, and only authors of this room', async () => {
    // Members are found by stepping through the room's distinct authors: each must be reached,
    // however many messages each has, and an author of only another room must not be.
    const busy = 'mention-busy-room';
    const authors = await Promise.all(['Ann', 'Bea', 'Cy', 'Dot', 'Eli'].map((n) => createUser(fx.db, `${n} Busy`)));
    for (let round = 0; round < 3; round++) for (const a of authors) await post(a, busy, `round ${round}`);
    const elsewhere = await createUser(fx.db, 'Fay Busy');
    await post(elsewhere, 'mention-other-room', 'not here');
    const message = await post(ada, busy, '@AnnBusy @BeaBusy @CyBusy @DotBusy @EliBusy @FayBusy');
    const notes = await notificationsAsOwner(message.id);
    assert.deepEqual(notes.map((n) => n.user_id).sort(), authors.map((a) => a.id).sort());
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

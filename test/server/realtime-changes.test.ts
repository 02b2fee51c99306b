import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import type { RunningServer } from '../../server/start.ts';
import { ClientSet, Inbox, listen, quietPeriod, subscribed, VSNS, type Vsn } from '../support/realtime.ts';
import { LOCAL_SERVICE_ROLE_KEY, startTestServer } from '../support/server.ts';

/**
 * postgres_changes through the chat's own tables, as the app meets them: a message's whole
 * life (post, edit, soft delete, hard delete) seen by one binding per event, filters on a
 * table with row-level security, which old row UPDATE and DELETE carry, who receives a
 * notification's changes, and the `system` message each binding's subscription ends in.
 * Complements realtime-postgres-changes.test.ts (operators on a plain table, the join reply's
 * ids, the client's mismatch check). Expectations come from Supabase Realtime's
 * `realtime.apply_rls` and `subscription_check_filters` (v2.129.8). Absence is proven after
 * `feed.settled()` (every committed change handed out) plus a short quiet period.
 */

type Row = Record<string, unknown>;
type Change = {
  schema: string;
  table: string;
  commit_timestamp: string;
  eventType: 'INSERT' | 'UPDATE' | 'DELETE';
  new: Row;
  old: Row;
  errors: unknown;
};
type System = { extension: string; status: string; message: string; channel: string };
type Binding = { event: '*' | 'INSERT' | 'UPDATE' | 'DELETE'; table: string; filter?: string };

const MIGRATIONS = fileURLToPath(new URL('../../supabase/migrations/', import.meta.url));

/**
 * Tables the chat schema lacks: one published with the default replica identity (old rows
 * carry only the primary key), and one that exists but is not published.
 */
const EXTRA_SQL = `
create table public.rt_plain (id int primary key, n int, label text);
grant select, insert, update, delete on public.rt_plain to authenticated, service_role;
alter publication supabase_realtime add table public.rt_plain;

create table public.rt_unpublished (id int primary key, n int);
grant select, insert on public.rt_unpublished to authenticated, service_role;
`;

const MESSAGE_COLUMNS = ['id', 'room', 'user_id', 'author_name', 'body', 'created_at', 'edited_at', 'deleted_at'];
const NOTIFICATION_COLUMNS = [
  'id', 'user_id', 'kind', 'title', 'body', 'url', 'room', 'actor_id', 'actor_name', 'message_id', 'created_at', 'read_at',
];

/** Collects one postgres_changes binding's payloads. Call before subscribing; order of calls is binding order. */
function bind(channel: RealtimeChannel, binding: Binding): Inbox<Change> {
  const inbox = new Inbox<Change>(`${channel.topic} ${binding.event} ${binding.table} ${binding.filter ?? ''}`);
  channel.on('postgres_changes', { schema: 'public', ...binding } as { event: '*'; schema: string }, (p) =>
    inbox.push(p as unknown as Change),
  );
  return inbox;
}

describe('realtime postgres_changes on the chat tables', () => {
  let server: RunningServer;
  let dir: string;
  let service: SupabaseClient;
  const clients = new ClientSet(() => server.url);

  /** A client signed in anonymously: the `authenticated` role, as the kit's users are. */
  const user = (vsn: Vsn = '2.0.0'): Promise<{ client: SupabaseClient; id: string }> => clients.signedIn('Tester', { vsn });

  async function settled(): Promise<void> {
    await server.realtime.env.feed.settled();
    await quietPeriod(200);
  }

  async function sql(text: string, params: unknown[] = []): Promise<void> {
    await server.ctx.db.asOwner((tx) => tx.query(text, params));
  }

  /** Posts a message as `client` and returns the row as REST returns it. */
  async function post(client: SupabaseClient, room: string, body: string): Promise<Row> {
    const { data, error } = await client.from('flock_messages').insert({ id: randomUUID(), room, body }).select().single();
    assert.equal(error, null);
    return data as Row;
  }

  /** The `system` message a channel's bindings end in, after it subscribed. */
  async function subscribeFor(channel: RealtimeChannel): Promise<System> {
    const system = listen<System>(channel, 'system');
    await subscribed(channel);
    return system.next();
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flock-rt-changes-'));
    for (const f of await readdir(MIGRATIONS)) if (f.endsWith('.sql')) await copyFile(join(MIGRATIONS, f), join(dir, f));
    await writeFile(join(dir, '99990101000000_rt_changes_tables.sql'), EXTRA_SQL);
    server = await startTestServer({ migrationsDir: dir });
    service = clients.make({ key: LOCAL_SERVICE_ROLE_KEY });
  });
  afterEach(() => clients.closeAll());
  after(async () => {
    await clients.closeAll();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  for (const vsn of VSNS) {
    describe(`vsn ${vsn}`, () => {
      it("follows a message's life with one binding per event, each receiving only its own", async () => {
        const room = randomUUID();
        const ada = await user(vsn);
        const watcher = await user(vsn);
        const channel = watcher.client.channel(`life-${room}`);
        const filter = `room=eq.${room}`;
        // Deliberately not in event order: each callback must get its binding's events by id, not by position.
        const updates = bind(channel, { event: 'UPDATE', table: 'flock_messages', filter });
        const inserts = bind(channel, { event: 'INSERT', table: 'flock_messages', filter });
        const deletes = bind(channel, { event: 'DELETE', table: 'flock_messages', filter });
        const all = bind(channel, { event: '*', table: 'flock_messages', filter });
        assert.deepEqual(await subscribeFor(channel), {
          extension: 'postgres_changes',
          status: 'ok',
          message: 'Subscribed to PostgreSQL',
          channel: `life-${room}`,
        });

        const posted = await post(ada.client, room, 'first');
        const edit = await ada.client.from('flock_messages').update({ body: 'edited' }).eq('id', posted.id).select().single();
        assert.equal(edit.error, null);
        const soft = await ada.client
          .from('flock_messages')
          .update({ deleted_at: new Date().toISOString() })
          .eq('id', posted.id)
          .select()
          .single();
        assert.equal(soft.error, null);
        assert.equal((await service.from('flock_messages').delete().eq('id', posted.id)).error, null);
        await all.next((c) => c.eventType === 'DELETE');
        await settled();

        // The new rows are exactly what REST returned for each write.
        assert.equal(inserts.all.length, 1);
        assert.deepEqual(inserts.all[0]!.new, posted);
        assert.deepEqual(Object.keys(inserts.all[0]!.new).sort(), [...MESSAGE_COLUMNS].sort());
        assert.deepEqual(inserts.all[0]!.old, {});

        assert.equal(updates.all.length, 2);
        const [edited, softDeleted] = updates.all as [Change, Change];
        assert.deepEqual(edited.new, edit.data);
        // Replica identity full: UPDATE carries the whole previous row.
        assert.deepEqual(edited.old, posted);
        assert.deepEqual(softDeleted.new, soft.data);
        assert.equal(softDeleted.new.body, '');
        assert.notEqual(softDeleted.new.deleted_at, null);
        assert.deepEqual(softDeleted.old, edit.data);

        assert.equal(deletes.all.length, 1);
        assert.deepEqual(deletes.all[0]!.new, {});
        // flock_messages has RLS, so (as in Supabase) a DELETE carries only the primary key.
        assert.deepEqual(deletes.all[0]!.old, { id: posted.id });

        assert.deepEqual(all.all.map((c) => c.eventType), ['INSERT', 'UPDATE', 'UPDATE', 'DELETE']);
        for (const c of all.all) {
          assert.equal(c.schema, 'public');
          assert.equal(c.table, 'flock_messages');
          assert.equal(c.errors, null);
          assert.match(c.commit_timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        }
        const stamps = all.all.map((c) => Date.parse(c.commit_timestamp));
        assert.deepEqual(stamps, [...stamps].sort((a, b) => a - b), 'commit timestamps never go back');
      });
    });
  }

  describe('filters on a table with row-level security', () => {
    it('applies in, neq, not.eq, lt, lte, gt, gte, is.null and ANDed filters to what users post', async () => {
      const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
      const ours = `room=in.(${a},${b},${c})`;
      const before = new Date(Date.now() - 60_000).toISOString();
      const later = new Date(Date.now() + 3_600_000).toISOString();
      const ada = await user();
      const channel = (await user()).client.channel(`filters-${a}`);
      const filters = [
        `room=in.(${a},${b})`,
        `${ours},body=neq.hello`,
        `${ours},body=not.eq.hello`,
        `room=eq.${a},body=eq.hello`,
        `${ours},created_at=gt.${before}`,
        `${ours},created_at=gte.${before}`,
        `${ours},created_at=lt.${before}`,
        `${ours},created_at=lte.${later}`,
        `${ours},edited_at=is.null`,
        `${ours},body=in.(bye,hi)`,
      ];
      const inboxes = filters.map((filter) => bind(channel, { event: 'INSERT', table: 'flock_messages', filter }));
      await subscribed(channel);
      for (const [room, body] of [[a, 'hello'], [b, 'hello'], [c, 'bye'], [a, 'bye']] as const) await post(ada.client, room, body);
      await settled();

      const label = new Map<string, string>([[a, 'a'], [b, 'b'], [c, 'c']]);
      const got = Object.fromEntries(filters.map((f, i) => [f, inboxes[i]!.all.map((m) => `${label.get(m.new.room as string)}:${m.new.body}`)]));
      const all = ['a:hello', 'b:hello', 'c:bye', 'a:bye'];
      assert.deepEqual(got, {
        [filters[0]!]: ['a:hello', 'b:hello', 'a:bye'],
        [filters[1]!]: ['c:bye', 'a:bye'],
        [filters[2]!]: ['c:bye', 'a:bye'],
        [filters[3]!]: ['a:hello'],
        [filters[4]!]: all,
        [filters[5]!]: all,
        [filters[6]!]: [],
        [filters[7]!]: all,
        [filters[8]!]: all,
        [filters[9]!]: ['c:bye', 'a:bye'],
      });
    });

    it('filters an UPDATE by its new row and a DELETE by its old row', async () => {
      const room = randomUUID();
      const ada = await user();
      const channel = (await user()).client.channel(`old-new-${room}`);
      const updatedToAfter = bind(channel, { event: 'UPDATE', table: 'flock_messages', filter: `room=eq.${room},body=eq.after` });
      const updatedFromBefore = bind(channel, { event: 'UPDATE', table: 'flock_messages', filter: `room=eq.${room},body=eq.before` });
      const deletedAfter = bind(channel, { event: 'DELETE', table: 'flock_messages', filter: `room=eq.${room},body=eq.after` });
      const deletedBefore = bind(channel, { event: 'DELETE', table: 'flock_messages', filter: `room=eq.${room},body=eq.before` });
      await subscribed(channel);
      const posted = await post(ada.client, room, 'before');
      assert.equal((await ada.client.from('flock_messages').update({ body: 'after' }).eq('id', posted.id)).error, null);
      assert.equal((await service.from('flock_messages').delete().eq('id', posted.id)).error, null);
      await settled();
      assert.deepEqual(updatedToAfter.all.map((c) => [c.old.body, c.new.body]), [['before', 'after']]);
      assert.deepEqual(updatedFromBefore.all, [], 'an UPDATE is matched against its new row only');
      assert.deepEqual(deletedAfter.all.map((c) => c.old), [{ id: posted.id }]);
      assert.deepEqual(deletedBefore.all, []);
    });

    it('delivers the rows of one transaction, and of transactions after it, in commit order', async () => {
      const room = randomUUID();
      const ada = await user();
      const channel = (await user()).client.channel(`order-${room}`);
      const inbox = bind(channel, { event: 'INSERT', table: 'flock_messages', filter: `room=eq.${room}` });
      await subscribed(channel);
      // One request, one transaction, five rows.
      const batch = Array.from({ length: 5 }, (_, i) => ({ id: randomUUID(), room, user_id: ada.id, author_name: 'Batch', body: `batch ${i}` }));
      assert.equal((await service.from('flock_messages').insert(batch)).error, null);
      for (let i = 0; i < 5; i++) await post(ada.client, room, `single ${i}`);
      await settled();
      assert.deepEqual(
        inbox.all.map((c) => c.new.body),
        [...batch.map((m) => m.body), ...Array.from({ length: 5 }, (_, i) => `single ${i}`)],
      );
    });
  });

  describe('replica identity default', () => {
    it('carries only the primary key as the old row of an UPDATE and a DELETE', async () => {
      const ada = await user();
      const channel = ada.client.channel(`plain-${randomUUID()}`);
      const id = Math.floor(Math.random() * 1e9);
      const inbox = bind(channel, { event: '*', table: 'rt_plain', filter: `id=eq.${id}` });
      await subscribed(channel);
      await sql('insert into public.rt_plain (id, n, label) values ($1, 1, $2)', [id, 'one']);
      await sql('update public.rt_plain set n = 2 where id = $1', [id]);
      await sql('delete from public.rt_plain where id = $1', [id]);
      await settled();
      assert.deepEqual(
        inbox.all.map((c) => [c.eventType, c.new, c.old]),
        [
          ['INSERT', { id, n: 1, label: 'one' }, {}],
          ['UPDATE', { id, n: 2, label: 'one' }, { id }],
          ['DELETE', {}, { id }],
        ],
      );
    });

    it(
      'does not match a DELETE filtered on a column its old row does not carry',
      
      async () => {
        const ada = await user();
        const channel = ada.client.channel(`plain-delete-${randomUUID()}`);
        const id = Math.floor(Math.random() * 1e9);
        const byLabel = bind(channel, { event: 'DELETE', table: 'rt_plain', filter: `label=eq.gone-${id}` });
        const byId = bind(channel, { event: 'DELETE', table: 'rt_plain', filter: `id=eq.${id}` });
        await subscribed(channel);
        await sql('insert into public.rt_plain (id, n, label) values ($1, 1, $2)', [id, `gone-${id}`]);
        await sql('delete from public.rt_plain where id = $1', [id]);
        await byId.next();
        await settled();
        // realtime.is_visible_through_filters(old_columns, ...) finds no `label` in the identity: no match.
        assert.deepEqual(byLabel.all, []);
      },
    );
  });

  describe('row-level security per subscriber', () => {
    it("sends a notification's insert and update only to its owner, and its delete (key only) to every reader", async () => {
      const ada = await user();
      const ben = await user();
      const adaChannel = ada.client.channel(`notes-${ada.id}`);
      const benChannel = ben.client.channel(`notes-${ben.id}`);
      const adaNotes = bind(adaChannel, { event: '*', table: 'flock_notifications' });
      const benNotes = bind(benChannel, { event: '*', table: 'flock_notifications' });
      await subscribed(adaChannel);
      await subscribed(benChannel);

      const { data: note, error } = await service
        .from('flock_notifications')
        .insert({ user_id: ada.id, title: 'For Ada', body: 'secret' })
        .select()
        .single();
      assert.equal(error, null);
      const inserted = await adaNotes.next();
      assert.deepEqual(inserted.new, note);
      assert.deepEqual(Object.keys(inserted.new).sort(), [...NOTIFICATION_COLUMNS].sort());

      const read = await ada.client.from('flock_notifications').update({ read_at: new Date().toISOString() }).eq('id', note!.id).select().single();
      assert.equal(read.error, null);
      const updated = await adaNotes.next();
      assert.deepEqual(updated.new, read.data);
      // The old row is the replica identity: (id, user_id) for notifications.
      assert.deepEqual(updated.old, { id: note!.id, user_id: ada.id });
      await settled();
      assert.equal(benNotes.all.length, 0, "Ben sees nothing of Ada's notification while it exists");

      // Supabase does not check RLS on deletes (the row is gone), so it sends them to everyone
      // who may read the table, reduced to the primary key so nothing else leaks.
      assert.equal((await ada.client.from('flock_notifications').delete().eq('id', note!.id)).error, null);
      assert.deepEqual((await adaNotes.next((c) => c.eventType === 'DELETE')).old, { id: note!.id });
      assert.deepEqual((await benNotes.next()).old, { id: note!.id });
      await settled();
      assert.deepEqual(benNotes.all.map((c) => [c.eventType, c.new, c.old]), [['DELETE', {}, { id: note!.id }]]);
    });

    it('sends only the columns the role may select', async () => {
      await sql('revoke select on public.flock_notifications from authenticated');
      await sql('grant select (id, user_id, title, read_at) on public.flock_notifications to authenticated');
      try {
        const ada = await user();
        const channel = ada.client.channel(`note-columns-${ada.id}`);
        const notes = bind(channel, { event: '*', table: 'flock_notifications' });
        await subscribed(channel);
        const { data: note } = await service.from('flock_notifications').insert({ user_id: ada.id, title: 'Partial', body: 'hidden' }).select().single();
        await service.from('flock_notifications').update({ read_at: new Date().toISOString() }).eq('id', note!.id);
        const inserted = await notes.next();
        assert.deepEqual(Object.keys(inserted.new).sort(), ['id', 'read_at', 'title', 'user_id']);
        assert.equal(inserted.new.title, 'Partial');
        const updated = await notes.next();
        assert.deepEqual(Object.keys(updated.new).sort(), ['id', 'read_at', 'title', 'user_id']);
        assert.deepEqual(Object.keys(updated.old).sort(), ['id', 'user_id']);
        assert.notEqual(updated.new.read_at, null);
      } finally {
        await sql('grant select on public.flock_notifications to authenticated');
      }
    });

    it("sends each of many users only their own notifications when one transaction writes everyone's", async () => {
      const users = await Promise.all(Array.from({ length: 12 }, () => user()));
      const inboxes = await Promise.all(
        users.map(async (u) => {
          const channel = u.client.channel(`many-${u.id}`);
          const inbox = bind(channel, { event: '*', table: 'flock_notifications' });
          await subscribed(channel);
          return inbox;
        }),
      );
      // Four of them also filter on someone else's id: the filter matches, their policy does not.
      const spies = await Promise.all(
        users.slice(0, 4).map(async (u, i) => {
          const channel = u.client.channel(`spy-${u.id}`);
          const inbox = bind(channel, { event: '*', table: 'flock_notifications', filter: `user_id=eq.${users[i + 4]!.id}` });
          await subscribed(channel);
          return inbox;
        }),
      );
      const ids = users.map((u) => u.id);

      // One statement each: every row of a statement reaches the feed in one batch.
      await sql(`insert into public.flock_notifications (user_id, title) select u, 'For ' || u from unnest($1::uuid[]) as u`, [ids]);
      for (const [i, inbox] of inboxes.entries()) assert.equal((await inbox.next()).new.user_id, ids[i]);
      // A second batch, after the first one's checks were prepared.
      await sql(`update public.flock_notifications set read_at = now() where user_id = any($1::uuid[])`, [ids]);
      for (const [i, inbox] of inboxes.entries()) assert.equal((await inbox.next((c) => c.eventType === 'UPDATE')).new.user_id, ids[i]);

      await settled();
      for (const [i, inbox] of inboxes.entries()) {
        assert.deepEqual(
          inbox.all.map((c) => [c.eventType, c.new.user_id, c.new.title]),
          [
            ['INSERT', ids[i], `For ${ids[i]}`],
            ['UPDATE', ids[i], `For ${ids[i]}`],
          ],
          `user ${i} receives their own notification's insert and update, and nothing of the others'`,
        );
      }
      for (const spy of spies) assert.equal(spy.all.length, 0, "a filter on someone else's id receives nothing of theirs");
    });

    it('applies policies changed between changes: per user, restrictive, and for another role only', async () => {
      const room = randomUUID();
      const ada = await user();
      const ben = await user();
      const inboxes = await Promise.all(
        [ada, ben].map(async (u) => {
          const channel = u.client.channel(`policy-${room}-${u.id}`);
          const inbox = bind(channel, { event: 'INSERT', table: 'flock_messages', filter: `room=eq.${room}` });
          await subscribed(channel);
          return inbox;
        }),
      );
      const [adaInbox, benInbox] = inboxes as [Inbox<Change>, Inbox<Change>];
      const READ = '"flock_messages: signed-in users read" on public.flock_messages';
      /** Ada posts; resolves with what each of them received of it once the feed has settled. */
      const round = async (body: string): Promise<[boolean, boolean]> => {
        // Without `.select()`: under some of these policies Ada may not read back what she posts.
        const id = randomUUID();
        assert.equal((await ada.client.from('flock_messages').insert({ id, room, body })).error, null);
        await settled();
        return [adaInbox.all.some((c) => c.new.id === id), benInbox.all.some((c) => c.new.id === id)];
      };

      assert.deepEqual(await round('everyone reads this'), [true, true]);
      try {
        await sql(`alter policy ${READ} using (user_id = (select auth.uid()))`);
        assert.deepEqual(await round('only its author reads this'), [true, false], 'a policy that depends on the user');
        await sql(`alter policy ${READ} using (true)`);
        await sql(`create policy "rt: own only" on public.flock_messages as restrictive for select to authenticated using (user_id = (select auth.uid()))`);
        assert.deepEqual(await round('restricted to its author'), [true, false], 'a restrictive policy on top of using (true)');
        await sql(`drop policy "rt: own only" on public.flock_messages`);
        await sql(`alter policy ${READ} to service_role`);
        assert.deepEqual(await round('for the service only'), [false, false], 'using (true) for another role only');
        await sql(`alter policy ${READ} to authenticated`);
        assert.deepEqual(await round('everyone reads this again'), [true, true]);
      } finally {
        await sql(`drop policy if exists "rt: own only" on public.flock_messages`);
        await sql(`alter policy ${READ} to authenticated using (true)`);
      }
    });

    it('never sends row data to a visitor without a session (the anon role may not read chat)', async () => {
      const room = randomUUID();
      const visitor = clients.make();
      const channel = visitor.channel(`anon-${room}`);
      const inbox = bind(channel, { event: '*', table: 'flock_messages' });
      await subscribed(channel);
      const ada = await user();
      const posted = await post(ada.client, room, 'members only');
      await ada.client.from('flock_messages').update({ body: 'still members only' }).eq('id', posted.id);
      await settled();
      // Supabase sends such a subscriber `Error 401: Unauthorized` changes with empty rows
      // (see the todo below); either way no value of the row may reach it.
      for (const c of inbox.all) {
        assert.deepEqual(c.new, {});
        assert.deepEqual(c.old, {});
      }
    });

    it(
      "tells a visitor without a session 'Error 401: Unauthorized' for each change, as Supabase does",
      { todo: 'server mismatch: feed.ts drops changes for a role without SELECT on the primary key; realtime.apply_rls sends them with errors ["Error 401: Unauthorized"] and no row' },
      async () => {
        const room = randomUUID();
        const channel = clients.make().channel(`anon-401-${room}`);
        const inbox = bind(channel, { event: 'INSERT', table: 'flock_messages' });
        await subscribed(channel);
        await post((await user()).client, room, 'members only');
        await settled();
        assert.deepEqual(inbox.all.map((c) => [c.errors, c.new]), [[['Error 401: Unauthorized'], {}]]);
      },
    );
  });

  describe('system messages for bindings the server cannot honour', () => {
    it('subscribes but reports a missing table, an unknown column and a value the column cannot hold', async () => {
      const ada = await user();
      const cases: [Binding, RegExp][] = [
        [
          { event: '*', table: 'no_such_table' },
          /^Unable to subscribe to changes with given parameters\. Please check Realtime is enabled for the given connect parameters: /,
        ],
        [{ event: '*', table: 'flock_messages', filter: 'nope=eq.1' }, /nope/],
        [{ event: 'INSERT', table: 'flock_messages', filter: 'id=eq.not-a-uuid' }, /invalid input syntax for type uuid/],
      ];
      for (const [binding, message] of cases) {
        const channel = ada.client.channel(`bad-${randomUUID()}`);
        bind(channel, binding);
        const system = await subscribeFor(channel);
        assert.equal(channel.state, 'joined');
        assert.equal(system.extension, 'postgres_changes');
        assert.equal(system.status, 'error', JSON.stringify(binding));
        assert.equal(system.channel, channel.subTopic);
        assert.match(system.message, message);
      }
    });

    it('delivers nothing to a binding that was reported as an error', async () => {
      const room = randomUUID();
      const ada = await user();
      const channel = ada.client.channel(`bad-quiet-${room}`);
      const bad = bind(channel, { event: '*', table: 'flock_messages', filter: 'nope=eq.1' });
      assert.equal((await subscribeFor(channel)).status, 'error');
      await post(ada.client, room, 'unseen');
      await settled();
      assert.deepEqual(bad.all, []);
    });

    it(
      'reports a table that is not in the supabase_realtime publication',
      
      async () => {
        const channel = (await user()).client.channel(`unpublished-${randomUUID()}`);
        bind(channel, { event: '*', table: 'rt_unpublished' });
        const system = await subscribeFor(channel);
        assert.equal(system.status, 'error');
        assert.match(system.message, /^Unable to subscribe to changes with given parameters\. Please check Realtime is enabled/);
      },
    );

    it(
      "refuses a filter on a column the subscriber's role may not select",
      
      async () => {
        const channel = clients.make().channel(`anon-filter-${randomUUID()}`);
        bind(channel, { event: '*', table: 'flock_messages', filter: 'room=eq.lobby' });
        const system = await subscribeFor(channel);
        assert.equal(system.status, 'error');
        assert.match(system.message, /invalid column for filter room/);
      },
    );

    it(
      "words filter syntax errors as Realtime's parse_subscription_params does",
      { todo: 'server mismatch: filter-syntax.ts words these errors its own way (and reads "a,,b=eq.c" as one filter); the expected texts are the doctests of Extensions.PostgresCdcRls.Subscriptions' },
      async () => {
        const ada = await user();
        const cases: [string, string][] = [
          ['subject=foo.hey', 'Error parsing `filter` params: ["foo", "hey"]'],
          ['undefined', 'Error parsing `filter` params: ["undefined"]'],
          ['room=in.a', 'Error parsing `filter` params: `in` filter value must be wrapped by parentheses'],
          ['room=eq.a,,body=eq.b', 'Error parsing `filter` params: filter must not contain empty segments (check for extra commas)'],
        ];
        const got: string[] = [];
        for (const [filter] of cases) {
          const channel = ada.client.channel(`syntax-${randomUUID()}`);
          bind(channel, { event: '*', table: 'flock_messages', filter });
          got.push((await subscribeFor(channel)).message);
        }
        assert.deepEqual(got, cases.map(([, message]) => message));
      },
    );
  });
});

import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import type { RunningServer } from '../../server/start.ts';
import { ClientSet, Inbox, listen, quietPeriod, RawSocket, subscribed, VSNS } from '../support/realtime.ts';
import { LOCAL_ANON_KEY, LOCAL_SERVICE_ROLE_KEY, startTestServer } from '../support/server.ts';

/**
 * postgres_changes as the unmodified supabase-js meets it on the local server: the message
 * shape, every filter operator, RLS per subscriber, the join reply's binding ids, and the
 * `system` messages. Absence is proven after `feed.settled()` (every committed change has
 * been handed out) plus a short quiet period for the socket.
 */

type Change = {
  schema: string;
  table: string;
  commit_timestamp: string;
  eventType: string;
  new: Record<string, unknown>;
  old: Record<string, unknown>;
  errors: unknown;
};

const MIGRATIONS = fileURLToPath(new URL('../../supabase/migrations/', import.meta.url));

/** A table of plain columns for the filter operators, published, readable by signed-in users. */
const ITEMS_SQL = `
create table public.rt_items (id int primary key, n int, label text, tags text[]);
grant select, insert, update, delete on public.rt_items to authenticated, service_role;
alter table public.rt_items replica identity full;
alter publication supabase_realtime add table public.rt_items;
`;

function changes(channel: RealtimeChannel, filter: { event: string; table: string; filter?: string }): Inbox<Change> {
  const inbox = new Inbox<Change>(`${channel.topic} ${filter.table} ${filter.filter ?? ''}`);
  channel.on('postgres_changes', { schema: 'public', ...filter } as { event: '*'; schema: string }, (p) => inbox.push(p as unknown as Change));
  return inbox;
}

describe('realtime postgres_changes', () => {
  let server: RunningServer;
  let dir: string;
  let service: SupabaseClient;
  const clients = new ClientSet(() => server.url);

  /** A client signed in anonymously (the authenticated role), with its user id. */
  const user = (vsn: '1.0.0' | '2.0.0' = '2.0.0'): Promise<{ client: SupabaseClient; id: string }> => clients.signedIn('Tester', { vsn });

  async function settled(): Promise<void> {
    await server.realtime.env.feed.settled();
    await quietPeriod(150);
  }

  async function sql(text: string, params: unknown[] = []): Promise<void> {
    await server.ctx.db.asOwner((tx) => tx.query(text, params));
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flock-rt-'));
    for (const f of await readdir(MIGRATIONS)) if (f.endsWith('.sql')) await copyFile(join(MIGRATIONS, f), join(dir, f));
    await writeFile(join(dir, '99990101000000_rt_items.sql'), ITEMS_SQL);
    server = await startTestServer({ migrationsDir: dir });
    service = clients.make({ key: LOCAL_SERVICE_ROLE_KEY });
  });
  // Closes the realtime side of every client; the service client is used for REST only.
  afterEach(() => clients.closeAll());
  after(async () => {
    await clients.closeAll();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  for (const vsn of VSNS) {
    describe(`vsn ${vsn}`, () => {
      it('delivers insert, update and deletes of a room with the shapes supabase-js expects', async () => {
        const room = randomUUID();
        const ada = await user(vsn);
        const watcher = await user(vsn);
        const channel = watcher.client.channel(`watch-${room}`);
        const inbox = changes(channel, { event: '*', table: 'flock_messages', filter: `room=eq.${room}` });
        await subscribed(channel);

        const id = randomUUID();
        assert.equal((await ada.client.from('flock_messages').insert({ id, room, body: 'first' })).error, null);
        const inserted = await inbox.next();
        assert.equal(inserted.eventType, 'INSERT');
        assert.equal(inserted.schema, 'public');
        assert.equal(inserted.table, 'flock_messages');
        assert.equal(inserted.errors, null);
        assert.match(inserted.commit_timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        assert.deepEqual(inserted.old, {});
        assert.equal(inserted.new.id, id);
        assert.equal(inserted.new.body, 'first');
        assert.equal(inserted.new.user_id, ada.id);
        assert.equal(inserted.new.room, room);

        assert.equal((await ada.client.from('flock_messages').update({ body: 'edited' }).eq('id', id)).error, null);
        const updated = await inbox.next();
        assert.equal(updated.eventType, 'UPDATE');
        assert.equal(updated.new.body, 'edited');
        assert.notEqual(updated.new.edited_at, null);
        // Replica identity full: the whole old row.
        assert.equal(updated.old.body, 'first');
        assert.equal(updated.old.room, room);

        assert.equal((await service.from('flock_messages').delete().eq('id', id)).error, null);
        const deleted = await inbox.next();
        assert.equal(deleted.eventType, 'DELETE');
        assert.deepEqual(deleted.new, {});
        // RLS table: like Supabase, a delete carries only the primary key.
        assert.deepEqual(deleted.old, { id });
      });

      it('gives each binding only its own events', async () => {
        const room = randomUUID();
        const ada = await user(vsn);
        const channel = (await user(vsn)).client.channel(`bindings-${room}`);
        const inserts = changes(channel, { event: 'INSERT', table: 'flock_messages', filter: `room=eq.${room}` });
        const updates = changes(channel, { event: 'UPDATE', table: 'flock_messages', filter: `room=eq.${room}` });
        const all = changes(channel, { event: '*', table: 'flock_messages' });
        await subscribed(channel);
        const id = randomUUID();
        await ada.client.from('flock_messages').insert({ id, room, body: 'a' });
        await ada.client.from('flock_messages').update({ body: 'b' }).eq('id', id);
        assert.equal((await inserts.next()).new.body, 'a');
        assert.equal((await updates.next()).new.body, 'b');
        await settled();
        assert.equal(inserts.all.length, 1);
        assert.equal(updates.all.length, 1);
        assert.deepEqual(all.all.filter((c) => c.new.room === room).map((c) => c.eventType), ['INSERT', 'UPDATE']);
      });
    });
  }

  describe('filters', () => {
    /** Subscribes one binding per filter, inserts rows 1..5, and returns the ids each filter let through. */
    async function through(filters: string[]): Promise<Map<string, number[]>> {
      const ada = await user();
      const channel = ada.client.channel(`filters-${randomUUID()}`);
      const inboxes = filters.map((f) => [f, changes(channel, { event: 'INSERT', table: 'rt_items', filter: f })] as const);
      await subscribed(channel);
      const base = Math.floor(Math.random() * 1e6) * 10;
      await sql('delete from public.rt_items');
      for (let i = 1; i <= 5; i++) {
        await sql('insert into public.rt_items (id, n, label) values ($1, $2, $3)', [base + i, i, i === 2 ? null : `item ${i}`]);
      }
      await settled();
      return new Map(inboxes.map(([f, inbox]) => [f, inbox.all.map((c) => (c.new.id as number) - base)]));
    }

    it('applies eq, neq, lt, lte, gt, gte, in, is, not and several ANDed', async () => {
      const got = await through([
        'n=eq.3',
        'n=neq.3',
        'n=lt.3',
        'n=lte.3',
        'n=gt.3',
        'n=gte.3',
        'n=in.(1,4,5)',
        'label=is.null',
        'n=not.in.(1,2)',
        'n=gt.1,n=lt.5',
        'label=eq.item 4',
        'label=like.item*',
      ]);
      assert.deepEqual(Object.fromEntries(got), {
        'n=eq.3': [3],
        'n=neq.3': [1, 2, 4, 5],
        'n=lt.3': [1, 2],
        'n=lte.3': [1, 2, 3],
        'n=gt.3': [4, 5],
        'n=gte.3': [3, 4, 5],
        'n=in.(1,4,5)': [1, 4, 5],
        'label=is.null': [2],
        'n=not.in.(1,2)': [3, 4, 5],
        'n=gt.1,n=lt.5': [2, 3, 4],
        'label=eq.item 4': [4],
        'label=like.item*': [1, 3, 4, 5],
      });
    });

    it('compares timestamps as timestamps, not as text', async () => {
      const room = randomUUID();
      const ada = await user();
      const since = new Date(Date.now() - 60_000).toISOString();
      const future = new Date(Date.now() + 3_600_000).toISOString();
      const channel = ada.client.channel(`ts-${room}`);
      const recent = changes(channel, { event: 'INSERT', table: 'flock_messages', filter: `created_at=gt.${since}` });
      const later = changes(channel, { event: 'INSERT', table: 'flock_messages', filter: `created_at=gt.${future}` });
      await subscribed(channel);
      await ada.client.from('flock_messages').insert({ id: randomUUID(), room, body: 'now' });
      assert.equal((await recent.next((c) => c.new.room === room)).new.body, 'now');
      await settled();
      assert.equal(later.all.length, 0);
    });

    it('closes only the channel whose filter fails at delivery; another subscriber receives every row', async () => {
      const ada = await user();
      const bob = await user();
      // Valid at join, but Postgres refuses the pattern once a row reaches its trailing escape.
      const poisoned = ada.client.channel(`poison-${randomUUID()}`);
      const system = listen<{ extension: string; status: string; message: string }>(poisoned, 'system');
      changes(poisoned, { event: 'INSERT', table: 'rt_items', filter: 'label=like.item\\' });
      const healthy = bob.client.channel(`healthy-${randomUUID()}`);
      const inbox = changes(healthy, { event: 'INSERT', table: 'rt_items', filter: 'label=like.item*' });
      await subscribed(poisoned);
      await subscribed(healthy);
      const before = server.realtime.env.feed.counts.failedSubscribers;
      const base = Math.floor(Math.random() * 1e6) * 100;

      // One statement, so the five rows reach the feed in one batch: the subscriber is failed once.
      await sql(`insert into public.rt_items (id, n, label) select $1::int + i, i, 'item ' || i from generate_series(0, 4) as i`, [base]);
      await settled();

      assert.deepEqual(inbox.all.map((c) => c.new.n).sort(), [0, 1, 2, 3, 4]);
      const error = await system.next((m) => m.status === 'error');
      assert.equal(error.extension, 'system');
      assert.match(error.message, /filter could not be evaluated/);
      // phx_close follows the error in the same tick of the server; realtime-js then closes the channel.
      for (let i = 0; i < 100 && poisoned.state !== 'closed'; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(poisoned.state, 'closed');
      assert.equal(server.realtime.env.feed.counts.failedSubscribers, before + 1);
    });

    it('keeps commit order', async () => {
      const ada = await user();
      const channel = ada.client.channel(`order-${randomUUID()}`);
      const inbox = changes(channel, { event: 'INSERT', table: 'rt_items', filter: 'label=eq.ordered' });
      await subscribed(channel);
      const base = Math.floor(Math.random() * 1e6) * 100;
      for (let i = 0; i < 20; i++) await sql(`insert into public.rt_items (id, n, label) values ($1, $2, 'ordered')`, [base + i, i]);
      await settled();
      assert.deepEqual(inbox.all.map((c) => c.new.n), Array.from({ length: 20 }, (_, i) => i));
    });
  });

  describe('row-level security per subscriber', () => {
    it('sends a notification only to the user it belongs to', async () => {
      const ada = await user();
      const ben = await user();
      const adaChannel = ada.client.channel(`notes-${ada.id}`);
      const benChannel = ben.client.channel(`notes-${ben.id}`);
      const adaNotes = changes(adaChannel, { event: '*', table: 'flock_notifications' });
      const benNotes = changes(benChannel, { event: '*', table: 'flock_notifications' });
      await subscribed(adaChannel);
      await subscribed(benChannel);
      const { error } = await service.from('flock_notifications').insert({ user_id: ada.id, title: 'For Ada', body: 'secret' });
      assert.equal(error, null);
      const note = await adaNotes.next();
      assert.equal(note.new.title, 'For Ada');
      assert.equal(note.new.user_id, ada.id);
      await settled();
      assert.deepEqual(benNotes.all, []);
    });

    it('sends nothing to a visitor without a session (the anon role may not read chat)', async () => {
      const room = randomUUID();
      const visitor = clients.make({ key: LOCAL_ANON_KEY });
      const channel = visitor.channel(`anon-${room}`);
      const inbox = changes(channel, { event: '*', table: 'flock_messages', filter: `room=eq.${room}` });
      await subscribed(channel);
      const ada = await user();
      await ada.client.from('flock_messages').insert({ id: randomUUID(), room, body: 'members only' });
      await settled();
      assert.deepEqual(inbox.all, []);
    });

    it('leaves out the columns a role may not select', async () => {
      await sql('revoke select on public.rt_items from authenticated');
      await sql('grant select (id, n) on public.rt_items to authenticated');
      try {
        const ada = await user();
        const channel = ada.client.channel(`columns-${randomUUID()}`);
        // The filter may only name columns the role can read (Realtime refuses others).
        const inbox = changes(channel, { event: 'INSERT', table: 'rt_items', filter: 'n=eq.77777' });
        await subscribed(channel);
        await sql(`insert into public.rt_items (id, n, label) values ($1, 77777, 'hidden')`, [Math.floor(Math.random() * 1e8)]);
        const change = await inbox.next();
        assert.deepEqual(Object.keys(change.new).sort(), ['id', 'n']);
      } finally {
        await sql('grant select on public.rt_items to authenticated');
      }
    });
  });

  describe('the join reply and system messages', () => {
    it("answers with the client's bindings as sent, in order, each with a numeric id", async () => {
      // As the service role, which may read every column the filters name.
      const socket = await RawSocket.open(server.url, { apikey: LOCAL_SERVICE_ROLE_KEY });
      try {
        const bindings = [
          { event: 'INSERT', schema: 'public', table: 'flock_messages', filter: 'room=eq.a' },
          { event: '*', schema: 'public', table: 'rt_items' },
          { event: 'delete', schema: 'public' },
        ];
        const { reply } = await socket.join(`raw-${randomUUID()}`, { postgres_changes: bindings });
        const response = (reply.payload as { status: string; response: { postgres_changes: Record<string, unknown>[] } });
        assert.equal(response.status, 'ok');
        const ids = response.response.postgres_changes.map((b) => b.id);
        assert.ok(ids.every((id) => typeof id === 'number'));
        assert.equal(new Set(ids).size, 3);
        assert.deepEqual(response.response.postgres_changes.map(({ id: _id, ...rest }) => rest), bindings);
        const system = await socket.message((m) => m.event === 'system');
        assert.deepEqual(system.payload, { extension: 'postgres_changes', status: 'ok', message: 'Subscribed to PostgreSQL', channel: system.topic.slice('realtime:'.length) });
      } finally {
        socket.close();
      }
    });

    it('makes realtime-js close the channel when the reply does not match its bindings', async () => {
      // The real server and client; only the join reply is altered in transit (its bindings reversed),
      // to show the check the server's reply has to pass.
      const native = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage')!;
      class Reversing extends WebSocket {
        constructor(address: string, protocols?: string | string[]) {
          super(address, protocols);
          Object.defineProperty(this, 'onmessage', {
            get: () => native.get!.call(this),
            set: (handler: ((event: { data: unknown }) => void) | null) =>
              native.set!.call(this, handler && ((event: { data: unknown }) => handler(reverseBindings(event)))),
          });
        }
      }
      function reverseBindings(event: { data: unknown }): { data: unknown } {
        if (typeof event.data !== 'string' || !event.data.startsWith('[')) return event;
        const frame = JSON.parse(event.data) as unknown[];
        const payload = frame[4] as { response?: { postgres_changes?: unknown[] } } | undefined;
        if (frame[3] !== 'phx_reply' || !payload?.response?.postgres_changes?.length) return event;
        payload.response.postgres_changes.reverse();
        return { data: JSON.stringify(frame) };
      }
      const { createClient } = await import('@supabase/supabase-js');
      const client = createClient(server.url, LOCAL_ANON_KEY, {
        auth: { persistSession: false, autoRefreshToken: false },
        realtime: { transport: Reversing as never },
      });
      try {
        const channel = client.channel(`mismatch-${randomUUID()}`);
        changes(channel, { event: 'INSERT', table: 'flock_messages' });
        changes(channel, { event: 'UPDATE', table: 'rt_items' });
        // realtime-js unsubscribes (CLOSED) and then reports the mismatch (CHANNEL_ERROR).
        const statuses: { status: string; message?: string }[] = [];
        await new Promise<void>((resolve) =>
          channel.subscribe((status, err) => {
            statuses.push(err ? { status, message: err.message } : { status });
            if (status === 'CHANNEL_ERROR') resolve();
          }),
        );
        assert.deepEqual(statuses.at(-1), { status: 'CHANNEL_ERROR', message: 'mismatch between server and client bindings for postgres changes' });
        assert.ok(!statuses.some((s) => s.status === 'SUBSCRIBED'));
      } finally {
        await client.removeAllChannels();
        client.realtime.disconnect();
      }
    });

    it('subscribes but reports a binding it cannot honour as a system error', async () => {
      const ada = await user();
      for (const [table, filter] of [
        ['no_such_table', undefined],
        ['flock_messages', 'nope=eq.1'],
        ['flock_messages', 'id=eq.not-a-uuid'],
        // A regex that cannot compile is refused at join (it used to be accepted, then made
        // delivery drop every subscriber's batch).
        ['flock_messages', 'body=match.('],
        ['flock_messages', 'body=imatch.[z-a]'],
      ] as const) {
        const channel = ada.client.channel(`bad-${randomUUID()}`);
        const system = listen<{ extension: string; status: string; message: string; channel: string }>(channel, 'system');
        changes(channel, { event: '*', table, ...(filter ? { filter } : {}) });
        await subscribed(channel);
        const message = await system.next();
        assert.equal(message.extension, 'postgres_changes');
        assert.equal(message.status, 'error');
        assert.equal(message.channel, channel.subTopic);
        assert.ok(message.message.length > 0);
      }
    });
  });
});

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { RunningServer } from '../../server/start.ts';
import { anonymousUser, LOCAL_SERVICE_ROLE_KEY, makeClient, startTestServer } from '../support/server.ts';

/**
 * Row-level security as a client meets it: the real supabase-js through the local server's
 * REST API, with every outcome checked again in SQL as the database owner.
 */
describe('notifications are private, through REST', () => {
  let server: RunningServer;
  let ada: { client: SupabaseClient; id: string };
  let ben: { client: SupabaseClient; id: string };
  let service: SupabaseClient;
  let adasNote: string;

  /** Ada's notification as the database holds it, read as the owner (RLS does not apply). */
  async function storedNote(): Promise<{ user_id: string; title: string; read_at: unknown } | undefined> {
    const { rows } = await server.ctx.db.asOwner((tx) =>
      tx.query<{ user_id: string; title: string; read_at: unknown }>(
        'select user_id, title, read_at from flock_notifications where id = $1',
        [adasNote],
      ),
    );
    return rows[0];
  }

  before(async () => {
    server = await startTestServer();
    ada = await anonymousUser(server, 'Ada');
    ben = await anonymousUser(server, 'Ben');
    service = makeClient(server, LOCAL_SERVICE_ROLE_KEY);
    const { data, error } = await service
      .from('flock_notifications')
      .insert({ user_id: ada.id, title: 'For Ada only', body: 'secret' })
      .select('id')
      .single();
    assert.equal(error, null);
    adasNote = data!.id as string;
  });
  after(() => server.close());

  it('lets Ada read her notification and Ben see nothing of it', async () => {
    const mine = await ada.client.from('flock_notifications').select('id, title');
    assert.deepEqual(mine.data, [{ id: adasNote, title: 'For Ada only' }]);
    const theirs = await ben.client.from('flock_notifications').select('id', { count: 'exact' });
    assert.equal(theirs.error, null);
    assert.deepEqual(theirs.data, []);
    assert.equal(theirs.count, 0);
  });

  it("does not let Ben mark Ada's notification read", async () => {
    const { data, error } = await ben.client
      .from('flock_notifications')
      .update({ read_at: new Date().toISOString() })
      .eq('id', adasNote)
      .select();
    assert.equal(error, null);
    assert.deepEqual(data, [], 'no row matched for Ben');
    assert.equal((await storedNote())?.read_at, null);
  });

  it("does not let Ben delete Ada's notification", async () => {
    const { data, error } = await ben.client.from('flock_notifications').delete().eq('id', adasNote).select();
    assert.equal(error, null);
    assert.deepEqual(data, []);
    assert.ok(await storedNote(), 'still there');
  });

  it('does not let Ben create a notification for Ada: 403 42501', async () => {
    const { error, status } = await ben.client
      .from('flock_notifications')
      .insert({ user_id: ada.id, title: 'Phishing', url: 'https://evil.example' });
    assert.equal(status, 403);
    assert.equal(error?.code, '42501');
    const { rows } = await server.ctx.db.asOwner((tx) =>
      tx.query('select 1 from flock_notifications where title = $1', ['Phishing']),
    );
    assert.equal(rows.length, 0);
  });

  it('lets Ada mark her own notification read, but not rewrite its title', async () => {
    const readAt = new Date().toISOString();
    const marked = await ada.client.from('flock_notifications').update({ read_at: readAt }).eq('id', adasNote).select('id');
    assert.equal(marked.error, null);
    assert.equal(marked.data?.length, 1);
    assert.notEqual((await storedNote())?.read_at, null);

    const rewrite = await ada.client.from('flock_notifications').update({ title: 'Changed' }).eq('id', adasNote);
    assert.equal(rewrite.error?.code, '42501');
    assert.equal((await storedNote())?.title, 'For Ada only');
  });

  it('refuses the anon role (no session) with 401', async () => {
    const { status, error } = await makeClient(server).from('flock_notifications').select('id');
    assert.equal(status, 401);
    assert.equal(error?.code, '42501');
  });
});

describe('chat through REST', () => {
  let server: RunningServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("does not let Ben edit Ada's message: nothing changes", async () => {
    const ada = await anonymousUser(server, 'Ada');
    const ben = await anonymousUser(server, 'Ben');
    const id = randomUUID();
    assert.equal((await ada.client.from('flock_messages').insert({ id, room: 'r', body: 'mine' })).error, null);
    const { data, error } = await ben.client.from('flock_messages').update({ body: 'yours now' }).eq('id', id).select();
    assert.equal(error, null);
    assert.deepEqual(data, []);
    const { rows } = await server.ctx.db.asOwner((tx) =>
      tx.query<{ body: string; edited_at: unknown }>('select body, edited_at from flock_messages where id = $1', [id]),
    );
    assert.deepEqual(rows, [{ body: 'mine', edited_at: null }]);
  });

  it('turns a mention of Bea into exactly one notification that only Bea can read', async () => {
    const room = 'mentions';
    const ada = await anonymousUser(server, 'Ada');
    const bea = await anonymousUser(server, 'Bea');
    const cal = await anonymousUser(server, 'Cal');
    // Bea has been in the room: she opened it (a read-state row).
    assert.equal((await bea.client.from('flock_reads').upsert({ user_id: bea.id, room })).error, null);

    const id = randomUUID();
    const sent = await ada.client.from('flock_messages').insert({ id, room, body: 'Look @Bea, and again @bea!' });
    assert.equal(sent.error, null);
    // A resend of the same message (a lost reply) must not notify twice.
    const resent = await ada.client.from('flock_messages').upsert({ id, room, body: 'Look @Bea, and again @bea!' });
    assert.equal(resent.error, null);

    const beas = await bea.client.from('flock_notifications').select('kind, title, message_id, actor_id');
    assert.deepEqual(beas.data, [{ kind: 'mention', title: 'Ada mentioned you', message_id: id, actor_id: ada.id }]);
    assert.deepEqual((await cal.client.from('flock_notifications').select('id')).data, []);
    assert.deepEqual((await ada.client.from('flock_notifications').select('id')).data, []);
    const { rows } = await server.ctx.db.asOwner((tx) =>
      tx.query<{ n: number }>('select count(*)::int as n from flock_notifications where message_id = $1', [id]),
    );
    assert.equal(rows[0]?.n, 1);
  });
});

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import type { RunningServer } from '../../server/start.ts';
import { ClientSet, Inbox, listen, quietPeriod, subscribed } from '../support/realtime.ts';
import { assertCanaryAlive, assertUnchanged, CANARY, createCanary, fingerprint } from '../support/security-db.ts';
import { accessToken, assertHealthy, send } from '../support/security-http.ts';
import { LOCAL_ANON_KEY, LOCAL_SERVICE_ROLE_KEY, startTestServer } from '../support/server.ts';

/**
 * Subscribing to rows one may not select, on the migrations as applied. Each test has a
 * control that does receive (the owner, or a signed-in reader), so "received nothing" means
 * the server held it back. Changes reach one socket in commit order, so a marker change that
 * arrives on the same channel after the attack's changes proves those had their chance.
 */

type Change = { eventType: string; new: Record<string, unknown>; old: Record<string, unknown> };
type Binding = { event: '*' | 'INSERT' | 'UPDATE' | 'DELETE'; table: string; filter?: string };

function bind(channel: RealtimeChannel, binding: Binding): Inbox<Change> {
  const inbox = new Inbox<Change>(`${channel.topic} ${binding.event} ${binding.filter ?? ''}`);
  channel.on('postgres_changes', { schema: 'public', ...binding } as { event: '*'; schema: string }, (p) => inbox.push(p as unknown as Change));
  return inbox;
}

const summary = (inbox: Inbox<Change>) => inbox.all.map((c) => [c.eventType, c.eventType === 'DELETE' ? c.old : c.new.title]);

let server: RunningServer;
const clients = new ClientSet(() => server.url);
let service: SupabaseClient;

before(async () => {
  server = await startTestServer();
  service = clients.make({ key: LOCAL_SERVICE_ROLE_KEY });
});
afterEach(() => clients.closeAll());
after(() => server.close());

describe("postgres_changes of other people's rows", () => {
  it("gives Ben nothing of Ada's notification but the key of its delete, whatever he filters on; Ada gets all of it", async () => {
    const [ada, ben] = [await clients.signedIn('Ada'), await clients.signedIn('Ben')];
    const secretRoom = `secret-${randomUUID()}`;
    const title = 'For Ada only';

    const adaChannel = ada.client.channel(`notes-${ada.id}`);
    const adaNotes = bind(adaChannel, { event: '*', table: 'flock_notifications', filter: `user_id=eq.${ada.id}` });
    // One channel, so every binding's messages come over one socket in commit order.
    const benChannel = ben.client.channel(`spy-${ben.id}`);
    const all = bind(benChannel, { event: '*', table: 'flock_notifications' });
    const byRecipient = bind(benChannel, { event: '*', table: 'flock_notifications', filter: `user_id=eq.${ada.id}` });
    const byTitle = bind(benChannel, { event: 'DELETE', table: 'flock_notifications', filter: `title=eq.${title}` });
    const byRoom = bind(benChannel, { event: 'DELETE', table: 'flock_notifications', filter: `room=eq.${secretRoom}` });
    const byBody = bind(benChannel, { event: 'DELETE', table: 'flock_notifications', filter: 'body=gt.a' });
    await Promise.all([subscribed(adaChannel), subscribed(benChannel)]);

    const { data: note } = await service
      .from('flock_notifications')
      .insert({ user_id: ada.id, title, body: 'your code is 4711', room: secretRoom })
      .select('id')
      .single();
    const id = (note as { id: string }).id;
    assert.equal((await ada.client.from('flock_notifications').update({ read_at: new Date().toISOString() }).eq('id', id)).error, null);
    assert.equal((await ada.client.from('flock_notifications').delete().eq('id', id)).error, null);
    assert.equal((await service.from('flock_notifications').insert({ user_id: ben.id, title: 'marker' })).error, null);

    // The control: the owner receives every change, with its content.
    assert.equal((await adaNotes.next()).new.body, 'your code is 4711');
    assert.notEqual((await adaNotes.next()).new.read_at, null);
    assert.deepEqual((await adaNotes.next()).old, { id });

    await all.next((c) => c.new.title === 'marker');
    // As Supabase: a delete cannot be checked against a row that is gone, so it goes to every
    // reader of the table, carrying its key and nothing else.
    assert.deepEqual(summary(all), [['DELETE', { id }], ['INSERT', 'marker']]);
    // The bell filters on its own user_id, so the recipient stays in the delete's old row; Ben learns the key only.
    assert.deepEqual(summary(byRecipient), [['DELETE', { id }]]);
    // Nothing else of the row is left to filter on: no title, room or body can be tested by guessing.
    assert.deepEqual(summary(byTitle), [], 'a title filter matched a deleted notification of someone else');
    assert.deepEqual(summary(byRoom), [], 'a room filter matched a deleted notification of someone else');
    assert.deepEqual(summary(byBody), [], 'a body range filter matched a deleted notification of someone else');
  });

  it('gives a visitor without a session no chat rows, while a signed-in reader gets them', async () => {
    const room = `room-${randomUUID()}`;
    const reader = await clients.signedIn('Reader');
    const readerChannel = reader.client.channel(`reader-${room}`);
    const readerInbox = bind(readerChannel, { event: '*', table: 'flock_messages', filter: `room=eq.${room}` });
    const visitorChannel = clients.make().channel(`visitor-${room}`);
    const visitorInbox = bind(visitorChannel, { event: '*', table: 'flock_messages' });
    await Promise.all([subscribed(readerChannel), subscribed(visitorChannel)]);

    const ada = await clients.signedIn('Ada');
    const id = randomUUID();
    assert.equal((await ada.client.from('flock_messages').insert({ id, room, body: 'members only' })).error, null);
    assert.equal((await ada.client.from('flock_messages').update({ body: 'still members only' }).eq('id', id)).error, null);
    assert.equal((await readerInbox.next()).new.body, 'members only');
    assert.equal((await readerInbox.next()).new.body, 'still members only');
    await server.realtime.env.feed.settled();
    await quietPeriod(200);
    for (const change of visitorInbox.all) {
      assert.deepEqual([change.new, change.old], [{}, {}], 'no value of the row reaches the visitor');
    }
  });
});

describe('SQL in postgres_changes parameters', () => {
  it('refuses filters that are not column=op.value and takes values as literals; nothing changes', async () => {
    await createCanary(server.ctx.db);
    const ada = await clients.signedIn('Ada');
    const before = await fingerprint(server.ctx.db);
    const room = `room-${randomUUID()}`;
    const literal = `x') or ('1'='1`;
    const open = async (filter: string, table = 'flock_messages', schema = 'public') => {
      const channel = ada.client.channel(`inject-${randomUUID()}`);
      const inbox = new Inbox<Change>(filter);
      channel.on('postgres_changes', { event: '*', schema, table, filter }, (p) => inbox.push(p as unknown as Change));
      const system = listen<{ extension: string; status: string; message: string }>(channel, 'system');
      await subscribed(channel);
      return { inbox, system: await system.next() };
    };
    const control = await open(`room=eq.${room}`);
    const quotedLiteral = await open(`body=eq.${literal}`);
    // Accepted, and the rest of it is the value: it matches neither message below.
    const breakOut = await open('body=eq.x) or (true');
    const refusedFilters = [
      `body;drop table public.${CANARY.table}=eq.x`,
      `"body"=eq.x`,
      'body=in.(a) or (true)',
      `body=sql.drop table public.${CANARY.table}`,
      'body=eq(any).{a,b}',
      `body->>x=eq.1`,
    ];
    const refusedOnes = [];
    for (const filter of refusedFilters) refusedOnes.push(await open(filter));
    const otherTables = [await open('id=gt.0', 'users', 'auth'), await open('id=gt.0', CANARY.table)];

    assert.deepEqual([control.system.status, quotedLiteral.system.status, breakOut.system.status], ['ok', 'ok', 'ok']);
    for (const [i, r] of refusedOnes.entries()) assert.equal(r.system.status, 'error', `${refusedFilters[i]}: ${r.system.message}`);
    for (const r of otherTables) assert.equal(r.system.status, 'error', r.system.message);

    for (const body of [literal, 'hello']) {
      assert.equal((await ada.client.from('flock_messages').insert({ room, body })).error, null);
    }
    await control.inbox.next((c) => c.new.body === 'hello');
    assert.deepEqual(quotedLiteral.inbox.all.map((c) => c.new.body), [literal]);
    for (const r of [breakOut, ...refusedOnes, ...otherTables]) assert.deepEqual(r.inbox.all, []);
    const { rows } = await server.ctx.db.asOwner((tx) => tx.query('delete from public.flock_messages where room = $1 returning id', [room]));
    assert.equal(rows.length, 2);
    await assertUnchanged(server.ctx.db, before, 'the injected filters');
    await assertCanaryAlive(server.ctx.db);
  });
});

describe('private rooms and the broadcast API', () => {
  it('refuses every private flock room, since the migrations write no realtime.messages policy', async () => {
    const ada = await clients.signedIn('Ada');
    const topic = `flock:${randomUUID()}`;
    const result = await new Promise<{ status: string; message?: string }>((resolve) =>
      ada.client.channel(topic, { config: { private: true } }).subscribe((status, err) => resolve({ status, message: err?.message })),
    );
    assert.deepEqual(result, { status: 'CHANNEL_ERROR', message: `Unauthorized: You do not have permissions to read from this Channel topic: ${topic}` });
  });

  it('refuses HTTP broadcasts to a private topic (403) and without credentials (401), delivering nothing', async () => {
    const topic = `flock:${randomUUID()}`;
    const listener = (await clients.signedIn('Listener')).client.channel(topic);
    const heard = listen(listener, 'broadcast', { event: 'cursor' });
    await subscribed(listener);
    const ada = await clients.signedIn('Ada');
    const token = await accessToken(ada.client);
    const json = { 'Content-Type': 'application/json' };
    const body = JSON.stringify({ v: 1, id: 'spoofed', x: 0.5, y: 0.5 });

    const privately = await send(server.url, `/realtime/v1/api/broadcast/${encodeURIComponent(topic)}/events/cursor?private=true`, { method: 'POST', token, headers: json, body });
    assert.equal(privately.status, 403);
    assert.deepEqual(privately.json, { message: 'Unauthorized' });
    const batch = await send(server.url, '/realtime/v1/api/broadcast', {
      method: 'POST',
      token,
      headers: json,
      body: JSON.stringify({ messages: [{ topic, event: 'cursor', payload: { v: 1 }, private: true }] }),
    });
    assert.equal(batch.status, 202, 'the batch endpoint skips what the caller may not write, as Realtime does');
    for (const credentials of [{ apikey: null }, { apikey: 'not-a-key' }, { apikey: LOCAL_ANON_KEY, token: 'not-a-jwt' }] as const) {
      const reply = await send(server.url, `/realtime/v1/api/broadcast/${encodeURIComponent(topic)}/events/cursor`, { method: 'POST', headers: json, body, ...credentials });
      assert.equal(reply.status, 401, JSON.stringify(credentials));
      assert.deepEqual(reply.json, { message: 'Unauthorized' });
    }
    // A public broadcast on the same topic does arrive (the control), and alone.
    await send(server.url, `/realtime/v1/api/broadcast/${encodeURIComponent(topic)}/events/cursor`, { method: 'POST', token, headers: json, body: JSON.stringify({ v: 1, id: 'control' }) });
    assert.deepEqual((await heard.next()).payload, { v: 1, id: 'control' });
    assert.equal(heard.all.length, 1);
  });

  it('still answers /flock/health', () => assertHealthy(server.url));
});

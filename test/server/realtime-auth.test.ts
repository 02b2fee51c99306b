import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { JwtSigner } from '../../server/auth/jwt.ts';
import type { RunningServer } from '../../server/start.ts';
import { ClientSet, Inbox, listen, quietPeriod, subscribed } from '../support/realtime.ts';
import { LOCAL_SERVICE_ROLE_KEY, startTestServer } from '../support/server.ts';

/**
 * Identity on Realtime: a token refresh keeps a channel and its new claims decide what
 * arrives next; a bad or expired token ends it with Supabase's words (a `system` error, then
 * `phx_close`, which realtime-js reports as CLOSED); private channels admit only whom the
 * `realtime.messages` policies allow.
 */

type System = { extension: string; status: string; message: string; channel: string };
type Status = { status: string; message?: string };
type Note = { eventType: string; new: { title?: string; user_id?: string } };

const signer = new JwtSigner();
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** The claims of a session's access token, re-signed with another expiry. */
async function resign(client: SupabaseClient, exp: number): Promise<string> {
  const { data } = await client.auth.getSession();
  const token = data.session!.access_token;
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
  return signer.sign({ ...claims, iat: Math.min(nowSeconds(), exp - 1), exp });
}

/** Subscribes and resolves with the first status other than SUBSCRIBED, or SUBSCRIBED itself. */
function outcome(channel: RealtimeChannel): Promise<Status> {
  return new Promise((resolve) => channel.subscribe((status, err) => resolve(err ? { status, message: err.message } : { status })));
}

/** Subscribes, waits for SUBSCRIBED, and keeps every later status the subscribe callback reports. */
async function watch(channel: RealtimeChannel): Promise<Inbox<Status>> {
  const statuses = new Inbox<Status>(`${channel.topic} statuses`);
  let joined = false;
  await new Promise<void>((resolve, reject) =>
    channel.subscribe((status, err) => {
      if (joined) statuses.push(err ? { status, message: err.message } : { status });
      else if (status === 'SUBSCRIBED') resolve((joined = true) && undefined);
      else reject(new Error(`channel ${channel.topic}: ${status}${err ? ` (${err.message})` : ''}`));
    }),
  );
  return statuses;
}

describe('realtime identity', () => {
  let server: RunningServer;
  let service: SupabaseClient;
  const clients = new ClientSet(() => server.url);

  const user = (name = 'Tester'): Promise<{ client: SupabaseClient; id: string }> => clients.signedIn(name);

  async function sql(text: string, params?: unknown[]): Promise<void> {
    await server.ctx.db.asOwner(async (tx) => {
      // exec runs several statements; query binds parameters.
      if (params) await tx.query(text, params);
      else await tx.exec(text);
    });
  }

  /** A notification for `userId`, written by the backend (service role). */
  async function notify(userId: string, title: string): Promise<void> {
    const { error } = await service.from('flock_notifications').insert({ user_id: userId, title });
    assert.equal(error, null);
  }

  before(async () => {
    server = await startTestServer();
    service = clients.make({ key: LOCAL_SERVICE_ROLE_KEY });
  });
  afterEach(() => clients.closeAll());
  after(() => server.close());

  describe('access tokens', () => {
    it('keeps the channel and its changes across a token refresh', async () => {
      const ada = await user();
      const room = randomUUID();
      const channel = ada.client.channel(`refresh-${room}`);
      const inbox = new Inbox<{ new: { body: string } }>();
      channel.on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'flock_messages', filter: `room=eq.${room}` }, (p) =>
        inbox.push(p as unknown as { new: { body: string } }),
      );
      const system = listen<System>(channel, 'system');
      await subscribed(channel);
      await system.next(); // "Subscribed to PostgreSQL"
      await ada.client.realtime.setAuth(await resign(ada.client, nowSeconds() + 7200));
      await ada.client.from('flock_messages').insert({ id: randomUUID(), room, body: 'after refresh' });
      assert.equal((await inbox.next()).new.body, 'after refresh');
      assert.equal(channel.state, 'joined');
      assert.deepEqual(system.all.slice(1), [], 'a valid token is taken without any system message');
    });

    it("subscribes postgres_changes again with the refreshed token's claims", async () => {
      // Row-level security is decided by the token the channel holds now, not the one it joined with.
      const ada = await user('Ada');
      const ben = await user('Ben');
      const channel = ada.client.channel(`claims-${randomUUID()}`);
      const notes = new Inbox<Note>();
      channel.on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'flock_notifications' }, (p) =>
        notes.push(p as unknown as Note),
      );
      await subscribed(channel);
      await notify(ada.id, 'for Ada, before');
      assert.equal((await notes.next()).new.title, 'for Ada, before');

      await ada.client.realtime.setAuth(await resign(ben.client, nowSeconds() + 7200));
      // Changes are delivered in commit order, so once Ben's second note arrives the first has had its chance.
      await notify(ada.id, 'for Ada, after');
      await notify(ben.id, 'for Ben');
      assert.equal((await notes.next()).new.title, 'for Ben');
      assert.deepEqual(notes.all.map((n) => n.new.title), ['for Ada, before', 'for Ben']);
    });

    it('ends the channel with "Token has expired" when an expired token is pushed', async () => {
      const ada = await user();
      const channel = ada.client.channel(`expired-${randomUUID()}`);
      const system = listen<System>(channel, 'system');
      const statuses = await watch(channel);
      await ada.client.realtime.setAuth(await resign(ada.client, nowSeconds() - 30));
      const message = await system.next();
      assert.equal(message.extension, 'system');
      assert.equal(message.status, 'error');
      assert.equal(message.channel, channel.subTopic);
      assert.match(message.message, /^Token has expired \d+ seconds ago$/);
      // phx_close follows: realtime-js reports CLOSED and forgets the channel (no rejoin).
      assert.deepEqual(await statuses.next(), { status: 'CLOSED' });
      assert.equal(channel.state, 'closed');
      assert.ok(!ada.client.getChannels().includes(channel));
    });

    it('ends the channel with "not a valid JWT" when a garbage token is pushed', async () => {
      const ada = await user();
      const channel = ada.client.channel(`garbage-${randomUUID()}`);
      const system = listen<System>(channel, 'system');
      const statuses = await watch(channel);
      await ada.client.realtime.setAuth('not-a-jwt');
      assert.deepEqual(await system.next(), {
        extension: 'system',
        status: 'error',
        message: 'The token provided is not a valid JWT',
        channel: channel.subTopic,
      });
      assert.deepEqual(await statuses.next(), { status: 'CLOSED' });
    });

    it('ends the channel when its token expires while joined', async () => {
      const ada = await user();
      await ada.client.realtime.setAuth(await resign(ada.client, nowSeconds() + 2));
      const channel = ada.client.channel(`expiring-${randomUUID()}`);
      const system = listen<System>(channel, 'system');
      const statuses = await watch(channel);
      const message = await system.next(() => true, 4000);
      assert.equal(message.status, 'error');
      assert.match(message.message, /^Token has expired \d+ seconds ago$/);
      assert.deepEqual(await statuses.next(), { status: 'CLOSED' });
    });

    it('refuses a join with an expired token, a garbage token, a wrongly signed one and one without exp', async () => {
      const ada = await user();
      const cases: [string, RegExp][] = [
        [await resign(ada.client, nowSeconds() - 60), /^InvalidJWTToken: Token has expired \d+ seconds ago$/],
        ['not-a-jwt', /^MalformedJWT: The token provided is not a valid JWT$/],
        [
          await new JwtSigner('another-secret-that-is-at-least-32-characters').sign({ role: 'authenticated', exp: nowSeconds() + 60 }),
          /^JwtSignatureError: Failed to validate JWT signature$/,
        ],
        [await signer.sign({ role: 'authenticated' }), /^InvalidJWTToken: Fields `role` and `exp` are required in JWT$/],
      ];
      for (const [token, expected] of cases) {
        const client = clients.make();
        await client.realtime.setAuth(token);
        const result = await outcome(client.channel(`refused-${randomUUID()}`));
        assert.equal(result.status, 'CHANNEL_ERROR');
        assert.match(result.message ?? '', expected);
        client.realtime.disconnect();
      }
    });
  });

  describe('private channels', () => {
    before(async () => {
      // Membership by table, as a project would write it: members may receive; only writers may send.
      await sql(`
        create table public.rt_members (room text, user_id uuid, can_send boolean default true, primary key (room, user_id));
        grant select on public.rt_members to authenticated;
        create policy "members receive" on realtime.messages for select to authenticated
          using (exists (select 1 from public.rt_members m where m.room = realtime.topic() and m.user_id = auth.uid()));
        create policy "writers send" on realtime.messages for insert to authenticated
          with check (exists (select 1 from public.rt_members m where m.room = realtime.topic() and m.user_id = auth.uid() and m.can_send));
      `);
    });

    async function member(room: string, id: string, canSend = true): Promise<void> {
      await sql('insert into public.rt_members (room, user_id, can_send) values ($1, $2, $3)', [room, id, canSend]);
    }

    const privately = (client: SupabaseClient, room: string): RealtimeChannel => client.channel(room, { config: { private: true } });

    it('admits a member and refuses a user the policy excludes, and a visitor without a session', async () => {
      const room = `team-${randomUUID()}`;
      const ada = await user('Ada');
      const ben = await user('Ben');
      await member(room, ada.id);
      assert.deepEqual(await outcome(privately(ada.client, room)), { status: 'SUBSCRIBED' });
      const unauthorized = { status: 'CHANNEL_ERROR', message: `Unauthorized: You do not have permissions to read from this Channel topic: ${room}` };
      assert.deepEqual(await outcome(privately(ben.client, room)), unauthorized);
      assert.deepEqual(await outcome(privately(clients.make(), room)), unauthorized);
    });

    it('drops broadcasts from a member who may not send, and keeps private and public rooms apart', async () => {
      const room = `team-${randomUUID()}`;
      const [ada, cy, dee, eve] = [await user('Ada'), await user('Cy'), await user('Dee'), await user('Eve')];
      await member(room, ada.id);
      await member(room, cy.id, false);
      await member(room, eve.id);
      const adaChannel = privately(ada.client, room);
      const adaInbox = listen<{ payload: { from: string } }>(adaChannel, 'broadcast', { event: 'note' });
      const cyChannel = privately(cy.client, room);
      const eveChannel = privately(eve.client, room);
      const deeChannel = dee.client.channel(room);
      const deeInbox = listen<{ payload: { from: string } }>(deeChannel, 'broadcast', { event: 'note' });
      const publicSender = clients.make().channel(room);
      for (const channel of [adaChannel, cyChannel, eveChannel, deeChannel, publicSender]) await subscribed(channel);

      // Cy's broadcast is dropped silently (no reply, as Realtime); Eve's, sent after it on another socket, arrives alone.
      const unauthorizedBefore = server.realtime.snapshot().dropped.unauthorized ?? 0;
      await cyChannel.send({ type: 'broadcast', event: 'note', payload: { from: 'cy' } });
      while ((server.realtime.snapshot().dropped.unauthorized ?? 0) === unauthorizedBefore) await quietPeriod(10);
      await eveChannel.send({ type: 'broadcast', event: 'note', payload: { from: 'eve' } });
      assert.equal((await adaInbox.next()).payload.from, 'eve');
      assert.deepEqual(adaInbox.all.map((b) => b.payload.from), ['eve']);

      // The private messages above never reach the public room of the same name; its own traffic does.
      await publicSender.send({ type: 'broadcast', event: 'note', payload: { from: 'public' } });
      assert.equal((await deeInbox.next()).payload.from, 'public');
      assert.deepEqual(deeInbox.all.map((b) => b.payload.from), ['public']);
    });

    it('ends a private channel when a refreshed token may no longer read it', async () => {
      const room = `team-${randomUUID()}`;
      const ada = await user('Ada');
      await member(room, ada.id);
      const channel = privately(ada.client, room);
      const system = listen<System>(channel, 'system');
      const statuses = await watch(channel);
      await sql('delete from public.rt_members where room = $1', [room]);
      // The policies are checked again with each new token, not on every message. (A later exp than
      // the session's own, so the token differs from it: the server ignores a token it already has.)
      await ada.client.realtime.setAuth(await resign(ada.client, nowSeconds() + 7200));
      assert.deepEqual(await system.next(), {
        extension: 'system',
        status: 'error',
        message: `You no longer have permission to read from this Channel topic: ${room}`,
        channel: room,
      });
      assert.deepEqual(await statuses.next(), { status: 'CLOSED' });
    });
  });
});

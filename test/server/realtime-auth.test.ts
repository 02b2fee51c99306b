import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { JwtSigner } from '../../server/auth/jwt.ts';
import type { RunningServer } from '../../server/start.ts';
import { ClientSet, Inbox, listen, subscribed, waitFor } from '../support/realtime.ts';
import { startTestServer } from '../support/server.ts';

/**
 * Identity on Realtime: token refresh keeps a channel, a bad or expired token ends it with
 * Supabase's words, and private channels admit only whom the `realtime.messages` policies allow.
 */

type System = { extension: string; status: string; message: string; channel: string };

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
function outcome(channel: RealtimeChannel): Promise<{ status: string; message?: string }> {
  return new Promise((resolve) => channel.subscribe((status, err) => resolve(err ? { status, message: err.message } : { status })));
}


describe('realtime identity', () => {
  let server: RunningServer;
  const clients = new ClientSet(() => server.url);

  const user = (name = 'Tester'): Promise<{ client: SupabaseClient; id: string }> => clients.signedIn(name);

  async function sql(text: string): Promise<void> {
    await server.ctx.db.asOwner((tx) => tx.exec(text));
  }

  before(async () => {
    server = await startTestServer();
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
      await subscribed(channel);
      await ada.client.realtime.setAuth(await resign(ada.client, nowSeconds() + 7200));
      await ada.client.from('flock_messages').insert({ id: randomUUID(), room, body: 'after refresh' });
      assert.equal((await inbox.next()).new.body, 'after refresh');
      assert.equal(channel.state, 'joined');
    });

    it('ends the channel with "Token has expired" when an expired token is pushed', async () => {
      const ada = await user();
      const channel = ada.client.channel(`expired-${randomUUID()}`);
      const system = listen<System>(channel, 'system');
      await subscribed(channel);
      await ada.client.realtime.setAuth(await resign(ada.client, nowSeconds() - 30));
      const message = await system.next();
      assert.equal(message.extension, 'system');
      assert.equal(message.status, 'error');
      assert.match(message.message, /^Token has expired \d+ seconds ago$/);
      // phx_close follows: realtime-js closes the channel and forgets it.
      await waitFor(() => channel.state === 'closed', 'the channel to close');
      assert.ok(!ada.client.getChannels().includes(channel));
    });

    it('ends the channel when its token expires while joined', async () => {
      const ada = await user();
      await ada.client.realtime.setAuth(await resign(ada.client, nowSeconds() + 2));
      const channel = ada.client.channel(`expiring-${randomUUID()}`);
      const system = listen<System>(channel, 'system');
      await subscribed(channel);
      const message = await system.next(() => true, 5000);
      assert.match(message.message, /^Token has expired \d+ seconds ago$/);
    });

    it('refuses a join with an expired token, a garbage token, and a wrongly signed one', async () => {
      const ada = await user();
      const cases: [string, string][] = [
        [await resign(ada.client, nowSeconds() - 60), 'InvalidJWTToken: Token has expired'],
        ['not-a-jwt', 'MalformedJWT: The token provided is not a valid JWT'],
        [await new JwtSigner('another-secret-that-is-at-least-32-characters').sign({ role: 'authenticated', exp: nowSeconds() + 60 }), 'JwtSignatureError: Failed to validate JWT signature'],
        [await signer.sign({ role: 'authenticated' }), 'InvalidJWTToken: Fields `role` and `exp` are required in JWT'],
      ];
      for (const [token, expected] of cases) {
        const client = clients.make();
        await client.realtime.setAuth(token);
        const result = await outcome(client.channel(`refused-${randomUUID()}`));
        assert.equal(result.status, 'CHANNEL_ERROR');
        assert.ok(result.message?.startsWith(expected), `${result.message} should start with ${expected}`);
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
      await server.ctx.db.asOwner((tx) => tx.query('insert into public.rt_members (room, user_id, can_send) values ($1, $2, $3)', [room, id, canSend]));
    }

    it('admits a member and refuses a user the policy excludes', async () => {
      const room = `team-${randomUUID()}`;
      const ada = await user('Ada');
      const ben = await user('Ben');
      await member(room, ada.id);
      assert.deepEqual(await outcome(ada.client.channel(room, { config: { private: true } })), { status: 'SUBSCRIBED' });
      const refused = await outcome(ben.client.channel(room, { config: { private: true } }));
      assert.equal(refused.status, 'CHANNEL_ERROR');
      assert.equal(refused.message, `Unauthorized: You do not have permissions to read from this Channel topic: ${room}`);
    });

    it('drops broadcasts from a member who may not send, and keeps private and public rooms apart', async () => {
      const room = `team-${randomUUID()}`;
      const [ada, cy, dee, eve] = [await user('Ada'), await user('Cy'), await user('Dee'), await user('Eve')];
      await member(room, ada.id);
      await member(room, cy.id, false);
      await member(room, eve.id);
      const privately = (client: SupabaseClient): RealtimeChannel => client.channel(room, { config: { private: true } });
      const adaChannel = privately(ada.client);
      const adaInbox = listen<{ payload: { from: string } }>(adaChannel, 'broadcast', { event: 'note' });
      const cyChannel = privately(cy.client);
      const eveChannel = privately(eve.client);
      const deeChannel = dee.client.channel(room);
      const deeInbox = listen<{ payload: { from: string } }>(deeChannel, 'broadcast', { event: 'note' });
      const publicSender = clients.make().channel(room);
      for (const channel of [adaChannel, cyChannel, eveChannel, deeChannel, publicSender]) await subscribed(channel);

      const unauthorizedBefore = server.realtime.snapshot().dropped.unauthorized!;
      await cyChannel.send({ type: 'broadcast', event: 'note', payload: { from: 'cy' } });
      while (server.realtime.snapshot().dropped.unauthorized === unauthorizedBefore) await new Promise((r) => setTimeout(r, 10));
      await eveChannel.send({ type: 'broadcast', event: 'note', payload: { from: 'eve' } });
      assert.equal((await adaInbox.next()).payload.from, 'eve');
      assert.deepEqual(adaInbox.all.map((b) => b.payload.from), ['eve']);

      // The private messages above never reach the public room of the same name; its own traffic does.
      await publicSender.send({ type: 'broadcast', event: 'note', payload: { from: 'public' } });
      assert.equal((await deeInbox.next()).payload.from, 'public');
      assert.deepEqual(deeInbox.all.map((b) => b.payload.from), ['public']);
    });
  });
});

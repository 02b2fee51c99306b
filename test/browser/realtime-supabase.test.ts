import { expect } from '@esm-bundle/chai';
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import { localServerUrl } from '../support/local-server-url.js';
import { LOCAL_ANON_KEY } from '../../src/index.js';

/**
 * The browser path of Realtime: the browser build of supabase-js, with Chromium's own
 * WebSocket, against the local server, in both serializer versions.
 */

type Vsn = '1.0.0' | '2.0.0';

/** Collects payloads and hands them out in order, waiting when none is there yet. */
class Inbox<T> {
  readonly all: T[] = [];
  private waiters: ((item: T) => void)[] = [];
  private taken = 0;
  push = (item: T): void => {
    this.all.push(item);
    const waiter = this.waiters.shift();
    if (waiter) {
      this.taken++;
      waiter(item);
    }
  };
  next(timeoutMs = 5000): Promise<T> {
    if (this.taken < this.all.length) return Promise.resolve(this.all[this.taken++]!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out; got ${JSON.stringify(this.all)}`)), timeoutMs);
      this.waiters.push((item) => {
        clearTimeout(timer);
        resolve(item);
      });
    });
  }
}

function subscribed(channel: RealtimeChannel): Promise<void> {
  return new Promise((resolve, reject) =>
    channel.subscribe((status, err) => (status === 'SUBSCRIBED' ? resolve() : reject(new Error(`${status} ${err?.message ?? ''}`)))),
  );
}

const room = (): string => crypto.randomUUID();

for (const vsn of ['1.0.0', '2.0.0'] as Vsn[]) {
  describe(`Realtime in Chromium, vsn ${vsn}`, () => {
    let url: string;
    const clients: SupabaseClient[] = [];
    before(async () => {
      url = await localServerUrl();
    });
    afterEach(async () => {
      for (const client of clients.splice(0)) {
        await client.removeAllChannels();
        client.realtime.disconnect();
      }
    });

    function client(): SupabaseClient {
      const c = createClient(url, LOCAL_ANON_KEY, {
        auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false, storageKey: crypto.randomUUID() },
        realtime: { vsn },
      });
      clients.push(c);
      return c;
    }

    async function signedIn(): Promise<{ client: SupabaseClient; id: string }> {
      const c = client();
      const { data, error } = await c.auth.signInAnonymously({ options: { data: { name: 'Browser' } } });
      expect(error).to.equal(null);
      return { client: c, id: data.user!.id };
    }

    it('broadcasts A to B, echoes with self, acknowledges with ack, and delivers httpSend', async () => {
      const name = room();
      const a = client().channel(name, { config: { broadcast: { self: true, ack: true } } });
      const b = client().channel(name);
      const toA = new Inbox<{ event: string; payload: unknown }>();
      const toB = new Inbox<{ type: string; event: string; payload: unknown }>();
      a.on('broadcast', { event: '*' }, toA.push);
      b.on('broadcast', { event: '*' }, toB.push);
      await subscribed(a);
      await subscribed(b);

      expect(await a.send({ type: 'broadcast', event: 'wave', payload: { hand: '👋', n: 1 } })).to.equal('ok');
      expect(await toB.next()).to.deep.equal({ type: 'broadcast', event: 'wave', payload: { hand: '👋', n: 1 } });
      expect((await toA.next()).payload).to.deep.equal({ hand: '👋', n: 1 });

      const result = await b.httpSend('over-http', { via: 'rest' });
      expect(result).to.deep.equal({ success: true });
      expect((await toA.next()).payload).to.deep.equal({ via: 'rest' });
    });

    it('keeps presence in sync: join, state by key, and leave', async () => {
      const name = room();
      const ada = client().channel(name, { config: { presence: { key: 'ada' } } });
      const ben = client().channel(name, { config: { presence: { key: 'ben' } } });
      const joins = new Inbox<{ key: string; newPresences: Record<string, unknown>[] }>();
      const leaves = new Inbox<{ key: string }>();
      ada.on('presence', { event: 'join' }, joins.push);
      ada.on('presence', { event: 'leave' }, leaves.push);
      await subscribed(ada);
      await subscribed(ben);
      await ben.track({ name: 'Ben', color: '#0a0' });
      let join = await joins.next();
      while (join.key !== 'ben') join = await joins.next();
      expect(join.newPresences[0]).to.include({ name: 'Ben', color: '#0a0' });
      expect(join.newPresences[0]!.presence_ref).to.be.a('string');
      expect(Object.keys(ada.presenceState())).to.include('ben');

      await ben.untrack();
      expect((await leaves.next()).key).to.equal('ben');
      expect(Object.keys(ada.presenceState())).to.not.include('ben');
    });

    it('delivers postgres_changes to a signed-in subscriber and nothing to a visitor without a session', async () => {
      const name = room();
      const writer = await signedIn();
      const reader = await signedIn();
      const readerChanges = new Inbox<{ eventType: string; new: Record<string, unknown> }>();
      const visitorChanges = new Inbox<unknown>();
      const filter = { event: 'INSERT' as const, schema: 'public', table: 'flock_messages', filter: `room=eq.${name}` };
      const readerChannel = reader.client.channel(`pg-${name}`).on('postgres_changes', filter, (p) => readerChanges.push(p as never));
      const visitorChannel = client().channel(`pg-${name}`).on('postgres_changes', filter, visitorChanges.push);
      await subscribed(readerChannel);
      await subscribed(visitorChannel);

      const id = crypto.randomUUID();
      const { error } = await writer.client.from('flock_messages').insert({ id, room: name, body: 'from the browser' });
      expect(error).to.equal(null);
      const change = await readerChanges.next();
      expect(change.eventType).to.equal('INSERT');
      expect(change.new).to.include({ id, room: name, body: 'from the browser', user_id: writer.id });

      // A second insert that the reader sees proves the first had every chance to reach the visitor.
      await writer.client.from('flock_messages').insert({ id: crypto.randomUUID(), room: name, body: 'second' });
      await readerChanges.next();
      expect(visitorChanges.all).to.deep.equal([]);
    });

    it('keeps the channel subscribed across a session refresh', async () => {
      const name = room();
      const user = await signedIn();
      const changes = new Inbox<{ new: Record<string, unknown> }>();
      const channel = user.client
        .channel(`refresh-${name}`)
        .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'flock_messages', filter: `room=eq.${name}` }, (p) =>
          changes.push(p as never),
        );
      await subscribed(channel);
      const before = (await user.client.auth.getSession()).data.session!.refresh_token;
      const { data, error } = await user.client.auth.refreshSession();
      expect(error).to.equal(null);
      // A new session (the refresh token rotates); its access token goes to the socket.
      expect(data.session!.refresh_token).to.not.equal(before);
      await user.client.realtime.setAuth(data.session!.access_token);
      await user.client.from('flock_messages').insert({ id: crypto.randomUUID(), room: name, body: 'after refresh' });
      expect((await changes.next()).new.body).to.equal('after refresh');
      expect(channel.state).to.equal('joined');
    });

    if (vsn === '2.0.0') {
      it('carries a binary broadcast payload byte for byte', async () => {
        const name = room();
        const a = client().channel(name);
        const b = client().channel(name);
        const received = new Inbox<{ payload: ArrayBuffer }>();
        b.on('broadcast', { event: 'bytes' }, received.push);
        await subscribed(a);
        await subscribed(b);
        const bytes = Uint8Array.from([0, 1, 2, 253, 254, 255]);
        await a.send({ type: 'broadcast', event: 'bytes', payload: bytes.buffer });
        const got = await received.next();
        expect(got.payload).to.be.instanceOf(ArrayBuffer);
        expect([...new Uint8Array(got.payload)]).to.deep.equal([...bytes]);
      });
    }
  });
}

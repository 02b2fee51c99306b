import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { RealtimeChannel } from '@supabase/supabase-js';
import type { RunningServer } from '../../server/start.ts';
import { ClientSet, Inbox, listen, RawSocket, subscribed, VSNS, type Vsn } from '../support/realtime.ts';
import { LOCAL_ANON_KEY, LOCAL_SERVICE_ROLE_KEY, startTestServer } from '../support/server.ts';

/**
 * Broadcast as the unmodified supabase-js meets it on the local server: over the socket in
 * both serializer versions, and through the REST endpoint supabase-js falls back to.
 *
 * Where a test proves that something was NOT delivered, it does so with a later marker
 * message on the same socket: the server writes frames to a socket in order, so a marker
 * arriving alone means nothing was written before it.
 */

type Broadcast = { type: string; event: string; payload: unknown; meta?: unknown };

const room = (): string => `room-${randomUUID().slice(0, 8)}`;

describe('realtime broadcast', () => {
  let server: RunningServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  /** POSTs to the batch endpoint as a server would. */
  function postBroadcast(headers: Record<string, string>, body: string): Promise<Response> {
    return fetch(`${server.url}/realtime/v1/api/broadcast`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body,
    });
  }

  for (const vsn of VSNS) {
    describe(`vsn ${vsn}`, () => {
      const clients = new ClientSet(() => server.url, { vsn });
      afterEach(() => clients.closeAll());

      /** A subscribed channel on a fresh client, with an inbox of its broadcasts. */
      async function member(
        name: string,
        config: { self?: boolean; ack?: boolean } = {},
      ): Promise<{ channel: RealtimeChannel; inbox: Inbox<Broadcast> }> {
        const channel = clients.make().channel(name, { config: { broadcast: config } });
        const inbox = listen<Broadcast>(channel, 'broadcast', { event: '*' });
        await subscribed(channel);
        return { channel, inbox };
      }

      it('subscribes and delivers a broadcast as {type, event, payload}', async () => {
        const name = room();
        const a = await member(name);
        const b = await member(name);
        assert.equal(a.channel.state, 'joined');

        const result = await a.channel.send({ type: 'broadcast', event: 'cursor', payload: { x: 1, y: [2, 3], label: 'héllo ✓' } });

        assert.equal(result, 'ok');
        assert.deepEqual(await b.inbox.next(), { type: 'broadcast', event: 'cursor', payload: { x: 1, y: [2, 3], label: 'héllo ✓' } });
      });

      it('delivers each of three clients’ broadcasts to the other two only', async () => {
        const name = room();
        const members = [await member(name), await member(name), await member(name)];

        for (const [i, m] of members.entries()) {
          await m.channel.send({ type: 'broadcast', event: 'hello', payload: { from: i } });
        }

        for (const [i, m] of members.entries()) {
          const received = [await m.inbox.next(), await m.inbox.next()].map((b) => (b.payload as { from: number }).from);
          assert.deepEqual(received.sort(), [0, 1, 2].filter((n) => n !== i), `client ${i}`);
        }
      });

      it('does not send a broadcast back to its sender by default', async () => {
        const name = room();
        const a = await member(name);
        const b = await member(name);

        await a.channel.send({ type: 'broadcast', event: 'note', payload: { n: 1 } });
        await b.inbox.next();
        // B's reply is written to A's socket after anything A's own message could have produced.
        await b.channel.send({ type: 'broadcast', event: 'marker', payload: {} });
        await a.inbox.next((m) => m.event === 'marker');

        assert.deepEqual(a.inbox.all.map((m) => m.event), ['marker']);
      });

      it('sends a broadcast back to its sender with broadcast.self', async () => {
        const name = room();
        const a = await member(name, { self: true });
        const b = await member(name);

        await a.channel.send({ type: 'broadcast', event: 'echo', payload: { n: 7 } });

        assert.deepEqual(await a.inbox.next(), { type: 'broadcast', event: 'echo', payload: { n: 7 } });
        assert.deepEqual(await b.inbox.next(), { type: 'broadcast', event: 'echo', payload: { n: 7 } });
      });

      it('resolves send with "ok" once the server acknowledges (broadcast.ack)', async () => {
        const name = room();
        const a = await member(name, { ack: true });
        const b = await member(name);

        assert.equal(await a.channel.send({ type: 'broadcast', event: 'acked', payload: { n: 1 } }), 'ok');
        assert.deepEqual((await b.inbox.next()).payload, { n: 1 });
      });

      it('answers an acknowledged broadcast with phx_reply ok on the wire, and an unacknowledged one not at all', async () => {
        const raw = await RawSocket.open(server.url, { vsn });
        try {
          const acked = await raw.join(room(), { broadcast: { ack: true } });
          const plain = await raw.join(room(), {});
          assert.equal(acked.reply.payload.status, 'ok');

          raw.push(plain.topic, 'broadcast', { type: 'broadcast', event: 'e', payload: {} }, { joinRef: plain.joinRef, ref: 'p1' });
          const ref = raw.push(acked.topic, 'broadcast', { type: 'broadcast', event: 'e', payload: {} }, { joinRef: acked.joinRef });
          const reply = await raw.reply(ref);

          assert.deepEqual(reply, { joinRef: acked.joinRef, ref, topic: acked.topic, event: 'phx_reply', payload: { status: 'ok', response: {} } });
          // Frames are handled in order, so a reply to p1 would have come before this one.
          assert.equal(raw.frames.all.some((f) => f.kind === 'text' && f.message.ref === 'p1'), false);
        } finally {
          raw.close();
        }
      });

      it('keeps rooms apart: a client in another room receives nothing', async () => {
        const name = room();
        const other = room();
        const a = await member(name);
        const b = await member(name);
        const c = await member(other);

        await a.channel.send({ type: 'broadcast', event: 'private-talk', payload: { secret: true } });
        await b.inbox.next();
        const res = await postBroadcast({ apikey: LOCAL_ANON_KEY }, JSON.stringify({ messages: [{ topic: other, event: 'marker', payload: {} }] }));
        assert.equal(res.status, 202);
        await c.inbox.next((m) => m.event === 'marker');

        assert.deepEqual(c.inbox.all.map((m) => m.event), ['marker']);
      });

      it('falls back to the REST endpoint when send is called on a channel that is not joined', async (t) => {
        const name = room();
        const b = await member(name);
        const warn = t.mock.method(console, 'warn', () => {});
        const sender = clients.make().channel(name);

        const result = await sender.send({ type: 'broadcast', event: 'via-rest', payload: { n: 1 } });

        assert.equal(result, 'ok');
        assert.match(String(warn.mock.calls[0]?.arguments[0]), /falling back to REST API/);
        assert.deepEqual(await b.inbox.next(), { type: 'broadcast', event: 'via-rest', payload: { n: 1 } });
      });

      it('delivers httpSend to subscribers', async () => {
        const name = room();
        const b = await member(name);
        const sender = clients.make().channel(name);

        assert.deepEqual(await sender.httpSend('via-http', { n: 2 }), { success: true });

        assert.deepEqual(await b.inbox.next(), { type: 'broadcast', event: 'via-http', payload: { n: 2 } });
      });

      for (const [role, key] of [
        ['service_role', LOCAL_SERVICE_ROLE_KEY],
        ['anon', LOCAL_ANON_KEY],
      ] as const) {
        it(`accepts a POST to /realtime/v1/api/broadcast with the ${role} key: 202, and subscribers receive it`, async () => {
          const name = room();
          const b = await member(name);

          const res = await postBroadcast(
            { apikey: key, Authorization: `Bearer ${key}` },
            JSON.stringify({ messages: [{ topic: name, event: 'from-server', payload: { role } }] }),
          );

          assert.equal(res.status, 202);
          assert.equal(await res.text(), '');
          assert.deepEqual(await b.inbox.next(), { type: 'broadcast', event: 'from-server', payload: { role } });
        });
      }

      it('refuses a POST with a bad apikey: 401 {message: "Unauthorized"}, nothing delivered', async () => {
        const name = room();
        const b = await member(name);

        const res = await postBroadcast({ apikey: 'not-a-key' }, JSON.stringify({ messages: [{ topic: name, event: 'x', payload: {} }] }));

        assert.equal(res.status, 401);
        assert.deepEqual(await res.json(), { message: 'Unauthorized' });
        const ok = await postBroadcast({ apikey: LOCAL_ANON_KEY }, JSON.stringify({ messages: [{ topic: name, event: 'marker', payload: {} }] }));
        assert.equal(ok.status, 202);
        await b.inbox.next((m) => m.event === 'marker');
        assert.deepEqual(b.inbox.all.map((m) => m.event), ['marker']);
      });

      it('refuses a malformed POST body with 422', async () => {
        for (const body of ['{not json', JSON.stringify({ messages: [{ topic: room(), payload: {} }] }), JSON.stringify({})]) {
          const res = await postBroadcast({ apikey: LOCAL_ANON_KEY }, body);
          assert.equal(res.status, 422, body);
          assert.ok('errors' in ((await res.json()) as object), body);
        }
      });

      if (vsn === '2.0.0') {
        it('delivers a binary payload as an ArrayBuffer with the same bytes', async () => {
          const name = room();
          const a = await member(name);
          const b = await member(name);
          const bytes = Uint8Array.from([0, 1, 2, 127, 128, 254, 255, 10, 13, 0]);

          await a.channel.send({ type: 'broadcast', event: 'bin', payload: bytes.slice().buffer });

          const got = await b.inbox.next();
          assert.equal(got.type, 'broadcast');
          assert.equal(got.event, 'bin');
          assert.ok(got.payload instanceof ArrayBuffer, `payload is ${Object.prototype.toString.call(got.payload)}`);
          assert.deepEqual(new Uint8Array(got.payload), bytes);
        });

        it('delivers a binary httpSend as an ArrayBuffer with the same bytes', async () => {
          const name = room();
          const b = await member(name);
          const bytes = Uint8Array.from([9, 8, 7, 0, 255]);

          assert.deepEqual(await clients.make().channel(name).httpSend('bin', bytes), { success: true });

          const got = await b.inbox.next();
          assert.ok(got.payload instanceof ArrayBuffer);
          assert.deepEqual(new Uint8Array(got.payload), bytes);
        });
      }
    });
  }

  describe('mixed serializer versions', () => {
    const clients = new ClientSet(() => server.url);
    afterEach(() => clients.closeAll());

    it('delivers a JSON broadcast to a vsn 1.0.0 and a vsn 2.0.0 client in the same room', async () => {
      const name = room();
      const inboxes: Inbox<Broadcast>[] = [];
      const channels: RealtimeChannel[] = [];
      for (const vsn of ['1.0.0', '2.0.0', '1.0.0'] as Vsn[]) {
        const channel = clients.make({ vsn }).channel(name);
        inboxes.push(listen<Broadcast>(channel, 'broadcast', { event: '*' }));
        channels.push(await subscribed(channel));
      }
      const [fromV1, toV2, toV1] = [channels[0]!, inboxes[1]!, inboxes[2]!];

      await fromV1.send({ type: 'broadcast', event: 'mixed', payload: { text: 'ünïcode', n: [1, null] } });
      await channels[1]!.send({ type: 'broadcast', event: 'mixed', payload: { from: 'v2' } });

      assert.deepEqual(await toV2.next(), { type: 'broadcast', event: 'mixed', payload: { text: 'ünïcode', n: [1, null] } });
      assert.deepEqual(await toV1.next(), { type: 'broadcast', event: 'mixed', payload: { text: 'ünïcode', n: [1, null] } });
      assert.deepEqual(await toV1.next(), { type: 'broadcast', event: 'mixed', payload: { from: 'v2' } });
      assert.deepEqual(await inboxes[0]!.next(), { type: 'broadcast', event: 'mixed', payload: { from: 'v2' } });
    });
  });
});

import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { RealtimeChannel } from '@supabase/supabase-js';
import type { RunningServer } from '../../server/start.ts';
import { ClientSet, type Inbox, listen, RawSocket, subscribed, VSNS, waitFor } from '../support/realtime.ts';
import { startTestServer } from '../support/server.ts';

/**
 * Presence as the unmodified supabase-js meets it on the local server: who is here, many tabs
 * of one person, updates, and every way of leaving (untrack, closing the socket, going
 * silent). Then the wire shapes once, with a raw client.
 */

type Meta = Record<string, unknown> & { presence_ref: string };
type PresenceEvent =
  | { event: 'sync' }
  | { event: 'join'; key: string; currentPresences: Meta[]; newPresences: Meta[] }
  | { event: 'leave'; key: string; currentPresences: Meta[]; leftPresences: Meta[] };

const room = (): string => `presence-${randomUUID().slice(0, 8)}`;

interface Member {
  channel: RealtimeChannel;
  events: Inbox<PresenceEvent>;
}

function joinOf(events: Inbox<PresenceEvent>, key: string) {
  return events.next((e) => e.event === 'join' && e.key === key) as Promise<Extract<PresenceEvent, { event: 'join' }>>;
}
function leaveOf(events: Inbox<PresenceEvent>, key: string) {
  return events.next((e) => e.event === 'leave' && e.key === key) as Promise<Extract<PresenceEvent, { event: 'leave' }>>;
}

/** The metas without their server-made refs, which tests cannot predict. */
function payloads(metas: Meta[] | undefined): Record<string, unknown>[] {
  return (metas ?? []).map(({ presence_ref: _ref, ...rest }) => rest);
}

describe('realtime presence', () => {
  let server: RunningServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  for (const vsn of VSNS) {
    describe(`vsn ${vsn}`, () => {
      const clients = new ClientSet(() => server.url, { vsn });
      afterEach(() => clients.closeAll());

      /** A fresh client subscribed to `name` with a presence key, recording presence events. */
      async function member(name: string, key: string): Promise<Member> {
        const channel = clients.make().channel(name, { config: { presence: { key } } });
        const events = listen<PresenceEvent>(channel, 'presence', { event: '*' });
        await subscribed(channel);
        // The first sync follows the server's presence_state: the client now applies diffs.
        await events.next((e) => e.event === 'sync');
        return { channel, events };
      }

      it('reports a join to others and to the tracker itself, with newPresences and a presence_ref', async () => {
        const name = room();
        const ada = await member(name, 'ada');
        const observer = await member(name, 'watcher');

        assert.equal(await ada.channel.track({ name: 'Ada', online_at: 1 }), 'ok');

        for (const m of [observer, ada]) {
          const join = await joinOf(m.events, 'ada');
          assert.deepEqual(payloads(join.newPresences), [{ name: 'Ada', online_at: 1 }]);
          assert.equal(typeof join.newPresences[0]!.presence_ref, 'string');
          assert.ok(join.newPresences[0]!.presence_ref.length > 0);
          assert.deepEqual(join.currentPresences, []);
          await m.events.next((e) => e.event === 'sync');
        }
      });

      it('keys presenceState() by the configured presence key, for those who join later too', async () => {
        const name = room();
        const ada = await member(name, 'ada');
        const ben = await member(name, 'ben');
        await ada.channel.track({ name: 'Ada' });
        await ben.channel.track({ name: 'Ben' });
        const late = await member(name, 'late');

        await waitFor(() => Object.keys(ada.channel.presenceState()).length === 2, 'both keys at Ada');
        for (const m of [ada, late]) {
          const state = m.channel.presenceState() as Record<string, Meta[]>;
          assert.deepEqual(Object.keys(state).sort(), ['ada', 'ben']);
          assert.deepEqual(payloads(state.ada), [{ name: 'Ada' }]);
          assert.deepEqual(payloads(state.ben), [{ name: 'Ben' }]);
          assert.equal(typeof state.ben![0]!.presence_ref, 'string');
        }
      });

      it('shows two tabs of one key as one key with two metas, and the key stays while one tab remains', async () => {
        const name = room();
        const observer = await member(name, 'watcher');
        const tab1 = await member(name, 'ben');
        const tab2 = await member(name, 'ben');
        await tab1.channel.track({ tab: 1 });
        await tab2.channel.track({ tab: 2 });
        await waitFor(() => (observer.channel.presenceState().ben?.length ?? 0) === 2, 'two metas for ben');
        assert.deepEqual(Object.keys(observer.channel.presenceState()).sort(), ['ben']);

        assert.equal(await tab1.channel.unsubscribe(), 'ok');

        const leave = await leaveOf(observer.events, 'ben');
        assert.deepEqual(payloads(leave.leftPresences), [{ tab: 1 }]);
        assert.deepEqual(payloads(leave.currentPresences), [{ tab: 2 }]);
        assert.deepEqual(payloads(observer.channel.presenceState().ben as Meta[]), [{ tab: 2 }]);
      });

      it('replaces the meta when the same channel tracks again', async () => {
        const name = room();
        const observer = await member(name, 'watcher');
        const ada = await member(name, 'ada');
        await ada.channel.track({ status: 'idle' });
        const first = (await joinOf(observer.events, 'ada')).newPresences[0]!;

        await ada.channel.track({ status: 'busy' });

        const second = (await joinOf(observer.events, 'ada')).newPresences[0]!;
        await leaveOf(observer.events, 'ada');
        assert.deepEqual(payloads([second]), [{ status: 'busy' }]);
        assert.notEqual(second.presence_ref, first.presence_ref);
        assert.deepEqual(payloads(observer.channel.presenceState().ada as Meta[]), [{ status: 'busy' }]);
        assert.deepEqual(payloads(ada.channel.presenceState().ada as Meta[]), [{ status: 'busy' }]);
      });

      it('reports a leave with leftPresences on untrack and drops the key', async () => {
        const name = room();
        const observer = await member(name, 'watcher');
        const ada = await member(name, 'ada');
        await ada.channel.track({ name: 'Ada' });
        const joined = (await joinOf(observer.events, 'ada')).newPresences[0]!;

        assert.equal(await ada.channel.untrack(), 'ok');

        const leave = await leaveOf(observer.events, 'ada');
        assert.deepEqual(leave.leftPresences, [joined]);
        assert.deepEqual(leave.currentPresences, []);
        assert.equal(observer.channel.presenceState().ada, undefined);
      });

      it('reports a leave when a member’s socket closes', async () => {
        const name = room();
        const observer = await member(name, 'watcher');
        const client = clients.make();
        const channel = client.channel(name, { config: { presence: { key: 'ada' } } });
        await subscribed(channel);
        await channel.track({ name: 'Ada' });
        await joinOf(observer.events, 'ada');

        await client.realtime.disconnect();

        const leave = await leaveOf(observer.events, 'ada');
        assert.deepEqual(payloads(leave.leftPresences), [{ name: 'Ada' }]);
        assert.equal(observer.channel.presenceState().ada, undefined);
      });
    });
  }

  describe('wire shapes (raw vsn 2.0.0 client)', () => {
    it('sends presence_state on join and presence_diff with phx_ref, and phx_ref_prev on re-track', async () => {
      const raw = await RawSocket.open(server.url, { vsn: '2.0.0' });
      try {
        const { topic, joinRef, reply } = await raw.join(room(), { presence: { enabled: true, key: 'raw' } });
        assert.equal(reply.payload.status, 'ok');
        const state = await raw.message((m) => m.event === 'presence_state');
        assert.deepEqual(state, { joinRef, ref: null, topic, event: 'presence_state', payload: {} });

        const trackRef = raw.push(topic, 'presence', { type: 'presence', event: 'track', payload: { status: 'a' } }, { joinRef });
        assert.deepEqual((await raw.reply(trackRef)).payload, { status: 'ok', response: {} });
        const first = await raw.message((m) => m.event === 'presence_diff');
        assert.equal(first.joinRef, null);
        assert.equal(first.ref, null);
        assert.equal(first.topic, topic);
        assert.deepEqual(first.payload.leaves, {});
        const [meta] = first.payload.joins.raw.metas as Record<string, unknown>[];
        assert.equal(typeof meta!.phx_ref, 'string');
        assert.deepEqual(first.payload.joins, { raw: { metas: [{ status: 'a', phx_ref: meta!.phx_ref }] } });

        raw.push(topic, 'presence', { type: 'presence', event: 'TRACK', payload: { status: 'b' } }, { joinRef });
        const second = await raw.message((m) => m.event === 'presence_diff');
        const [next] = second.payload.joins.raw.metas as Record<string, unknown>[];
        assert.equal(typeof next!.phx_ref, 'string');
        assert.notEqual(next!.phx_ref, meta!.phx_ref);
        assert.deepEqual(second.payload, {
          joins: { raw: { metas: [{ status: 'b', phx_ref: next!.phx_ref, phx_ref_prev: meta!.phx_ref }] } },
          leaves: { raw: { metas: [{ status: 'a', phx_ref: meta!.phx_ref }] } },
        });

        const untrackRef = raw.push(topic, 'presence', { type: 'presence', event: 'untrack' }, { joinRef });
        assert.deepEqual((await raw.reply(untrackRef)).payload, { status: 'ok', response: {} });
        const third = await raw.message((m) => m.event === 'presence_diff');
        assert.deepEqual(third.payload, { joins: {}, leaves: { raw: { metas: [{ status: 'b', phx_ref: next!.phx_ref, phx_ref_prev: meta!.phx_ref }] } } });
      } finally {
        raw.close();
      }
    });
  });

  describe('leave on missed heartbeats (idleTimeoutMs 1500)', () => {
    let idleServer: RunningServer;
    before(async () => {
      idleServer = await startTestServer({ realtime: { idleTimeoutMs: 1500 } });
    });
    after(() => idleServer.close());

    for (const vsn of VSNS) {
      const clients = new ClientSet(() => idleServer.url, { vsn });
      afterEach(() => clients.closeAll());

      it(`closes a silent client and reports its leave to the others (vsn ${vsn})`, async () => {
        const name = room();
        // The observer heartbeats well within the idle timeout; the silent client would wait 60 s.
        const observerChannel = clients.make({ heartbeatIntervalMs: 500 }).channel(name, { config: { presence: { key: 'watcher' } } });
        const events = listen<PresenceEvent>(observerChannel, 'presence', { event: '*' });
        await subscribed(observerChannel);
        const silent = clients.make({ heartbeatIntervalMs: 60_000 });
        const silentChannel = silent.channel(name, { config: { presence: { key: 'ada' } } });
        const errors: string[] = [];
        silentChannel.subscribe((status, err) => status === 'CHANNEL_ERROR' && errors.push(err?.message ?? ''));
        await waitFor(() => silentChannel.state === 'joined', 'silent client joined');
        await silentChannel.track({ name: 'Ada' });
        await joinOf(events, 'ada');

        const leave = await leaveOf(events, 'ada');

        assert.deepEqual(payloads(leave.leftPresences), [{ name: 'Ada' }]);
        assert.equal(observerChannel.presenceState().ada, undefined);
        await waitFor(() => errors.length > 0, 'the silent client to see its socket close');
        assert.match(errors[0]!, /1000/);
      });
    }
  });
});

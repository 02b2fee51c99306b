import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { RealtimeSnapshot } from '../../server/realtime/service.ts';
import type { RunningServer } from '../../server/start.ts';
import { ClientSet, Inbox, listen, quietPeriod, RawSocket, refusedUpgrade, socketUrl, subscribed, type PhxMessage } from '../support/realtime.ts';
import { LOCAL_ANON_KEY, startTestServer } from '../support/server.ts';

/**
 * What the Realtime socket does with clients that misbehave: garbage frames, huge frames,
 * floods, unknown events, too many joins, silence. Each one is answered or cut off in the
 * way Supabase Realtime does it, and none of it disturbs the well-behaved clients.
 */

type Broadcast = { type: string; event: string; payload: unknown };

const room = (): string => `bad-${randomUUID().slice(0, 8)}`;

async function stats(url: string): Promise<RealtimeSnapshot> {
  const res = await fetch(`${url}/flock/stats`);
  assert.equal(res.status, 200);
  return (await res.json()) as RealtimeSnapshot;
}

/** A heartbeat gets its reply: the socket is alive and still answering. */
async function assertAlive(raw: RawSocket): Promise<void> {
  const ref = raw.push('phoenix', 'heartbeat', {});
  assert.deepEqual((await raw.reply(ref)).payload, { status: 'ok', response: {} });
}

function replies(raw: RawSocket): PhxMessage[] {
  return raw.frames.all.flatMap((f) => (f.kind === 'text' && f.message.event === 'phx_reply' ? [f.message] : []));
}

describe('realtime with default limits', () => {
  let server: RunningServer;
  let initial: RealtimeSnapshot;
  const clients = new ClientSet(() => server.url);
  const raws: RawSocket[] = [];

  async function raw(vsn: '1.0.0' | '2.0.0' = '2.0.0'): Promise<RawSocket> {
    const socket = await RawSocket.open(server.url, { vsn });
    raws.push(socket);
    return socket;
  }

  /** A subscribed supabase-js channel with an inbox of its broadcasts. */
  async function member(name: string, config: { ack?: boolean } = {}) {
    const channel = clients.make().channel(name, { config: { broadcast: config } });
    const inbox = listen<Broadcast>(channel, 'broadcast', { event: '*' });
    await subscribed(channel);
    return { channel, inbox };
  }

  before(async () => {
    server = await startTestServer();
    initial = await stats(server.url);
  });
  afterEach(async () => {
    for (const socket of raws.splice(0)) socket.close();
    await clients.closeAll();
  });
  after(() => server.close());

  it('answers a heartbeat with phx_reply ok', async () => {
    const socket = await raw();

    socket.send('[null,"1","phoenix","heartbeat",{}]');

    const frame = await socket.frames.next();
    assert.equal(frame.kind, 'text');
    assert.deepEqual(JSON.parse((frame as { text: string }).text), [null, '1', 'phoenix', 'phx_reply', { status: 'ok', response: {} }]);
  });

  for (const [what, frame] of [
    ['malformed JSON', '{"oops'],
    ['JSON that is not a v2 message array', '{"topic":"phoenix","event":"heartbeat"}'],
    ['a message array with a non-string topic', '[null,"1",42,"heartbeat",{}]'],
  ] as const) {
    it(`closes the socket with 1007 and a reason on ${what}`, async () => {
      const socket = await raw();

      socket.send(frame);

      const { code, reason } = await socket.closed;
      assert.equal(code, 1007);
      assert.ok(reason.length > 0, 'a reason');
    });
  }

  it('closes the socket with 1007 on binary garbage', async () => {
    for (const bytes of [
      Buffer.from([0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3, 4, 5]),
      // A kind-3 push whose header promises a longer topic than the frame holds.
      Buffer.from([3, 0, 0, 200, 1, 0, 1, 0x61]),
    ]) {
      const socket = await raw();
      socket.send(bytes);
      const { code, reason } = await socket.closed;
      assert.equal(code, 1007);
      assert.ok(reason.length > 0);
    }
  });

  it('closes a vsn 1.0.0 socket with 1007 on any binary frame', async () => {
    const socket = await raw('1.0.0');
    socket.send(Buffer.from([3, 0, 0, 1, 1, 0, 1, 0x61, 0x62, 0x7b, 0x7d]));
    assert.equal((await socket.closed).code, 1007);
  });

  it('closes the socket with 1009 on a frame over 1 MiB', async () => {
    const socket = await raw();

    socket.send(`[null,"1","phoenix","heartbeat",{"pad":"${'x'.repeat(10 * 1024 * 1024)}"}]`);

    assert.equal((await socket.closed).code, 1009);
  });

  it('answers an unknown event on a joined channel with an error reply and keeps the socket', async () => {
    const socket = await raw();
    const { topic, joinRef } = await socket.join(room());

    const ref = socket.push(topic, 'dance', { steps: 3 }, { joinRef });

    const reply = await socket.reply(ref);
    assert.equal(reply.topic, topic);
    assert.equal(reply.payload.status, 'error');
    assert.equal(typeof reply.payload.response.reason, 'string');
    assert.match(reply.payload.response.reason, /dance/);
    await assertAlive(socket);
  });

  it('answers a push to a topic that is not joined with "unmatched topic"', async () => {
    const socket = await raw();

    const ref = socket.push('realtime:never-joined', 'broadcast', { type: 'broadcast', event: 'x', payload: {} });

    assert.deepEqual((await socket.reply(ref)).payload, { status: 'error', response: { reason: 'unmatched topic' } });
    await assertAlive(socket);
  });

  it('answers phx_leave on a topic never joined with ok {}, as Phoenix does, and the socket stays up', async () => {
    const socket = await raw();

    const ref = socket.push('realtime:never-joined', 'phx_leave', {});

    const reply = await socket.reply(ref);
    assert.equal(reply.topic, 'realtime:never-joined');
    assert.deepEqual(reply.payload, { status: 'ok', response: {} });
    await assertAlive(socket);
  });

  it('answers a push carrying a stale join_ref with "unmatched topic"', async () => {
    const socket = await raw();
    const { topic } = await socket.join(room());

    const ref = socket.push(topic, 'broadcast', { type: 'broadcast', event: 'x', payload: {} }, { joinRef: 'stale' });

    assert.deepEqual((await socket.reply(ref)).payload, { status: 'error', response: { reason: 'unmatched topic' } });
  });

  it('closes the old channel when a topic is joined twice, as Phoenix does', async () => {
    const socket = await raw();
    const first = await socket.join('twice');

    const second = await socket.join('twice');

    const close = await socket.message((m) => m.event === 'phx_close');
    assert.equal(close.joinRef, first.joinRef);
    assert.equal(second.reply.payload.status, 'ok');
    const stale = socket.push(first.topic, 'broadcast', { type: 'broadcast', event: 'x', payload: {} }, { joinRef: first.joinRef });
    assert.deepEqual((await socket.reply(stale)).payload, { status: 'error', response: { reason: 'unmatched topic' } });
  });

  it('refuses joins past 100 per second with ClientJoinRateLimitReached and closes the socket with 1001', async () => {
    const socket = await raw();

    for (let i = 0; i < 1000; i++) socket.push(`realtime:many-${i}`, 'phx_join', { config: {} }, { joinRef: `j${i}`, ref: `j${i}` });

    const { code } = await socket.closed;
    const answers = replies(socket);
    assert.equal(code, 1001);
    assert.equal(answers.filter((r) => r.payload.status === 'ok').length, 100);
    assert.deepEqual(answers.slice(0, 100).map((r) => r.ref), Array.from({ length: 100 }, (_, i) => `j${i}`));
    assert.deepEqual(answers.slice(100).map((r) => r.payload), [
      { status: 'error', response: { reason: 'ClientJoinRateLimitReached: Too many joins per second' } },
    ]);
  });

  it('refuses a 300 KB broadcast with payload_size_exceeded when acked, and delivers nothing of it', async () => {
    const name = room();
    const receiver = await member(name);
    const socket = await raw();
    const { topic, joinRef } = await socket.join(name, { broadcast: { ack: true } });

    const ref = socket.push(topic, 'broadcast', { type: 'broadcast', event: 'huge', payload: { blob: 'x'.repeat(300 * 1024) } }, { joinRef });

    assert.deepEqual((await socket.reply(ref)).payload, { status: 'error', response: 'payload_size_exceeded' });
    const small = socket.push(topic, 'broadcast', { type: 'broadcast', event: 'small', payload: {} }, { joinRef });
    assert.deepEqual((await socket.reply(small)).payload, { status: 'ok', response: {} });
    await receiver.inbox.next((m) => m.event === 'small');
    assert.deepEqual(receiver.inbox.all.map((m) => m.event), ['small']);
  });

  it('makes supabase-js send resolve "error" for an oversized acked broadcast', async () => {
    const name = room();
    const receiver = await member(name);
    const sender = await member(name, { ack: true });

    assert.equal(await sender.channel.send({ type: 'broadcast', event: 'huge', payload: { blob: 'x'.repeat(300 * 1024) } }), 'error');
    assert.equal(await sender.channel.send({ type: 'broadcast', event: 'small', payload: {} }), 'ok');
    await receiver.inbox.next((m) => m.event === 'small');
    assert.deepEqual(receiver.inbox.all.map((m) => m.event), ['small']);
  });

  it('refuses an upgrade without an apikey with 401', async () => {
    const res = await refusedUpgrade(socketUrl(server.url, { vsn: '2.0.0' }));
    assert.equal(res.status, 401);
    assert.deepEqual(JSON.parse(res.body), { error: 'API key is missing' });
  });

  it('refuses an upgrade with an invalid apikey with 401', async () => {
    const res = await refusedUpgrade(socketUrl(server.url, { vsn: '2.0.0', apikey: 'garbage' }));
    assert.equal(res.status, 401);
    assert.equal(typeof JSON.parse(res.body).error, 'string');
  });

  it('refuses an upgrade with an unknown vsn with 400', async () => {
    const res = await refusedUpgrade(socketUrl(server.url, { vsn: '3.0.0', apikey: LOCAL_ANON_KEY }));
    assert.equal(res.status, 400);
    assert.equal(typeof JSON.parse(res.body).error, 'string');
  });

  it('keeps delivering valid broadcasts to a room while a raw client floods it with garbage', async () => {
    const name = room();
    const sender = await member(name);
    const receiver = await member(name);
    const flooder = await raw();
    const { topic, joinRef } = await flooder.join(name);
    const garbage: Array<[string, string, unknown, string | null]> = [
      [topic, 'broadcast', { event: 42 }, joinRef],
      [topic, 'broadcast', 'not an object', joinRef],
      [topic, 'broadcast', { type: 'broadcast' }, joinRef],
      [topic, 'presence', { type: 'presence', event: 'dance' }, joinRef],
      [topic, 'presence', { type: 'presence', event: 'track', payload: [1, 2] }, joinRef],
      [topic, 'shout', { at: 'everyone' }, joinRef],
      [topic, 'broadcast', { type: 'broadcast', event: 'x', payload: {} }, 'wrong-join-ref'],
      ['realtime:elsewhere', 'broadcast', { type: 'broadcast', event: 'x', payload: {} }, null],
      ['phoenix', 'phx_leave', {}, null],
      [topic, 'phx_reply', { status: 'ok' }, joinRef],
    ];

    for (let i = 0; i < 20; i++) {
      for (const [t, event, payload, jr] of garbage) flooder.push(t, event, payload, { joinRef: jr });
      await sender.channel.send({ type: 'broadcast', event: 'valid', payload: { i } });
    }
    flooder.send('{"not":"phoenix"');
    assert.equal((await flooder.closed).code, 1007);
    await sender.channel.send({ type: 'broadcast', event: 'valid', payload: { i: 20 } });

    await receiver.inbox.next((m) => (m.payload as { i?: number }).i === 20);
    assert.deepEqual(
      receiver.inbox.all,
      Array.from({ length: 21 }, (_, i) => ({ type: 'broadcast', event: 'valid', payload: { i } })),
    );
  });

  it('counts what it dropped in GET /flock/stats', async () => {
    const now = await stats(server.url);
    for (const reason of ['malformed', 'rate_limited', 'too_large', 'unmatched_topic', 'invalid']) {
      assert.ok((now.dropped[reason] ?? 0) > (initial.dropped[reason] ?? 0), `dropped.${reason}: ${initial.dropped[reason]} → ${now.dropped[reason]}`);
    }
  });

  it('still answers /flock/health and serves a fresh supabase-js client after all of this', async () => {
    const res = await fetch(`${server.url}/flock/health`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { status: string }).status, 'ok');

    const name = room();
    const a = await member(name);
    const b = await member(name);
    await a.channel.send({ type: 'broadcast', event: 'still-here', payload: { ok: true } });
    assert.deepEqual(await b.inbox.next(), { type: 'broadcast', event: 'still-here', payload: { ok: true } });
  });
});

describe('realtime with tight limits (maxEventsPerSecond 20, maxJoinsPerSecond 10000)', () => {
  let server: RunningServer;
  const clients = new ClientSet(() => server.url);
  const raws: RawSocket[] = [];

  before(async () => {
    server = await startTestServer({ realtime: { maxEventsPerSecond: 20, maxJoinsPerSecond: 10_000 } });
  });
  afterEach(async () => {
    for (const socket of raws.splice(0)) socket.close();
    await clients.closeAll();
  });
  after(() => server.close());

  it('shuts a flooding channel down with a system error, then phx_close, and keeps the socket', async () => {
    const socket = await RawSocket.open(server.url);
    raws.push(socket);
    const name = room();
    const { topic, joinRef } = await socket.join(name);

    for (let i = 0; i < 60; i++) socket.push(topic, 'broadcast', { type: 'broadcast', event: 'spam', payload: { i } }, { joinRef });

    const system = await socket.message((m) => m.event === 'system');
    assert.deepEqual(system, {
      joinRef,
      ref: null,
      topic,
      event: 'system',
      payload: { extension: 'system', status: 'error', message: 'Too many messages per second', channel: name },
    });
    const close = await socket.message((m) => m.event === 'phx_close');
    assert.equal(close.joinRef, joinRef);
    assert.equal(close.topic, topic);
    assert.deepEqual(close.payload, {});
    const late = socket.push(topic, 'broadcast', { type: 'broadcast', event: 'spam', payload: {} }, { joinRef });
    assert.deepEqual((await socket.reply(late)).payload, { status: 'error', response: { reason: 'unmatched topic' } });
    await assertAlive(socket);
  });

  it(
    'sends phx_close after a server-side shutdown with the join ref as its ref, as Phoenix does',
    async () => {
      const socket = await RawSocket.open(server.url);
      raws.push(socket);
      const { topic, joinRef } = await socket.join(room());
      for (let i = 0; i < 60; i++) socket.push(topic, 'broadcast', { type: 'broadcast', event: 'spam', payload: {} }, { joinRef });
      const close = await socket.message((m) => m.event === 'phx_close');
      assert.deepEqual(close, { joinRef, ref: joinRef, topic, event: 'phx_close', payload: {} });
    },
  );

  it('tells a flooding supabase-js channel why (system message) and closes it (CLOSED)', async () => {
    const channel = clients.make().channel(room());
    const system = listen<Record<string, unknown>>(channel, 'system');
    const statuses = new Inbox<string>('statuses');
    channel.subscribe((status) => statuses.push(status));
    await statuses.next((s) => s === 'SUBSCRIBED');

    for (let i = 0; i < 60; i++) void channel.send({ type: 'broadcast', event: 'spam', payload: { i } });

    assert.deepEqual(await system.next(), { extension: 'system', status: 'error', message: 'Too many messages per second', channel: channel.subTopic });
    await statuses.next((s) => s === 'CLOSED');
    assert.equal(channel.state, 'closed');
  });

  it('refuses joins past 100 channels on one socket with ChannelRateLimitReached and keeps the socket', async () => {
    const socket = await RawSocket.open(server.url);
    raws.push(socket);

    for (let i = 0; i < 1000; i++) socket.push(`realtime:many-${i}`, 'phx_join', { config: {} }, { joinRef: `j${i}`, ref: `j${i}` });
    await socket.reply('j999', 30_000);

    const answers = replies(socket);
    assert.equal(answers.length, 1000);
    assert.deepEqual(answers.slice(0, 100).map((r) => r.payload.status), Array(100).fill('ok'));
    for (const r of answers.slice(100)) {
      assert.deepEqual(r.payload, { status: 'error', response: { reason: 'ChannelRateLimitReached: Too many channels' } });
    }
    // Leaving one channel makes room for one more.
    const leave = socket.push('realtime:many-0', 'phx_leave', {}, { joinRef: 'j0' });
    assert.equal((await socket.reply(leave)).payload.status, 'ok');
    const again = socket.push('realtime:again', 'phx_join', { config: {} }, { joinRef: 'again', ref: 'again' });
    assert.equal((await socket.reply(again)).payload.status, 'ok');
    await assertAlive(socket);
  });
});

describe('realtime idle sockets (idleTimeoutMs 800)', () => {
  let server: RunningServer;
  before(async () => {
    server = await startTestServer({ realtime: { idleTimeoutMs: 800 } });
  });
  after(() => server.close());

  it('closes a socket that sends nothing with 1000', async () => {
    const socket = await RawSocket.open(server.url);

    const { code } = await socket.closed;

    assert.equal(code, 1000);
  });

  it('keeps a socket open that heartbeats within the timeout', async () => {
    const socket = await RawSocket.open(server.url);
    try {
      for (let i = 0; i < 6; i++) {
        await quietPeriod(300);
        await assertAlive(socket);
      }
      assert.equal(socket.isOpen, true);
    } finally {
      socket.close();
    }
  });
});

import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createClient, type RealtimeChannel, type SupabaseClient, type SupabaseClientOptions } from '@supabase/supabase-js';
import WebSocket from 'ws';
import type { RealtimeSnapshot } from '../../server/realtime/service.ts';
import type { RunningServer } from '../../server/start.ts';
import { Inbox, listen, quietPeriod, RawSocket, refusedUpgrade, socketUrl, waitFor } from '../support/realtime.ts';
import { LOCAL_ANON_KEY, startTestServer } from '../support/server.ts';

/**
 * Every per-connection Realtime limit, hit by the unmodified supabase-js in Node as a hostile
 * peer would hit it: the exact reply or close Supabase Realtime sends, the drop counted in
 * `GET /flock/stats`, and a well-behaved pair of clients on the same server that sees none of
 * it (every one of its broadcasts arrives, in order, and its sockets never close).
 */

type RealtimeTransport = NonNullable<NonNullable<SupabaseClientOptions<'public'>['realtime']>['transport']>;
type Close = { code: number; reason: string };

/** A supabase-js client whose sockets are recorded: their close codes, and the socket for raw frames. */
interface Watched {
  client: SupabaseClient;
  closes: Close[];
  sockets: WebSocket[];
}

const clients: SupabaseClient[] = [];

function watchedClient(url: string): Watched {
  const closes: Close[] = [];
  const sockets: WebSocket[] = [];
  class Recording extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols);
      sockets.push(this);
      this.on('close', (code, reason) => closes.push({ code, reason: reason.toString('utf8') }));
    }
  }
  const client = createClient(url, LOCAL_ANON_KEY, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { params: { log_level: 'error' }, transport: Recording as unknown as RealtimeTransport },
  });
  clients.push(client);
  return { client, closes, sockets };
}

const room = (what: string): string => `${what}-${randomUUID().slice(0, 8)}`;

/** Subscribes and reports every status the channel goes through. */
function statuses(channel: RealtimeChannel): Inbox<{ status: string; error?: string }> {
  const inbox = new Inbox<{ status: string; error?: string }>(`${channel.topic} statuses`);
  channel.subscribe((status, error) => inbox.push({ status, ...(error ? { error: error.message } : {}) }));
  return inbox;
}

async function joined(channel: RealtimeChannel): Promise<RealtimeChannel> {
  await statuses(channel).next((s) => s.status === 'SUBSCRIBED');
  return channel;
}

async function stats(url: string): Promise<RealtimeSnapshot> {
  const res = await fetch(`${url}/flock/stats`);
  assert.equal(res.status, 200);
  return (await res.json()) as RealtimeSnapshot;
}

/** How much each drop counter grew between two snapshots (only the ones that moved). */
function droppedSince(before: RealtimeSnapshot, now: RealtimeSnapshot): Record<string, number> {
  const grown: Record<string, number> = {};
  for (const [reason, n] of Object.entries(now.dropped)) {
    const delta = n - (before.dropped[reason] ?? 0);
    if (delta > 0) grown[reason] = delta;
  }
  return grown;
}

/**
 * Two well-behaved clients on the same server: one sends a numbered broadcast every 20 ms
 * (50 a second, inside every limit), the other collects them. `check()` stops the sender and
 * proves all of them arrived, in order, with neither socket ever closed.
 */
class Bystanders {
  private timer: NodeJS.Timeout | undefined;
  private sent = 0;
  private constructor(
    private readonly sender: Watched,
    private readonly receiver: Watched,
    private readonly channel: RealtimeChannel,
    private readonly inbox: Inbox<{ payload: { i: number } }>,
  ) {}

  static async start(url: string): Promise<Bystanders> {
    const name = room('calm');
    const sender = watchedClient(url);
    const receiver = watchedClient(url);
    const listening = receiver.client.channel(name);
    const inbox = listen<{ payload: { i: number } }>(listening, 'broadcast', { event: 'tick' });
    await joined(listening);
    const channel = await joined(sender.client.channel(name));
    const bystanders = new Bystanders(sender, receiver, channel, inbox);
    bystanders.timer = setInterval(() => void channel.send({ type: 'broadcast', event: 'tick', payload: { i: bystanders.sent++ } }), 20);
    return bystanders;
  }

  async check(): Promise<void> {
    // It kept sending through whatever the test did (a fast test waits for a few more).
    await waitFor(() => this.sent >= 10, 'ten bystander broadcasts');
    clearInterval(this.timer);
    const last = this.sent - 1;
    await this.inbox.next((m) => m.payload.i === last);
    assert.deepEqual(this.inbox.all.map((m) => m.payload.i), Array.from({ length: this.sent }, (_, i) => i));
    assert.deepEqual([...this.sender.closes, ...this.receiver.closes], [], 'no bystander socket closed');
    assert.equal(this.channel.state, 'joined');
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

async function closeClients(): Promise<void> {
  for (const client of clients.splice(0)) {
    await client.removeAllChannels();
    await client.realtime.disconnect();
  }
}

describe('realtime limits with the default (Supabase Free plan) figures, against supabase-js', () => {
  let server: RunningServer;
  let bystanders: Bystanders;
  let before_: RealtimeSnapshot;

  before(async () => {
    // Supabase's figures, but one address may take the whole server's HTTP broadcast budget: the HTTP test
    // spends all of it from 127.0.0.1 (realtime-fair-shares.test.ts tests the per-address share).
    server = await startTestServer({ realtime: { addressSharePercent: 100 } });
  });
  beforeEach(async () => {
    bystanders = await Bystanders.start(server.url);
    before_ = await stats(server.url);
  });
  afterEach(async () => {
    bystanders.stop();
    await closeClients();
  });
  after(() => server.close());

  it('events: past 100 a second (bursts of 200) the channel is shut down with "Too many messages per second"; what came before was delivered', async () => {
    const name = room('events');
    const receiver = watchedClient(server.url).client.channel(name);
    const received = listen<{ payload: { i: number } }>(receiver, 'broadcast', { event: 'spam' });
    await joined(receiver);
    const hostile = watchedClient(server.url);
    const channel = hostile.client.channel(name);
    const system = listen<Record<string, unknown>>(channel, 'system');
    const states = statuses(channel);
    await states.next((s) => s.status === 'SUBSCRIBED');

    for (let i = 0; i < 400; i++) void channel.send({ type: 'broadcast', event: 'spam', payload: { i } });

    assert.deepEqual(await system.next(), { extension: 'system', status: 'error', message: 'Too many messages per second', channel: name });
    await states.next((s) => s.status === 'CLOSED');
    const now = await stats(server.url);
    const dropped = droppedSince(before_, now);
    assert.equal(dropped.rate_limited, 1, 'the push that broke the limit');
    const delivered = received.all.length;
    assert.ok(delivered >= 200 && delivered < 400, `${delivered} delivered`);
    assert.deepEqual(received.all.map((m) => m.payload.i), Array.from({ length: delivered }, (_, i) => i));
    // Everything after the shutdown is for a channel that no longer exists.
    assert.equal((dropped.unmatched_topic ?? 0) + delivered + 1, 400);
    assert.deepEqual(hostile.closes, [], 'the socket itself stays open');
    await bystanders.check();
  });

  it('events over HTTP count for the whole project: past 100 a second, 429 with Supabase\'s messages, nothing delivered, counted', async () => {
    const name = room('http');
    const receiver = watchedClient(server.url).client.channel(name);
    const received = listen<{ payload: { i: number } }>(receiver, 'broadcast', { event: 'post' });
    await joined(receiver);
    const post = async (count: number, from: number): Promise<{ status: number; message?: string }> => {
      const response = await fetch(`${server.url}/realtime/v1/api/broadcast`, {
        method: 'POST',
        headers: { apikey: LOCAL_ANON_KEY, Authorization: `Bearer ${LOCAL_ANON_KEY}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ messages: Array.from({ length: count }, (_, i) => ({ topic: name, event: 'post', payload: { i: from + i } })) }),
      });
      const text = await response.text();
      return { status: response.status, ...(text ? (JSON.parse(text) as { message?: string }) : {}) };
    };
    // A batch bigger than a second's budget is refused whole, whenever it comes.
    assert.deepEqual(await post(101, -1000), { status: 429, message: 'Too many messages to broadcast, please reduce the batch size' });
    // A full second's budget, then one more in the same second. (A second can end between the
    // two on a stalled machine: then the pair is tried again.) Accepted posts number 0, 1, 2, …
    let refused: { status: number; message?: string } | undefined;
    let delivered = 0;
    for (let attempt = 0; attempt < 3 && refused?.status !== 429; attempt++) {
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal((await post(100, delivered)).status, 202);
      delivered += 100;
      refused = await post(1, delivered);
      if (refused.status === 202) delivered++;
    }
    assert.deepEqual(refused, { status: 429, message: 'You have exceeded your rate limit' });
    await received.next((m) => m.payload.i === delivered - 1);
    await new Promise((r) => setTimeout(r, 200));
    // Exactly what was accepted, once each: nothing of the refused batch or the refused post.
    assert.deepEqual(received.all.map((m) => m.payload.i).sort((x, y) => x - y), Array.from({ length: delivered }, (_, i) => i));
    const after = await stats(server.url);
    assert.ok((after.dropped.rate_limited ?? 0) - (before_.dropped.rate_limited ?? 0) >= 102, 'both refusals counted as rate limited');
    await bystanders.check();
  });

  it('presence events: a channel tracking a sixth time in 30 s is shut down with "Client presence rate limit exceeded"', async () => {
    const channel = watchedClient(server.url).client.channel(room('presence-calls'), { config: { presence: { key: 'mallory' } } });
    const system = listen<Record<string, unknown>>(channel, 'system');
    const states = statuses(channel);
    await states.next((s) => s.status === 'SUBSCRIBED');

    const tracks = Array.from({ length: 6 }, (_, i) => channel.track({ i }));

    assert.deepEqual((await system.next()).message, 'Client presence rate limit exceeded');
    assert.deepEqual(await Promise.all(tracks.slice(0, 5)), Array(5).fill('ok'));
    await states.next((s) => s.status === 'CLOSED');
    assert.deepEqual(droppedSince(before_, await stats(server.url)), { rate_limited: 1 });
    await bystanders.check();
  });

  it('presence events: past 20 a second on one connection the channel that broke it is shut down with "Too many presence messages per second"', async () => {
    const hostile = watchedClient(server.url);
    const channels = await Promise.all(
      Array.from({ length: 5 }, (_, c) => joined(hostile.client.channel(room(`presence-${c}`), { config: { presence: { key: 'mallory' } } }))),
    );
    const systems = channels.map((channel) => listen<Record<string, unknown>>(channel, 'system'));

    // 25 tracks, channel by channel: five each (inside the per-channel limit); the 21st is the fifth channel's first.
    const results = channels.flatMap((channel) => Array.from({ length: 5 }, (_, i) => channel.track({ i })));

    assert.deepEqual((await systems[4]!.next()).message, 'Too many presence messages per second');
    assert.deepEqual(await Promise.all(results.slice(0, 20)), Array(20).fill('ok'));
    assert.deepEqual(channels.map((c) => c.state), ['joined', 'joined', 'joined', 'joined', 'closed']);
    assert.deepEqual(systems.slice(0, 4).map((s) => s.all.length), [0, 0, 0, 0]);
    assert.equal(droppedSince(before_, await stats(server.url)).rate_limited, 1);
    assert.deepEqual(hostile.closes, []);
    await bystanders.check();
  });

  it('payload bytes: a 300 KB or 1 MB broadcast is dropped (acked: "error", i.e. payload_size_exceeded); the channel and the socket stay', async () => {
    const name = room('payload');
    const receiver = watchedClient(server.url).client.channel(name);
    const received = listen<{ event: string }>(receiver, 'broadcast', { event: '*' });
    await joined(receiver);
    const hostile = watchedClient(server.url);
    const acked = await joined(hostile.client.channel(name, { config: { broadcast: { ack: true } } }));

    assert.equal(await acked.send({ type: 'broadcast', event: 'huge', payload: { blob: 'x'.repeat(300 * 1024) } }), 'error');
    assert.equal(await acked.send({ type: 'broadcast', event: 'megabyte', payload: { blob: 'x'.repeat(1_000_000) } }), 'error');
    assert.equal(await acked.send({ type: 'broadcast', event: 'small', payload: {} }), 'ok');

    await received.next((m) => m.event === 'small');
    assert.deepEqual(received.all.map((m) => m.event), ['small']);
    assert.deepEqual(droppedSince(before_, await stats(server.url)), { too_large: 2 });
    assert.deepEqual(hostile.closes, []);
    await bystanders.check();
  });

  it('payload bytes: a 300 KB presence track shuts the channel down with "Track message size exceeded"', async () => {
    const channel = watchedClient(server.url).client.channel(room('track-size'), { config: { presence: { key: 'mallory' } } });
    const system = listen<Record<string, unknown>>(channel, 'system');
    const states = statuses(channel);
    await states.next((s) => s.status === 'SUBSCRIBED');

    void channel.track({ blob: 'x'.repeat(300 * 1024) });

    assert.equal((await system.next()).message, 'Track message size exceeded');
    await states.next((s) => s.status === 'CLOSED');
    assert.deepEqual(droppedSince(before_, await stats(server.url)), { too_large: 1 });
    await bystanders.check();
  });

  it('frame bytes: a frame over 1 MiB closes the socket with 1009, counted; supabase-js reconnects and rejoins', async () => {
    const name = room('frame');
    const hostile = watchedClient(server.url);
    const channel = hostile.client.channel(name);
    const states = statuses(channel);
    await states.next((s) => s.status === 'SUBSCRIBED');

    void channel.send({ type: 'broadcast', event: 'too-big', payload: { blob: 'x'.repeat(1100 * 1024) } });

    await waitFor(() => hostile.closes.length > 0, 'the close');
    assert.equal(hostile.closes[0]!.code, 1009);
    assert.deepEqual(droppedSince(before_, await stats(server.url)), { too_large: 1 });
    await waitFor(() => hostile.sockets.length === 2 && channel.state === 'joined', 'a new socket and the channel joined again', 10_000);
    await bystanders.check();
  });

  it('joins: past 100 a second the join is refused with ClientJoinRateLimitReached and the socket closed with 1001', async () => {
    const hostile = watchedClient(server.url);
    const outcomes = Array.from({ length: 101 }, (_, i) => statuses(hostile.client.channel(room(`join-${i}`))));

    const first = await Promise.all(outcomes.map((o) => o.next()));

    assert.deepEqual(first.slice(0, 100).map((s) => s.status), Array(100).fill('SUBSCRIBED'));
    assert.deepEqual(first[100], { status: 'CHANNEL_ERROR', error: 'ClientJoinRateLimitReached: Too many joins per second' });
    await waitFor(() => hostile.closes.length > 0, 'the close');
    assert.deepEqual(hostile.closes[0], { code: 1001, reason: 'Too many joins per second' });
    assert.deepEqual(droppedSince(before_, await stats(server.url)), { rate_limited: 1 });
    // supabase-js would now rejoin all 101 on a new socket and be refused again: stop it here.
    await hostile.client.removeAllChannels();
    await bystanders.check();
  });

  it('JSON nested past 64 levels closes the socket with 1007 (counted) and the room stays usable', async () => {
    const name = room('deep');
    const hostile = watchedClient(server.url);
    const channel = await joined(hostile.client.channel(name, { config: { presence: { key: 'mallory' } } }));
    const depth = 10_000;

    // supabase-js cannot encode this itself (JSON.stringify overflows), so it goes over its socket raw.
    hostile.sockets[0]!.send(`[null,"99","${channel.topic}","presence",{"type":"presence","event":"track","payload":{"d":${'['.repeat(depth)}${']'.repeat(depth)}}}]`);

    await waitFor(() => hostile.closes.length > 0, 'the close');
    assert.equal(hostile.closes[0]!.code, 1007);
    assert.match(hostile.closes[0]!.reason, /nests deeper than 64 levels/);
    assert.deepEqual(droppedSince(before_, await stats(server.url)), { malformed: 1 });
    // Before the bound, the meta was kept and every later join of the room crashed encoding its presence_state.
    const later = watchedClient(server.url).client.channel(name, { config: { presence: { key: 'later', enabled: true } } });
    await joined(later);
    await later.track({ here: true });
    await waitFor(() => Object.keys(later.presenceState()).includes('later'), 'its own presence');
    await bystanders.check();
  });
});

describe('realtime limits: channels per connection (joins per second raised to reach it)', () => {
  let server: RunningServer;

  before(async () => {
    server = await startTestServer({ realtime: { maxJoinsPerSecond: 10_000 } });
  });
  after(async () => {
    await closeClients();
    await server.close();
  });

  it('refuses the 101st channel on one socket with ChannelRateLimitReached and keeps the socket', async () => {
    const bystanders = await Bystanders.start(server.url);
    const before_ = await stats(server.url);
    const hostile = watchedClient(server.url);
    const outcomes = Array.from({ length: 101 }, (_, i) => statuses(hostile.client.channel(room(`chan-${i}`))));

    const first = await Promise.all(outcomes.map((o) => o.next()));

    assert.deepEqual(first.slice(0, 100).map((s) => s.status), Array(100).fill('SUBSCRIBED'));
    assert.deepEqual(first[100], { status: 'CHANNEL_ERROR', error: 'ChannelRateLimitReached: Too many channels' });
    assert.deepEqual(droppedSince(before_, await stats(server.url)), { rate_limited: 1 });
    assert.deepEqual(hostile.closes, []);
    await hostile.client.removeAllChannels();
    await bystanders.check();
  });
});

describe('realtime limits: concurrent users, for the whole server (a cap of 3)', () => {
  let server: RunningServer;

  before(async () => {
    // Every client here connects from 127.0.0.1: the address share is off so one address may take the whole cap
    // (realtime-fair-shares.test.ts tests the share).
    server = await startTestServer({ realtime: { maxConcurrentUsers: 3, addressSharePercent: 100 } });
  });
  afterEach(async () => {
    await closeClients();
    await waitFor(() => server.realtime.snapshot().users === 0, 'every user slot free again');
  });
  after(() => server.close());

  /** Three supabase-js clients joined to one room, each collecting its broadcasts. */
  async function threeUsers(name: string): Promise<{ users: Watched[]; inboxes: Inbox<{ payload: { from: number } }>[]; channels: RealtimeChannel[] }> {
    const users = [watchedClient(server.url), watchedClient(server.url), watchedClient(server.url)];
    const inboxes: Inbox<{ payload: { from: number } }>[] = [];
    const channels = await Promise.all(
      users.map((user) => {
        const channel = user.client.channel(name);
        inboxes.push(listen<{ payload: { from: number } }>(channel, 'broadcast', { event: 'hello' }));
        return joined(channel);
      }),
    );
    return { users, inboxes, channels };
  }

  it('a socket opened below the cap is refused at join with ConnectionRateLimitReached (socket kept); the three keep talking; when one leaves, the retry gets in', async () => {
    const name = room('users');
    // Opened while nobody has joined: only sockets holding a channel count, as in Realtime.
    const late = watchedClient(server.url);
    late.client.realtime.connect();
    const raw = await RawSocket.open(server.url);
    await waitFor(() => late.sockets[0]?.readyState === WebSocket.OPEN, 'the late socket open');
    const { users, inboxes, channels } = await threeUsers(name);
    // A socket already counted may join more channels.
    await joined(users[0]!.client.channel(room('second')));
    const before_ = await stats(server.url);
    assert.equal(before_.users, 3);

    const { reply } = await raw.join(name);
    const lateChannel = late.client.channel(name);
    const lateInbox = listen<{ payload: { from: number } }>(lateChannel, 'broadcast', { event: 'hello' });
    const lateStatuses = statuses(lateChannel);
    const refused = await lateStatuses.next();

    assert.deepEqual(reply.payload, { status: 'error', response: { reason: 'ConnectionRateLimitReached: Too many connected users' } });
    assert.deepEqual(refused, { status: 'CHANNEL_ERROR', error: 'ConnectionRateLimitReached: Too many connected users' });
    const now = await stats(server.url);
    assert.deepEqual(droppedSince(before_, now), { rate_limited: 2 });
    assert.equal(now.users, 3);
    assert.equal(raw.isOpen, true, 'the refused socket stays open');
    assert.deepEqual(late.closes, []);
    // The three are untouched: each one's broadcast reaches the other two.
    for (const [i, channel] of channels.entries()) await channel.send({ type: 'broadcast', event: 'hello', payload: { from: i } });
    for (const [i, inbox] of inboxes.entries()) {
      await waitFor(() => inbox.all.length === 2, `user ${i} hearing the other two`);
      assert.deepEqual(inbox.all.map((m) => m.payload.from).sort(), [0, 1, 2].filter((from) => from !== i));
    }

    // One of the three goes away: the late client's own retry (supabase-js rejoins after 1, 2, 5 s) gets its slot.
    await users[2]!.client.removeAllChannels();
    await lateStatuses.next((s) => s.status === 'SUBSCRIBED', 15_000);
    await channels[1]!.send({ type: 'broadcast', event: 'hello', payload: { from: 1 } });
    assert.deepEqual((await lateInbox.next()).payload, { from: 1 });
    await inboxes[0]!.next((m) => m.payload.from === 1);
    assert.equal((await stats(server.url)).users, 3);
    raw.close();
  });

  it('four sockets joining at the same moment: three get in, one is refused, never four', async () => {
    const sockets = await Promise.all(Array.from({ length: 4 }, () => RawSocket.open(server.url)));
    try {
      const name = room('race');
      // A join with an access_token (as supabase-js sends) awaits its verification (WebCrypto,
      // off the main thread) before it is granted: the cap must hold across that await.
      const refs = sockets.map((socket) => socket.push(`realtime:${name}`, 'phx_join', { config: {}, access_token: LOCAL_ANON_KEY }));
      const replies = await Promise.all(sockets.map((socket, i) => socket.reply(refs[i]!)));

      const outcomes = replies.map((reply) => reply.payload as { status: string; response: { reason?: string } });
      assert.deepEqual(outcomes.map((o) => o.status).sort(), ['error', 'ok', 'ok', 'ok']);
      assert.equal(outcomes.find((o) => o.status === 'error')!.response.reason, 'ConnectionRateLimitReached: Too many connected users');
      assert.equal(server.realtime.snapshot().users, 3);
    } finally {
      sockets.forEach((socket) => socket.close());
    }
  });

  it('with three sockets joined, a new socket is refused at the upgrade: 429 {"error":"Too many connected users"}, counted; supabase-js reconnects and gets in once one leaves', async () => {
    const name = room('upgrade');
    const { users, inboxes, channels } = await threeUsers(name);
    const before_ = await stats(server.url);

    assert.deepEqual(await refusedUpgrade(socketUrl(server.url, { apikey: LOCAL_ANON_KEY, vsn: '2.0.0' })), {
      status: 429,
      body: '{"error":"Too many connected users"}',
    });
    assert.equal((await stats(server.url)).connectionsRefused - before_.connectionsRefused, 1);

    const newcomer = watchedClient(server.url);
    const channel = newcomer.client.channel(name);
    const inbox = listen<{ payload: { from: number } }>(channel, 'broadcast', { event: 'hello' });
    const states = statuses(channel);
    assert.equal((await states.next()).status, 'CHANNEL_ERROR');
    await waitFor(() => newcomer.closes.length > 0, 'the failed handshake reported');
    assert.equal(newcomer.closes[0]!.code, 1006, 'the handshake failed: no WebSocket close frame');
    assert.ok((await stats(server.url)).connectionsRefused - before_.connectionsRefused >= 2);
    await channels[0]!.send({ type: 'broadcast', event: 'hello', payload: { from: 0 } });
    await inboxes[1]!.next((m) => m.payload.from === 0);
    await inboxes[2]!.next((m) => m.payload.from === 0);

    await users[0]!.client.realtime.disconnect();
    await states.next((s) => s.status === 'SUBSCRIBED', 20_000);
    await channels[1]!.send({ type: 'broadcast', event: 'hello', payload: { from: 1 } });
    await inbox.next((m) => m.payload.from === 1);
    await inboxes[2]!.next((m) => m.payload.from === 1);
    assert.equal((await stats(server.url)).users, 3);
  });
});

describe('realtime limits: sockets without a channel (noChannelTimeoutMs 400, one user)', () => {
  let server: RunningServer;

  before(async () => {
    server = await startTestServer({ realtime: { maxConcurrentUsers: 1, noChannelTimeoutMs: 400 } });
  });
  after(() => server.close());

  /** Sends a heartbeat every 100 ms, so only the no-channel timeout can close the socket. */
  function keepAlive(socket: RawSocket): NodeJS.Timeout {
    return setInterval(() => socket.isOpen && socket.push('phoenix', 'heartbeat', {}), 100);
  }

  it('a socket that never joins is closed (1000 "no channel joined") though it heartbeats; one that left its last channel too, which frees its user slot', async () => {
    const idle = await RawSocket.open(server.url);
    const member = await RawSocket.open(server.url);
    const beats = [keepAlive(idle), keepAlive(member)];
    try {
      const { topic, joinRef, reply } = await member.join(room('left'));
      assert.equal((reply.payload as { status: string }).status, 'ok');
      assert.equal(server.realtime.snapshot().users, 1);

      assert.deepEqual(await idle.closed, { code: 1000, reason: 'no channel joined' });
      // Joined, it outlives the timeout.
      await quietPeriod(800);
      assert.equal(member.isOpen, true);

      member.push(topic, 'phx_leave', {}, { joinRef });
      assert.deepEqual(await member.closed, { code: 1000, reason: 'no channel joined' });
      assert.equal(server.realtime.snapshot().users, 0);
      await joined(watchedClient(server.url).client.channel(room('next')));
    } finally {
      beats.forEach(clearInterval);
      await closeClients();
    }
  });
});

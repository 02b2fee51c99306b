import type { RealtimeChannel, SupabaseClient, SupabaseClientOptions } from '@supabase/supabase-js';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { LOCAL_ANON_KEY } from '../../server/auth/keys.ts';

/**
 * Peers for the hostile-peer browser test, run in the test runner's Node process (through
 * `wtr-hostile-commands.mjs`) with the unmodified supabase-js: hostile ones that flood a room
 * with everything a page must survive, and a calm one whose traffic must still arrive. The
 * flood benchmark (bench/flood.bench.ts) drives the same scene to time the page under it.
 */

type RealtimeTransport = NonNullable<NonNullable<SupabaseClientOptions<'public'>['realtime']>['transport']>;
type Meta = Record<string, unknown>;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** One supabase-js client signed in anonymously, in the room's channel, its sockets recorded. */
export class Peer {
  readonly closes: number[] = [];
  readonly systemMessages: string[] = [];
  joins = 0;
  channel: RealtimeChannel | undefined;
  private readonly sockets: WebSocket[] = [];

  private constructor(
    readonly client: SupabaseClient,
    readonly id: string,
    readonly topic: string,
  ) {}

  static async open(url: string, room: string, name: string): Promise<Peer> {
    const sockets: WebSocket[] = [];
    const closes: number[] = [];
    class Recording extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols);
        sockets.push(this);
        this.on('close', (code) => closes.push(code));
      }
    }
    const client = createClient(url, LOCAL_ANON_KEY, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      realtime: { params: { log_level: 'error' }, transport: Recording as unknown as RealtimeTransport },
    });
    const { data, error } = await client.auth.signInAnonymously({ options: { data: { name } } });
    if (error || !data.user) throw new Error(`sign-in failed: ${error?.message ?? 'no user'}`);
    const peer = new Peer(client, data.user.id, `flock:${room}`);
    Object.assign(peer, { sockets, closes });
    return peer;
  }

  /** A valid v1 presence meta for this peer. */
  meta(name: string): Meta {
    return { v: 1, id: this.id, name, color: '#7c3aed', status: 'active', since: Date.now() };
  }

  /** (Re)joins the room's channel with this peer's id as presence key; resolves once joined. */
  async join(): Promise<RealtimeChannel> {
    if (this.channel) await this.client.removeChannel(this.channel);
    const channel = this.client.channel(this.topic, { config: { presence: { key: this.id } } });
    channel.on('system', {}, (payload: { message?: string; status?: string }) => {
      if (payload.status === 'error' && payload.message) this.systemMessages.push(payload.message);
    });
    this.channel = channel;
    await new Promise<void>((resolve, reject) =>
      channel.subscribe((status, err) => {
        if (status === 'SUBSCRIBED') resolve();
        else if (status !== 'CLOSED') reject(new Error(`${status}: ${err?.message ?? ''}`));
      }),
    );
    this.joins++;
    return channel;
  }

  get joined(): boolean {
    return this.channel?.state === 'joined';
  }

  /** Over the socket only: a channel that is not joined would fall back to the REST endpoint. */
  send(event: string, payload: unknown): boolean {
    if (!this.joined) return false;
    void this.channel!.send({ type: 'broadcast', event, payload });
    return true;
  }

  /** A frame written straight to supabase-js's socket, for what its encoder cannot produce. */
  raw(frame: string): boolean {
    const socket = this.sockets.at(-1);
    if (socket?.readyState !== WebSocket.OPEN) return false;
    socket.send(frame);
    return true;
  }

  async close(): Promise<void> {
    await this.client.removeAllChannels();
    await this.client.realtime.disconnect();
  }
}

/** The scene's cast, each on a socket of its own: a calm peer (Bo), two stormers, a forger and a giant. */
export interface HostileGroup {
  calm: Peer;
  stormers: Peer[];
  forger: Peer;
  giant: Peer;
}

/** Opens and joins the cast in `room`; Bo and the stormers tracked with valid presence (the forger and the giant stay absent). */
export async function openHostileGroup(url: string, room: string): Promise<HostileGroup> {
  const all = await Promise.all(['Bo', 'Mallory', 'Mallory', 'Forger', 'Giant'].map((name) => Peer.open(url, room, name)));
  const [calm, stormerA, stormerB, forger, giant] = all as [Peer, Peer, Peer, Peer, Peer];
  try {
    await Promise.all(all.map((p) => p.join()));
    await Promise.all([calm.channel!.track(calm.meta('Bo')), stormerA.channel!.track(stormerA.meta('Mallory')), stormerB.channel!.track(stormerB.meta('Mallory'))]);
  } catch (error) {
    await Promise.all(all.map((p) => p.close()));
    throw error;
  }
  return { calm, stormers: [stormerA, stormerB], forger, giant };
}

export async function closeHostileGroup(group: HostileGroup): Promise<void> {
  await Promise.all([group.calm, ...group.stormers, group.forger, group.giant].map((p) => p.close()));
}

/** What the hostile peers sent and what the server answered them. */
export interface FloodReport {
  sent: Record<string, number>;
  /** Channel shutdowns the server announced (`system` errors), by message. */
  shutdowns: Record<string, number>;
  /** Socket close codes the hostile clients saw. */
  closes: number[];
  /** Rejoins after a shutdown or a closed socket, per role. */
  joins: { stormers: number; forger: number; giant: number };
}

/** Malformed cursor and typing payloads: wrong types, out of range, extra keys, markup, wrong version. */
function malformed(id: string, victim: string, i: number): Array<[string, unknown]> {
  return [
    ['cursor', { v: 1, id, x: null, y: 0.5 }],
    ['cursor', { v: 1, id, x: '0.5', y: 0.5 }],
    ['cursor', { v: 1, id, x: 1e308, y: -1 }],
    ['cursor', { v: 2, id, x: 0.5, y: 0.5 }],
    ['cursor', { v: 1, id, x: 0.5, y: 0.5, html: '<img src=x onerror=alert(1)>' }],
    ['cursor', { v: 1, id: `nobody-${i}`, x: 0.5, y: 0.5 }],
    ['cursor', { v: 1, id: 'x'.repeat(10_000), x: 0.5, y: 0.5 }],
    ['cursor', [1, 2, 3]],
    ['cursor', 'just a string'],
    ['cursor', JSON.parse(`{"__proto__":{"polluted":true},"v":1,"id":${JSON.stringify(id)},"x":0.1,"y":0.1}`)],
    ['typing', { v: 1, id, typing: 'yes' }],
    ['typing', { v: 1, id: victim, typing: 1 }],
    ['typing', { v: 1, id, typing: true, extra: 1 }],
    ['__proto__', { v: 1, id, x: 0.5, y: 0.5 }],
    ['constructor', { v: 1, id, typing: true }],
  ];
}

/** Forged or invalid presence metas: someone else's id under the forger's key, bad fields, too many keys. */
function forgedMetas(victims: string[], self: string): Meta[] {
  const since = Date.now();
  return [
    ...victims.map((id) => ({ v: 1, id, name: 'Impostor', color: '#000000', status: 'active', since })),
    { v: 1, id: self, name: 'x'.repeat(5000), color: '#000000', status: 'active', since },
    { v: 1, id: self, name: 'Bad colour', color: 'red; background:url(x)', status: 'active', since },
    { v: 1, id: self, name: 'Script', color: '#000000', status: 'active', since, avatar: 'javascript:alert(1)' },
    { v: 1, id: self, name: 'Future', color: '#000000', status: 'active', since: since + 10 * 24 * 3600_000 },
    Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`k${k}`, k])),
  ];
}

/**
 * Floods the room for `ms` from four hostile peers, each on its own socket:
 * - `stormers` (valid presence): cursor and typing storms with their own ids, far past 30 a
 *   second, interleaved with malformed payloads and 200 KB junk; rejoin whenever the server
 *   shuts their channel down for the rate;
 * - `forger`: presence metas forged for the victims' ids or invalid, re-tracked until the
 *   server's presence limit shuts the channel, then rejoined;
 * - `giant`: 1 MB payloads (dropped by the server), frames over 1 MiB (socket closed, 1009),
 *   JSON nested 10,000 deep and garbage text (1007); supabase-js reconnects each time.
 */
export async function flood(peers: { stormers: Peer[]; forger: Peer; giant: Peer }, victims: string[], ms: number): Promise<FloodReport> {
  const sent: Record<string, number> = {};
  const count = (what: string, n = 1) => (sent[what] = (sent[what] ?? 0) + n);
  const end = Date.now() + ms;
  const all = [...peers.stormers, peers.forger, peers.giant];
  const joinsOf = () => ({ stormers: peers.stormers.reduce((n, p) => n + p.joins, 0), forger: peers.forger.joins, giant: peers.giant.joins });
  const joinsBefore = joinsOf();
  const closesBefore = all.map((p) => p.closes.length);
  const rejoin = async (peer: Peer, track?: () => Meta) => {
    if (peer.joined) return;
    await peer.join().catch(() => undefined);
    if (track && peer.joined) void peer.channel!.track(track());
  };

  const storm = async (peer: Peer) => {
    for (let i = 0; Date.now() < end; i++) {
      await rejoin(peer, () => peer.meta('Mallory'));
      for (let k = 0; k < 40; k++) {
        if (peer.send('cursor', { v: 1, id: peer.id, x: Math.random(), y: Math.random() })) count('cursor storm');
        // Mostly "still typing", which changes nothing on screen; now and then a stop.
        if (k % 4 === 0 && peer.send('typing', { v: 1, id: peer.id, typing: k !== 36 })) count('typing storm');
      }
      for (const [event, payload] of malformed(peer.id, victims[0]!, i)) if (peer.send(event, payload)) count('malformed');
      if (i % 5 === 0 && peer.send('cursor', { v: 1, id: peer.id, x: 0.5, y: 0.5, junk: 'x'.repeat(200 * 1024) })) count('200 KB junk');
      await sleep(20);
    }
  };

  const forge = async () => {
    const peer = peers.forger;
    for (let i = 0; Date.now() < end; i++) {
      await rejoin(peer);
      for (const meta of forgedMetas(victims, peer.id)) {
        if (!peer.joined) break;
        void peer.channel!.track(meta);
        count('forged presence');
      }
      if (peer.send('cursor', { v: 1, id: victims[0], x: 0.99, y: 0.99 })) count('cursor as the page user');
      await sleep(50);
    }
  };

  const giant = async () => {
    const peer = peers.giant;
    // Each kind in turn, moving on only once it went out (the socket may be reconnecting).
    for (let i = 0; Date.now() < end; ) {
      await rejoin(peer);
      const topic = `realtime:${peer.topic}`;
      const kinds: Array<[string, () => boolean]> = [
        ['1 MB payload', () => peer.send('cursor', { blob: 'x'.repeat(1_000_000) })],
        ['frame over 1 MiB', () => peer.send('cursor', { blob: 'x'.repeat(1100 * 1024) })],
        ['JSON 10,000 deep', () => peer.raw(`[null,"${i}","${topic}","presence",{"type":"presence","event":"track","payload":{"d":${'['.repeat(10_000)}${']'.repeat(10_000)}}}]`)],
        ['garbage frame', () => peer.raw('{"not": phoenix')],
      ];
      const [kind, send] = kinds[i % kinds.length]!;
      if (peer.joined && send()) {
        count(kind);
        i++;
      }
      // Wait for supabase-js to come back if the server closed its socket.
      const deadline = Date.now() + 3000;
      await sleep(100);
      while (!peer.joined && Date.now() < Math.min(deadline, end)) await sleep(50);
    }
  };

  await Promise.all([...peers.stormers.map(storm), forge(), giant()]);
  const shutdowns: Record<string, number> = {};
  for (const peer of all) for (const m of peer.systemMessages.splice(0)) shutdowns[m] = (shutdowns[m] ?? 0) + 1;
  return {
    sent,
    shutdowns,
    closes: all.flatMap((p, i) => p.closes.slice(closesBefore[i])),
    joins: { stormers: joinsOf().stormers - joinsBefore.stormers, forger: joinsOf().forger - joinsBefore.forger, giant: joinsOf().giant - joinsBefore.giant },
  };
}

/**
 * The calm peer during the flood: a cursor move every 100 ms and a chat message every
 * second, all within every limit. Returns what it sent.
 */
export async function behave(peer: Peer, room: string, ms: number): Promise<{ cursors: number; last: { x: number; y: number }; messages: string[] }> {
  const end = Date.now() + ms;
  const messages: string[] = [];
  let cursors = 0;
  let last = { x: 0, y: 0 };
  for (let i = 0; Date.now() < end; i++) {
    last = { x: ((i * 7) % 10) / 10 + 0.05, y: ((i * 3) % 10) / 10 + 0.05 };
    if (peer.send('cursor', { v: 1, id: peer.id, ...last })) cursors++;
    if (i % 10 === 0) {
      const body = `calm message ${messages.length + 1}`;
      const { error } = await peer.client.from('flock_messages').insert({ id: crypto.randomUUID(), room, author_name: 'Bo', body });
      if (error) throw new Error(`insert failed: ${error.message}`);
      messages.push(body);
    }
    await sleep(100);
  }
  return { cursors, last, messages };
}

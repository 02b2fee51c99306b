import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { SupabaseClient } from '@supabase/supabase-js';
import { FLOCK_BIN, startCommand, type ChildServer } from '../test/support/child-server.ts';
import { signIn } from './support/anonymous-client.ts';
import { clockTicks, printUsage, serverCpuTicks, watchProcesses } from './support/process-usage.ts';
import { startGuardedServer } from './support/load-server.ts';
import { broadcastLoad } from './support/realtime-load.ts';
import { summarize, type LatencySummary } from './support/stats.ts';

/**
 * What one chat message costs the local server, as a function of how many postgres_changes
 * subscribers it goes to: a signed-in writer inserts into `flock_messages` over REST (as
 * `<flock-chat>` does) while N signed-in supabase-js clients, each its own user, listen with
 * the chat's binding (`event: *`, `room=eq.<room>`). The server runs in a process of its own;
 * the clients share this one. For each N:
 * (a) one insert at a time, each waited for until every subscriber has it: the POST's round
 *     trip, and the feed's own time per change from the server's counters (`/flock/stats`,
 *     `postgresChanges.dbMs`: the database held to work out who may see it; `sendMs`: frames
 *     handed to sockets), then the rest of the way to the last subscriber;
 * (b) inserts kept in flight for a few seconds: the rate the server sustains, and latency.
 * The fourth case is the load bench's shape: 200 subscribers in 20 rooms, inserts across rooms.
 * Last, the chat beside cursor traffic the size of the load bench's (40 clients broadcasting
 * at 20 Hz in one room, ~31,000 deliveries a second, from two worker threads): 20 inserts a
 * second across 5 rooms of 10 subscribers, to tell the chat's own cost from the machine's.
 *
 * `FLOCK_BENCH_CPU_PROF=<dir>` runs the server under `node --cpu-prof` and leaves its profile there.
 */

interface Case {
  label: string;
  rooms: number;
  perRoom: number;
}
const CASES: Case[] = [
  { label: '0 subscribers', rooms: 1, perRoom: 0 },
  { label: '10 subscribers', rooms: 1, perRoom: 10 },
  { label: '50 subscribers', rooms: 1, perRoom: 50 },
  { label: '200 subscribers in 20 rooms', rooms: 20, perRoom: 10 },
];
const SERIAL_INSERTS = 100;
const SUSTAINED = { inFlight: 8, ms: 6000, drainMs: 20_000 };

const now = (): number => performance.timeOrigin + performance.now();
const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;
const line = (l: LatencySummary): string => `p50 ${l.p50} ms, p95 ${l.p95} ms, p99 ${l.p99} ms, max ${l.max} ms`;

interface FeedCounts {
  changes: number;
  messages: number;
  batches: number;
  dbMs: number;
  sendMs: number;
}

async function feedCounts(url: string): Promise<FeedCounts> {
  const response = await fetch(`${url}/flock/stats`);
  const stats = (await response.json()) as { postgresChanges: Partial<FeedCounts> };
  const c = stats.postgresChanges;
  return { changes: c.changes ?? 0, messages: c.messages ?? 0, batches: c.batches ?? 0, dbMs: c.dbMs ?? 0, sendMs: c.sendMs ?? 0 };
}

const diff = (a: FeedCounts, b: FeedCounts): FeedCounts => ({
  changes: b.changes - a.changes,
  messages: b.messages - a.messages,
  batches: b.batches - a.batches,
  dbMs: b.dbMs - a.dbMs,
  sendMs: b.sendMs - a.sendMs,
});

/** Every insert in flight: when it was sent, how many subscribers should get it, and who has. */
class Tracker {
  private readonly pending = new Map<string, { sentAt: number; expected: number; received: number; done?: () => void }>();
  readonly latencies: number[] = [];
  lastReceiptAt = 0;

  sent(id: string, expected: number): Promise<void> {
    return new Promise((resolve) => {
      if (expected === 0) return resolve();
      this.pending.set(id, { sentAt: now(), expected, received: 0, done: resolve });
    });
  }

  forget(id: string): void {
    this.pending.get(id)?.done?.();
    this.pending.delete(id);
  }

  received(id: string): void {
    const at = now();
    const p = this.pending.get(id);
    if (!p) return;
    this.latencies.push(at - p.sentAt);
    this.lastReceiptAt = at;
    if (++p.received === p.expected) {
      this.pending.delete(id);
      p.done?.();
    }
  }

  get outstanding(): number {
    return this.pending.size;
  }

  reset(): void {
    this.latencies.length = 0;
    this.pending.clear();
  }
}

async function subscribe(client: SupabaseClient, room: string, tracker: Tracker): Promise<void> {
  const channel = client.channel(`flock:${room}`).on(
    'postgres_changes',
    { event: '*', schema: 'public', table: 'flock_messages', filter: `room=eq.${room}` },
    (change) => tracker.received((change.new as { id: string }).id),
  );
  await new Promise<void>((resolve, reject) =>
    channel.subscribe((status, error) => {
      if (status === 'SUBSCRIBED') resolve();
      else if (status !== 'CLOSED') reject(new Error(`${room}: ${status} ${error?.message ?? ''}`));
    }),
  );
}

async function runCase(url: string, pid: number, c: Case, tag: string): Promise<Record<string, unknown>> {
  const subscribers = c.rooms * c.perRoom;
  console.log(`${c.label}:`);
  const clients: SupabaseClient[] = [];
  const tracker = new Tracker();
  const rooms = Array.from({ length: c.rooms }, (_, i) => `chat-insert-${tag}-${i}`);
  try {
    const subs = await Promise.all(Array.from({ length: subscribers }, (_, i) => signIn(url, `sub${i}`, clients)));
    for (let i = 0; i < subs.length; i += 25) await Promise.all(subs.slice(i, i + 25).map((s, j) => subscribe(s, rooms[(i + j) % c.rooms]!, tracker)));
    const writer = await signIn(url, 'writer', clients);
    let next = 0;
    const insert = async (): Promise<{ ok: boolean; ms: number; delivered: Promise<void> }> => {
      const id = randomUUID();
      const room = rooms[next++ % rooms.length]!;
      const delivered = tracker.sent(id, c.perRoom);
      const t0 = now();
      const { error } = await writer.from('flock_messages').insert({ id, room, body: `bench ${id}` });
      const ms = now() - t0;
      if (error) tracker.forget(id);
      return { ok: !error, ms, delivered };
    };
    // Warm the path (plans, caches) before measuring.
    for (let i = 0; i < 5; i++) await (await insert()).delivered;
    tracker.reset();

    // (a) One at a time.
    const restMs: number[] = [];
    const afterRestMs: number[] = [];
    const before = await feedCounts(url);
    const ticksBefore = serverCpuTicks(pid);
    for (let i = 0; i < SERIAL_INSERTS; i++) {
      const r = await insert();
      if (!r.ok) throw new Error('insert failed');
      const t = now();
      await r.delivered;
      restMs.push(r.ms);
      if (subscribers) afterRestMs.push(now() - t);
    }
    // Counters settle once the feed has taken the last change (with 0 subscribers nothing waits for it).
    let feed = diff(before, await feedCounts(url));
    for (let tries = 0; feed.changes < SERIAL_INSERTS && tries < 50; tries++) {
      await new Promise((r) => setTimeout(r, 20));
      feed = diff(before, await feedCounts(url));
    }
    const serverCpuMs = ((serverCpuTicks(pid) - ticksBefore) / clockTicks()) * 1000;
    const perChange = (ms: number): number => round(ms / Math.max(1, feed.changes), 3);
    const serial = {
      inserts: SERIAL_INSERTS,
      // Everything the server did for one message (REST, feed, sockets), in CPU time: unlike the
      // wall-clock figures, not stretched when other processes share the cores.
      serverCpuMsPerInsert: round(serverCpuMs / SERIAL_INSERTS, 2),
      restRoundTripMs: summarize(restMs),
      feedDbMsPerChange: perChange(feed.dbMs),
      feedSendMsPerChange: perChange(feed.sendMs),
      feedBatches: feed.batches,
      restResponseToLastSubscriberMs: summarize(afterRestMs),
    };
    console.log(
      `  one at a time (${SERIAL_INSERTS}): server CPU ${serial.serverCpuMsPerInsert} ms per message; POST round trip ${line(serial.restRoundTripMs)}`,
    );
    console.log(
      `    feed per change: ${serial.feedDbMsPerChange} ms holding the database (who may see it), ${serial.feedSendMsPerChange} ms sending ` +
        `(${feed.messages} messages in ${feed.batches} batches)` +
        (subscribers ? `; POST answered → last of ${c.perRoom} subscribers: ${line(serial.restResponseToLastSubscriberMs)}` : ''),
    );

    // (b) Sustained.
    tracker.reset();
    const start = now();
    const end = start + SUSTAINED.ms;
    const watch = watchProcesses(pid);
    const sustainedTicks = serverCpuTicks(pid);
    const sustainedBefore = await feedCounts(url);
    let ok = 0;
    let failed = 0;
    const posts: number[] = [];
    await Promise.all(
      Array.from({ length: SUSTAINED.inFlight }, async () => {
        while (now() < end) {
          const r = await insert();
          posts.push(r.ms);
          if (r.ok) ok++;
          else failed++;
        }
      }),
    );
    const insertsEnd = now();
    while (tracker.outstanding > 0 && now() - insertsEnd < SUSTAINED.drainMs) await new Promise((r) => setTimeout(r, 20));
    const usage = watch.stop();
    const sustainedCpuMs = ((serverCpuTicks(pid) - sustainedTicks) / clockTicks()) * 1000;
    const sf = diff(sustainedBefore, await feedCounts(url));
    const sustained = {
      inFlight: SUSTAINED.inFlight,
      insertsPerSecond: round(ok / ((insertsEnd - start) / 1000), 1),
      inserts: ok,
      failed,
      undelivered: tracker.outstanding,
      postRoundTripMs: summarize(posts),
      deliveryLatencyMs: summarize(tracker.latencies),
      deliveriesPerSecond: Math.round(tracker.latencies.length / ((Math.max(insertsEnd, tracker.lastReceiptAt) - start) / 1000)),
      feedDbMsPerChange: round(sf.dbMs / Math.max(1, sf.changes), 3),
      feedChangesPerBatch: round(sf.changes / Math.max(1, sf.batches), 1),
      serverCpuPercent: usage.serverCpuPercent,
      serverCpuMsPerInsert: round(sustainedCpuMs / Math.max(1, ok), 2),
    };
    console.log(
      `  sustained (${SUSTAINED.inFlight} in flight, ${SUSTAINED.ms / 1000} s): ${sustained.insertsPerSecond} inserts/s, ` +
        `POST ${line(sustained.postRoundTripMs)}; ${failed} failed, ${sustained.undelivered} not delivered to all; ` +
        `server CPU ≈ ${sustained.serverCpuMsPerInsert} ms per message`,
    );
    if (subscribers) {
      console.log(
        `    insert sent → subscriber: ${line(sustained.deliveryLatencyMs)}; ${sustained.deliveriesPerSecond} deliveries/s; ` +
          `feed ${sustained.feedDbMsPerChange} ms database per change, ${sustained.feedChangesPerBatch} changes per batch`,
      );
    }
    printUsage(usage, '    ');
    return { label: c.label, subscribers, rooms: c.rooms, serial, sustained };
  } finally {
    await Promise.all(clients.map((client) => client.removeAllChannels()));
  }
}

/** The server as `startChildServer` starts it, under `node --cpu-prof` (which NODE_OPTIONS may not carry). */
async function startProfiledServer(dir: string): Promise<ChildServer> {
  mkdirSync(dir, { recursive: true });
  const args = ['--cpu-prof', `--cpu-prof-dir=${dir}`, FLOCK_BIN, 'serve', '--memory', '--port', '0'];
  const started = await startCommand(process.execPath, args, /local server on (http:\/\/\S+)/, { group: false });
  return { url: started.match, process: started.process, stop: started.stop };
}

const MIXED = { rooms: 5, perRoom: 10, insertsPerSecond: 20, insertMs: 10_000, cursorClients: 40, cursorHz: 20 };

async function besideCursors(url: string, pid: number, tag: string): Promise<Record<string, unknown>> {
  const { rooms: roomCount, perRoom, insertsPerSecond, insertMs, cursorClients, cursorHz } = MIXED;
  console.log(
    `${roomCount * perRoom} subscribers in ${roomCount} rooms, ${insertsPerSecond} inserts/s for ${insertMs / 1000} s, ` +
      `while ${cursorClients} clients broadcast cursors at ${cursorHz} Hz in another room:`,
  );
  const clients: SupabaseClient[] = [];
  const tracker = new Tracker();
  const rooms = Array.from({ length: roomCount }, (_, i) => `chat-insert-${tag}-${i}`);
  try {
    const subs = await Promise.all(Array.from({ length: roomCount * perRoom }, (_, i) => signIn(url, `sub${i}`, clients)));
    await Promise.all(subs.map((s, i) => subscribe(s, rooms[i % roomCount]!, tracker)));
    const writer = await signIn(url, 'writer', clients);
    const posts: number[] = [];
    const writes: Promise<void>[] = [];
    let feed: FeedCounts | undefined;
    let cpuMs = 0;
    let wallMs = 0;
    const insert = async (n: number): Promise<void> => {
      const id = randomUUID();
      const delivered = tracker.sent(id, perRoom);
      const t0 = now();
      const { error } = await writer.from('flock_messages').insert({ id, room: rooms[n % roomCount]!, body: `bench ${id}` });
      posts.push(now() - t0);
      if (error) tracker.forget(id);
      await delivered;
    };
    // Inserts start a second into the cursor traffic and end before it does.
    const inserting = async (): Promise<void> => {
      await new Promise((r) => setTimeout(r, 1000));
      const before = await feedCounts(url);
      const ticks = serverCpuTicks(pid);
      const start = now();
      for (let n = 0; n < (insertsPerSecond * insertMs) / 1000; n++) {
        const due = start + (n * 1000) / insertsPerSecond;
        while (now() < due) await new Promise((r) => setTimeout(r, 2));
        writes.push(insert(n));
      }
      await Promise.all(writes);
      wallMs = now() - start;
      cpuMs = ((serverCpuTicks(pid) - ticks) / clockTicks()) * 1000;
      feed = diff(before, await feedCounts(url));
    };
    let started!: () => void;
    const cursorsStarted = new Promise<void>((resolve) => (started = resolve));
    const cursors = broadcastLoad(
      { url, room: `cursors-${tag}`, clients: cursorClients, perClientPerSecond: cursorHz, sendMs: insertMs + 2000, workers: 2, drainMs: 3000 },
      { started },
    );
    await cursorsStarted;
    await inserting();
    const outcome = await cursors;
    const cursorLatency = summarize(Array.from(outcome.latencies));
    const figures = {
      subscribers: roomCount * perRoom,
      inserts: posts.length,
      postRoundTripMs: summarize(posts),
      deliveryLatencyMs: summarize(tracker.latencies),
      feedDbMsPerChange: round(feed!.dbMs / Math.max(1, feed!.changes), 3),
      cursorDeliveriesPerSecond: Math.round(outcome.received / ((insertMs + 2000) / 1000)),
      cursorLatencyMs: cursorLatency,
      serverCpuPercent: Math.round((cpuMs / wallMs) * 100),
    };
    console.log(`  POST ${line(figures.postRoundTripMs)}`);
    console.log(`  insert sent → subscriber: ${line(figures.deliveryLatencyMs)}; feed ${figures.feedDbMsPerChange} ms database per change`);
    console.log(
      `  cursors: ${figures.cursorDeliveriesPerSecond} deliveries/s, ${line(cursorLatency)}; server CPU ${figures.serverCpuPercent}% of one core while inserting`,
    );
    return figures;
  } finally {
    await Promise.all(clients.map((client) => client.removeAllChannels()));
  }
}

export default async function chatInsertBench(): Promise<Record<string, unknown>> {
  const profileDir = process.env.FLOCK_BENCH_CPU_PROF;
  const { server, release } = profileDir
    ? { server: await startProfiledServer(profileDir), release: () => undefined }
    : await startGuardedServer([]);
  console.log('server: flock-kit serve --memory in its own process; clients in this one; each subscriber its own anonymous user');
  const cases = [];
  try {
    for (const [i, c] of CASES.entries()) cases.push(await runCase(server.url, server.process.pid!, c, `${Date.now().toString(36)}-${i}`));
    cases.push(await besideCursors(server.url, server.process.pid!, Date.now().toString(36)));
  } finally {
    await server.stop();
    release();
  }
  if (profileDir) console.log(`server CPU profile written to ${profileDir}`);
  return { cases };
}

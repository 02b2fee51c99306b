import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { BenchWorker } from './bench-worker.ts';
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { LOCAL_ANON_KEY } from '../../server/auth/keys.ts';
import { createNodeClient } from '../../test/support/node-client.ts';

/**
 * The broadcast load generator: many unmodified supabase-js clients in one room, each
 * sending at a fixed rate and timing every message it receives. The clients live in worker
 * threads so the coordinating thread stays free to sample the server's CPU and memory, and
 * so the load can be spread over spare cores. Workers share the process's clock
 * (`performance.timeOrigin + performance.now()`), so a receive time minus the send time
 * stamped in the payload is a latency even when sender and receiver sit in different workers.
 */

export interface BroadcastPlan {
  url: string;
  room: string;
  clients: number;
  perClientPerSecond: number;
  sendMs: number;
  workers: number;
  /** Longest wait for stragglers after the last send. */
  drainMs: number;
}

/** Called when the clients start sending, and when deliveries are over (before any client closes). */
export interface LoadHooks {
  started?(): void;
  drained?(): void;
}

export interface BroadcastOutcome {
  sent: number;
  /** Sends that did not go out on the socket: the channel was no longer joined, or send() said so. */
  sendFailures: number;
  /** Send slots the generator missed because its own event loop was late. */
  skipped: number;
  received: number;
  /** Receive time minus send time, ms, one per delivery. */
  latencies: Float64Array;
  /** Channels that left the joined state during the run (the server closed them, e.g. over a limit). */
  channelsLost: number;
  /** From the first send to the last receipt, ms. */
  elapsedMs: number;
}

interface WorkerSetup {
  url: string;
  room: string;
  firstIndex: number;
  count: number;
  totalClients: number;
  perClientPerSecond: number;
}

type ToWorker = { type: 'go'; startAt: number; sendMs: number } | { type: 'finish' };
type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; received: number; sent: number; sending: boolean; lastReceiptAt: number }
  | { type: 'result'; sent: number; sendFailures: number; skipped: number; received: number; latencies: Float64Array; channelsLost: number }
  | { type: 'closed' }
  | { type: 'failed'; message: string };

const now = (): number => performance.timeOrigin + performance.now();

/** Runs the plan and returns what every client saw. Every client is closed before it returns. */
export async function broadcastLoad(plan: BroadcastPlan, hooks: LoadHooks = {}): Promise<BroadcastOutcome> {
  const perWorker = Math.ceil(plan.clients / plan.workers);
  const workers: BenchWorker<FromWorker, ToWorker>[] = [];
  for (let first = 0; first < plan.clients; first += perWorker) {
    workers.push(
      new BenchWorker(new URL(import.meta.url), {
        url: plan.url,
        room: plan.room,
        firstIndex: first,
        count: Math.min(perWorker, plan.clients - first),
        totalClients: plan.clients,
        perClientPerSecond: plan.perClientPerSecond,
      } satisfies WorkerSetup),
    );
  }
  // A worker that fails at any point fails the run rather than leaving it waiting.
  const failure = Promise.race(workers.map((w) => w.failure));
  const orFail = <T>(p: Promise<T>): Promise<T> => Promise.race([p, failure]);

  try {
    await orFail(Promise.all(workers.map((w) => w.ready)));
    const startAt = now() + 200;
    for (const w of workers) w.post({ type: 'go', startAt, sendMs: plan.sendMs });
    setTimeout(() => hooks.started?.(), Math.max(0, startAt - now()));

    // Wait for the senders, then for deliveries: until every sent message reached every other
    // client, or nothing arrived for a second, or the drain time is up.
    await orFail(
      new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          const progress = workers.map((w) => w.progress);
          if (progress.some((p) => p === undefined || p.sending)) return;
          const sent = progress.reduce((n, p) => n + p!.sent, 0);
          const received = progress.reduce((n, p) => n + p!.received, 0);
          const lastReceipt = Math.max(...progress.map((p) => p!.lastReceiptAt));
          const sendEnd = startAt + plan.sendMs;
          if (received >= sent * (plan.clients - 1) || now() - lastReceipt > 1000 || now() > sendEnd + plan.drainMs) {
            clearInterval(timer);
            resolve();
          }
        }, 100);
      }),
    );

    hooks.drained?.();
    for (const w of workers) w.post({ type: 'finish' });
    const results = await orFail(Promise.all(workers.map((w) => w.result)));
    await orFail(Promise.all(workers.map((w) => w.closed)));
    const lastReceipt = Math.max(...workers.map((w) => w.progress?.lastReceiptAt ?? startAt));
    const all = new Float64Array(results.reduce((n, r) => n + r.latencies.length, 0));
    let at = 0;
    for (const r of results) {
      all.set(r.latencies, at);
      at += r.latencies.length;
    }
    return {
      sent: results.reduce((n, r) => n + r.sent, 0),
      sendFailures: results.reduce((n, r) => n + r.sendFailures, 0),
      skipped: results.reduce((n, r) => n + r.skipped, 0),
      received: results.reduce((n, r) => n + r.received, 0),
      latencies: all,
      channelsLost: results.reduce((n, r) => n + r.channelsLost, 0),
      elapsedMs: Math.max(lastReceipt, startAt) - startAt,
    };
  } finally {
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }
}

/** Inside a worker: this worker's share of the clients. */
async function runWorker(setup: WorkerSetup): Promise<void> {
  const port = parentPort!;
  const post = (m: FromWorker): void => port.postMessage(m);
  let received = 0;
  let latencies = new Float64Array(1 << 16);
  let lastReceiptAt = 0;
  let channelsLost = 0;

  const record = (sentAt: number): void => {
    const t = now();
    if (received === latencies.length) {
      const bigger = new Float64Array(latencies.length * 2);
      bigger.set(latencies);
      latencies = bigger;
    }
    latencies[received++] = t - sentAt;
    lastReceiptAt = t;
  };

  const members: { client: SupabaseClient; channel: RealtimeChannel; id: number }[] = [];
  await Promise.all(
    Array.from({ length: setup.count }, async (_, i) => {
      const id = setup.firstIndex + i;
      const client = createNodeClient(setup.url, LOCAL_ANON_KEY);
      const channel = client
        .channel(setup.room, { config: { broadcast: { self: false, ack: false } } })
        .on('broadcast', { event: 'tick' }, ({ payload }) => record((payload as { t: number }).t));
      members.push({ client, channel, id });
      await new Promise<void>((resolve, reject) => {
        let joined = false;
        channel.subscribe((status, error) => {
          if (status === 'SUBSCRIBED' && !joined) {
            joined = true;
            resolve();
          } else if (joined && status !== 'SUBSCRIBED') {
            channelsLost++;
          } else if (!joined && (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT')) {
            reject(new Error(`client ${id} could not join: ${status} ${error?.message ?? ''}`));
          }
        });
      });
    }),
  );
  post({ type: 'ready' });

  const go = await new Promise<Extract<ToWorker, { type: 'go' }>>((resolve) =>
    port.once('message', (m: ToWorker) => m.type === 'go' && resolve(m)),
  );
  const interval = 1000 / setup.perClientPerSecond;
  const sendEnd = go.startAt + go.sendMs;
  // Each client sends on its own schedule, offset so the room's sends are spread evenly in time.
  const due = members.map((m) => go.startAt + (m.id / setup.totalClients) * interval);
  let sent = 0;
  let sendFailures = 0;
  let skipped = 0;
  let sending = true;
  const progress = (): void => post({ type: 'progress', received, sent, sending, lastReceiptAt });

  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const t = now();
      members.forEach((m, i) => {
        if (due[i]! > t || due[i]! >= sendEnd) return;
        // A tick late by more than a slot skips the missed slots rather than bursting to catch
        // up, so the server sees the steady rate asked for and the generator's lag is counted.
        const missed = Math.floor((t - due[i]!) / interval);
        skipped += Math.min(missed, Math.ceil((sendEnd - due[i]!) / interval) - 1);
        due[i]! += (missed + 1) * interval;
        if (m.channel.state !== 'joined') {
          sendFailures++;
          return;
        }
        sent++;
        void m.channel
          .send({ type: 'broadcast', event: 'tick', payload: { t: now(), from: m.id, n: sent } })
          .then((status) => status === 'ok' || sendFailures++);
      });
      if (t >= sendEnd) {
        clearInterval(tick);
        resolve();
      }
    }, 5);
  });
  sending = false;
  progress();
  const reporter = setInterval(progress, 100);

  await new Promise<void>((resolve) => port.once('message', (m: ToWorker) => m.type === 'finish' && resolve()));
  clearInterval(reporter);
  const result = latencies.slice(0, received);
  // Handed over rather than copied: it can be megabytes.
  port.postMessage({ type: 'result', sent, sendFailures, skipped, received, latencies: result, channelsLost } satisfies FromWorker, [result.buffer]);
  await Promise.all(members.map(({ client }) => client.removeAllChannels()));
  post({ type: 'closed' });
}

if (!isMainThread && parentPort) {
  runWorker(workerData as WorkerSetup).catch((error: unknown) => {
    parentPort!.postMessage({ type: 'failed', message: error instanceof Error ? error.message : String(error) } satisfies FromWorker);
  });
}

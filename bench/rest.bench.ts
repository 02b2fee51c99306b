import { randomUUID } from 'node:crypto';
import type { SupabaseClient } from '@supabase/supabase-js';
import { startChildServer } from '../test/support/child-server.ts';
import { signIn } from './support/anonymous-client.ts';
import { rssKb } from './support/process-usage.ts';
import { summarize, type LatencySummary } from './support/stats.ts';

const CLIENTS = 50;
const SEED_MESSAGES = 500;
const WARMUP_MS = 1000;
const MEASURE_MS = 5000;

interface PhaseFigures extends LatencySummary {
  requestsPerSecond: number;
  errors: number;
}

/**
 * The local server's REST path under the load the chat panel makes: 50 signed-in supabase-js
 * clients at once, each waiting for its answer before the next request (closed loop), against
 * the server in its own process. Measures the chat's history query and a message insert.
 */
export default async function restBench(): Promise<Record<string, unknown>> {
  const server = await startChildServer();
  const clients: SupabaseClient[] = [];
  try {
    await Promise.all(Array.from({ length: CLIENTS }, (_, i) => signIn(server.url, `bench-${i}`, clients)));
    const seeder = clients[0]!;
    const seed = Array.from({ length: SEED_MESSAGES }, (_, i) => ({ id: randomUUID(), room: 'bench', body: `seed ${i}` }));
    const { error } = await seeder.from('flock_messages').insert(seed);
    if (error) throw new Error(`seeding failed: ${error.message}`);

    const select = await phase(clients, (client) =>
      client
        .from('flock_messages')
        .select('*')
        .eq('room', 'bench')
        .order('created_at', { ascending: false })
        .order('id', { ascending: false })
        .limit(50),
    );
    print('select 50 latest messages', select);
    const insert = await phase(clients, (client, n) =>
      client.from('flock_messages').insert({ id: randomUUID(), room: `bench-insert-${n % 5}`, body: `message ${n}` }),
    );
    print('insert one message', insert);
    const rssMiB = rssOf(server.process.pid);
    console.log(`server RSS after the run: ${rssMiB} MiB`);
    return { clients: CLIENTS, measureSeconds: MEASURE_MS / 1000, select50: select, insert, serverRssMiB: rssMiB };
  } finally {
    await Promise.all(clients.map((client) => client.removeAllChannels()));
    await server.stop();
  }
}

/** Every client loops on `request` for warm-up plus measurement; only the measured window counts. */
async function phase(
  clients: SupabaseClient[],
  request: (client: SupabaseClient, n: number) => PromiseLike<{ error: unknown }>,
): Promise<PhaseFigures> {
  const latencies: number[] = [];
  let errors = 0;
  let n = 0;
  const start = performance.now();
  const measureFrom = start + WARMUP_MS;
  const end = measureFrom + MEASURE_MS;
  await Promise.all(
    clients.map(async (client) => {
      while (performance.now() < end) {
        const sent = performance.now();
        const { error } = await request(client, n++);
        const done = performance.now();
        if (sent < measureFrom || done > end) continue;
        if (error) errors++;
        else latencies.push(done - sent);
      }
    }),
  );
  return { ...summarize(latencies), requestsPerSecond: Math.round(latencies.length / (MEASURE_MS / 1000)), errors };
}

function print(what: string, f: PhaseFigures): void {
  console.log(
    `${what}: ${f.requestsPerSecond} req/s with ${CLIENTS} clients; latency p50 ${f.p50} ms, p95 ${f.p95} ms, p99 ${f.p99} ms, max ${f.max} ms; errors ${f.errors}`,
  );
}

function rssOf(pid: number | undefined): number | null {
  const kb = pid === undefined ? Number.NaN : rssKb(pid);
  return Number.isFinite(kb) ? Math.round(kb / 1024) : null;
}

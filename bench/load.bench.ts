import { cpus, loadavg } from 'node:os';
import { DEFAULT_LIMITS as LIMITS } from '../server/realtime/limits.ts';
import { runLoad, type LoadPlan } from './support/load-pool.ts';
import type { Tally, Traffic } from './support/load-protocol.ts';
import { deliveries, errorFigures, printDeliveries, printErrors, printSupabaseContext, printUsage } from './support/load-report.ts';
import { rssSlope, sampleServer, type Sample, type SampledUsage } from './support/load-sampler.ts';
import { diffDrops, serverDrops, serverStats, startGuardedServer } from './support/load-server.ts';
import { rssKb } from './support/process-usage.ts';

/**
 * Load and soak (issue 11): rooms full of unmodified supabase-js clients doing what pages
 * with Flock's elements do — presence with churn, cursors, chat over REST and
 * postgres_changes — against the local server in a process of its own, whose CPU and memory
 * are sampled from /proc.
 *
 *   npm run bench -- load        200 clients in 20 rooms for 60 s
 *   npm run bench -- load-soak   60 clients in 6 rooms for 10 min; the server's memory curve and a verdict
 *
 * For a quick try, FLOCK_LOAD_ROOMS, FLOCK_LOAD_SECONDS and FLOCK_LOAD_WORKERS shrink either run
 * (the output says so).
 * FLOCK_SERVER_CPU_PROF=<dir> has the server write a V8 CPU profile there when the run ends
 * (the profile that found the per-frame `writev` cost).
 */

interface RunConfig {
  label: string;
  rooms: number;
  roomSize: number;
  workers: number;
  /** Full load before measuring, uncounted (see LoadPlan.warmupMs). */
  warmupSeconds: number;
  seconds: number;
  traffic: Traffic;
  /** How often the server's CPU and RSS are sampled. */
  sampleMs: number;
}

const LOAD: RunConfig = {
  label: 'load',
  rooms: 20,
  roomSize: 10,
  workers: 4,
  warmupSeconds: 10,
  seconds: 60,
  traffic: { cursorHz: 20, chatPerRoomPerSecond: 2, presenceUpdateEveryMs: 15_000, leaveEveryMs: 20_000, awayMs: 2000 },
  sampleMs: 1000,
};

/** Lighter but steady: a quarter of the cursor rate, a quarter of the chat, under a third of the people. */
const SOAK: RunConfig = {
  label: 'soak',
  rooms: 6,
  roomSize: 10,
  workers: 2,
  warmupSeconds: 10,
  seconds: 600,
  traffic: { cursorHz: 5, chatPerRoomPerSecond: 0.5, presenceUpdateEveryMs: 15_000, leaveEveryMs: 30_000, awayMs: 3000 },
  sampleMs: 10_000,
};

/** Above this, the memory of the soak's steady state is called growing. */
const FLAT_MIB_PER_MIN = 0.5;

/**
 * Default limits carry this load: a client sends 20 cursor messages a second plus a heartbeat
 * and a presence update every 15 s, under 100 events/s per connection; its presence calls stay
 * within 5 per 30 s per channel (a join's track, then at most 2 updates). Its 200 clients all
 * connect from 127.0.0.1, so one address's share of the user cap (50 % by default) is lifted.
 */
const SERVER_FLAGS: string[] = ['--address-share-percent', '100'];

export default function loadBench(): Promise<Record<string, unknown>> {
  return measure(shrunk(LOAD));
}

export const variants = {
  soak: async (): Promise<Record<string, unknown>> => {
    const config = shrunk(SOAK);
    let before = { at: 0, cursor: 0, chat: 0 };
    const figures = await measure(config, (s, t) => {
      const seconds = (s.atMs - before.at) / 1000;
      const errors = Object.values(errorFigures(t, {})).reduce<number>((n, v) => n + (typeof v === 'number' ? v : 0), 0);
      console.log(
        `    ${clock(s.atMs)}  RSS ${s.rssMiB.toFixed(1)} MiB  CPU ${Math.round(s.cpuPercent)}%  ` +
          `delivered ${Math.round((t.cursorReceived - before.cursor) / seconds)} cursors/s, ${((t.chatReceived - before.chat) / seconds).toFixed(1)} chat changes/s; errors so far ${errors}`,
      );
      before = { at: s.atMs, cursor: t.cursorReceived, chat: t.chatReceived };
    });
    const usage = figures.server;
    const slope = rssSlope(usage.samples);
    const verdict = slope.slopeMiBPerMin > FLAT_MIB_PER_MIN ? 'growing' : 'flat';
    const curve = [usage.rssStartMiB, ...usage.samples.map((s) => s.rssMiB)].map(Math.round).join(' ');
    console.log(`  memory curve (RSS MiB at the start, then every ${config.sampleMs / 1000} s): ${curve}`);
    console.log(
      `  verdict: ${verdict} — least-squares slope over the last 80% (${slope.points} samples) ${slope.slopeMiBPerMin} MiB/min ` +
        `(R² ${slope.r2}; "flat" means ≤ ${FLAT_MIB_PER_MIN} MiB/min); RSS ${usage.rssStartMiB} → ${usage.rssEndMiB} MiB, peak ${usage.rssPeakMiB} MiB. ` +
        `The database is in memory, so the ${figures.deliveries.chat.sent} chat rows stored add a little real growth`,
    );
    return { ...figures, memory: { ...slope, verdict, flatThresholdMiBPerMin: FLAT_MIB_PER_MIN } };
  },
};

async function measure(config: RunConfig, onSample?: (s: Sample, progress: Tally) => void) {
  const clients = config.rooms * config.roomSize;
  const { server, release } = await startGuardedServer(SERVER_FLAGS);
  try {
    const pid = server.process.pid!;
    const { traffic } = config;
    console.log(
      `${config.label}: ${clients} supabase-js clients (${config.workers} worker threads) in ${config.rooms} rooms of ${config.roomSize}, ` +
        `${config.warmupSeconds} s warm-up then ${config.seconds} s measured; ` +
        `each client: cursor ${traffic.cursorHz} Hz, presence meta update every ${traffic.presenceUpdateEveryMs / 1000} s; ` +
        `each room: chat ${traffic.chatPerRoomPerSecond}/s, one client leaving every ${traffic.leaveEveryMs / 1000} s for ${traffic.awayMs / 1000} s`,
    );
    console.log(
      `  server: flock-kit serve --memory ${SERVER_FLAGS.join(' ')}(pid ${pid}), default limits but the address share — ${LIMITS.maxEventsPerSecond} events/s per connection, ` +
        `${LIMITS.maxPresenceEventsPerSecond} presence events/s, ${LIMITS.maxPresenceCallsPerWindow} presence calls per ${LIMITS.presenceWindowMs / 1000} s per channel; ` +
        `this load stays under them, none raised`,
    );
    const machineLoad = Math.round(loadavg()[0]! * 10) / 10;
    console.log(`  machine: ${cpus().length} cores, load average ${machineLoad} over the last minute before the run (other people's work included)`);
    if (config !== LOAD && config !== SOAK) console.log(`  note: a reduced run (FLOCK_LOAD_* set), not the figures the bench is for`);

    const plan: LoadPlan = {
      url: server.url,
      rooms: config.rooms,
      roomSize: config.roomSize,
      roomPrefix: 'load-',
      workers: config.workers,
      traffic,
      warmupMs: config.warmupSeconds * 1000,
      sendMs: config.seconds * 1000,
      drainMaxMs: 30_000,
    };
    const dropsBefore = await serverDrops(server.url);
    const rssBeforeClientsMiB = Math.round(rssKb(pid) / 1024);
    console.log(`  server RSS before any client connected: ${rssBeforeClientsMiB} MiB (the startup heap; the warm-up lets it be collected)`);
    const joinStart = performance.now();
    let sampler: ReturnType<typeof sampleServer> | undefined;
    let usage: SampledUsage | undefined;
    const outcome = await runLoad(plan, {
      ready: (t) =>
        console.log(
          `  signed in and joined ${clients - t.notJoinedAtStart - t.signInErrors}/${clients} in ${((performance.now() - joinStart) / 1000).toFixed(1)} s ` +
            `(sign-in errors ${t.signInErrors}, join errors ${t.joinErrors})`,
        ),
      started: (progress) => (sampler = sampleServer(pid, config.sampleMs, onSample && ((s) => onSample(s, progress())))),
      sendingEnded: () => (usage = sampler?.stop()),
    });
    if (!usage) throw new Error('load: the run ended before it started');
    const after = await serverStats(server.url);
    const drops = diffDrops(dropsBefore, after.dropped);

    const d = deliveries(plan, outcome);
    const errors = errorFigures(outcome.tally, drops);
    printDeliveries(d, outcome.tally);
    printErrors(errors);
    printUsage(usage, '  ', after.loopDelay);
    printSupabaseContext(d);
    return {
      clients,
      rooms: config.rooms,
      roomSize: config.roomSize,
      warmupSeconds: config.warmupSeconds,
      seconds: config.seconds,
      workers: config.workers,
      traffic,
      serverFlags: SERVER_FLAGS,
      reduced: config !== LOAD && config !== SOAK,
      deliveries: d,
      errors,
      tally: outcome.tally,
      serverRssBeforeClientsMiB: rssBeforeClientsMiB,
      server: usage,
      serverLoopDelayMs: after.loopDelay,
      machineCpus: cpus().length,
      machineLoadAverageBefore: machineLoad,
    };
  } finally {
    await server.stop();
    release();
  }
}

/** The run with FLOCK_LOAD_ROOMS / _SECONDS / _WORKERS applied, or the config itself when none is set. */
function shrunk(config: RunConfig): RunConfig {
  const env = (name: string): number | undefined => {
    const n = Number(process.env[`FLOCK_LOAD_${name}`]);
    return Number.isFinite(n) && n > 0 ? n : undefined;
  };
  const rooms = env('ROOMS');
  const seconds = env('SECONDS');
  const workers = env('WORKERS');
  if (rooms === undefined && seconds === undefined && workers === undefined) return config;
  return { ...config, rooms: rooms ?? config.rooms, seconds: seconds ?? config.seconds, workers: workers ?? config.workers };
}

function clock(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

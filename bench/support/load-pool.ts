import { BenchWorker } from './bench-worker.ts';
import { addTally, emptyTally, now, type ChatLog, type FromWorker, type Samples, type Tally, type ToWorker, type Traffic, type WorkerSetup } from './load-protocol.ts';

/**
 * The coordinating side of the load bench: spreads the clients over worker threads, starts
 * them together, waits out the send window and the deliveries still in flight, and gathers
 * every worker's counters and samples. The workers are terminated however the run ends.
 */

export interface LoadPlan {
  url: string;
  rooms: number;
  roomSize: number;
  roomPrefix: string;
  workers: number;
  traffic: Traffic;
  /** Full load before the measured window, uncounted: the server's startup heap is collected, caches warm. */
  warmupMs: number;
  /** The measured window. */
  sendMs: number;
  /** Longest wait after the last send for every expected delivery to arrive (the drain's stated timeout). */
  drainMaxMs: number;
}

export interface LoadHooks {
  /** Every client has signed in and tried to join; the tally so far (sign-in and join errors). */
  ready?(tally: Tally): void;
  /** The warm-up is over and the measured window begins; `progress()` sums the workers' latest counters. */
  started?(progress: () => Tally): void;
  /** The send window is over (deliveries may still be arriving). */
  sendingEnded?(): void;
}

export interface LoadOutcome {
  tally: Tally;
  samples: Samples;
  /** From the start of the measured window to the last receipt, ms. */
  lastReceiptAfterMs: number;
  /** Every measured chat row and every client's receipts of them. */
  chat: ChatLog;
  /** When the send window closed and when the drain ended (wall clock, ms), and whether it ended because everything had arrived. */
  sendEnd: number;
  drainEnd: number;
  drainedAll: boolean;
}

const WORKER = new URL('./load-worker.ts', import.meta.url);
const READY_TIMEOUT_MS = 120_000;
const RESULT_TIMEOUT_MS = 60_000;
/** How often workers report their counters (load-worker.ts). */
const PROGRESS_MS = 500;

export async function runLoad(plan: LoadPlan, hooks: LoadHooks = {}): Promise<LoadOutcome> {
  const total = plan.rooms * plan.roomSize;
  const joinedPerRoom = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * plan.rooms);
  const perWorker = Math.ceil(total / plan.workers);
  const workers: BenchWorker<FromWorker, ToWorker>[] = [];
  try {
    for (let first = 0; first < total; first += perWorker) {
      const clients = Array.from({ length: Math.min(perWorker, total - first) }, (_, k) => first + k);
      workers.push(new BenchWorker(WORKER, { url: plan.url, clients, rooms: plan.rooms, roomSize: plan.roomSize, roomPrefix: plan.roomPrefix, traffic: plan.traffic, joinedPerRoom } satisfies WorkerSetup));
    }
    const failure = Promise.race(workers.map((w) => w.failure));
    const orFail = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
      Promise.race([p, failure, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`load: ${what} took over ${ms / 1000} s`)), ms).unref())]);

    const readies = await orFail(Promise.all(workers.map((w) => w.ready)), READY_TIMEOUT_MS, 'signing in and joining');
    hooks.ready?.(readies.reduce((sum, m) => addTally(sum, m.tally), emptyTally()));

    const startAt = now() + 300;
    const measureFrom = startAt + plan.warmupMs;
    const sendEnd = measureFrom + plan.sendMs;
    for (const w of workers) w.post({ type: 'go', startAt, measureFrom, sendEnd });
    const progress = (): Tally => workers.reduce((sum, w) => addTally(sum, w.progress?.tally ?? emptyTally()), emptyTally());
    await orFail(sleepUntil(measureFrom), plan.warmupMs + 60_000, 'the warm-up');
    hooks.started?.(progress);
    await orFail(sleepUntil(sendEnd + 100), plan.sendMs + 60_000, 'the send window');
    hooks.sendingEnded?.();

    // Deliveries in flight: wait until every chat insert has returned and every expected change
    // has arrived, or the stated timeout. (A quiet spell is not an end: a change still in the feed
    // would be counted lost.) The workers report every PROGRESS_MS, so "all in" must hold over
    // two reports. Cursors are broadcasts, which a leaving client may rightly miss; they are
    // counted, not waited for.
    let drainedAll = false;
    let allInSince = Infinity;
    await orFail(
      new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          const p = progress();
          const allIn = p.chatInFlight === 0 && p.chatReceived >= p.chatExpected;
          allInSince = allIn ? Math.min(allInSince, now()) : Infinity;
          drainedAll = allIn && now() - allInSince >= 2 * PROGRESS_MS;
          if (drainedAll || now() > sendEnd + plan.drainMaxMs) {
            clearInterval(poll);
            resolve();
          }
        }, 200);
      }),
      plan.drainMaxMs + 10_000,
      'draining',
    );

    const drainEnd = now();
    for (const w of workers) w.post({ type: 'finish' });
    const results = await orFail(Promise.all(workers.map((w) => w.result)), RESULT_TIMEOUT_MS, 'collecting results');
    await orFail(Promise.all(workers.map((w) => w.closed)), RESULT_TIMEOUT_MS, 'closing clients');
    const lastReceipt = Math.max(measureFrom, ...workers.map((w) => w.progress?.lastReceiptAt ?? 0));
    return {
      tally: results.reduce((sum, r) => addTally(sum, r.tally), emptyTally()),
      samples: {
        cursor: concat(results.map((r) => r.samples.cursor)),
        chat: concat(results.map((r) => r.samples.chat)),
        insert: concat(results.map((r) => r.samples.insert)),
      },
      lastReceiptAfterMs: lastReceipt - measureFrom,
      chat: { sent: results.flatMap((r) => r.chat.sent), clients: results.flatMap((r) => r.chat.clients) },
      sendEnd,
      drainEnd,
      drainedAll,
    };
  } finally {
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }
}

function sleepUntil(t: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, t - now())));
}

function concat(parts: Float64Array[]): Float64Array {
  const all = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}

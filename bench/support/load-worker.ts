import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { SimClient, type ClientContext } from './load-client.ts';
import { emptyTally, now, SampleBuffer, type FromWorker, type ToWorker, type WorkerSetup } from './load-protocol.ts';

/**
 * A worker thread's share of the load: its clients, and one timer loop that fires each
 * client's cursor moves, chat messages, presence updates, leaves and rejoins when they fall
 * due. Every schedule is spread evenly over the clients, so the server sees steady rates
 * rather than all 200 clients moving in the same millisecond.
 */

const JOIN_TIMEOUT_MS = 30_000;
/** Clients connect this far apart, as people arriving rather than a thundering herd. */
const RAMP_MS_PER_CLIENT = 5;
const TICK_MS = 5;
const PROGRESS_MS = 500;

interface Schedule {
  cursorDue: number;
  /** Infinity for the client that leaves and rejoins: it keeps quiet in the chat. */
  chatDue: number;
  presenceDue: number;
  /** Only for the room's leaver. */
  leaveDue: number;
  rejoinDue: number;
}

async function runWorker(setup: WorkerSetup): Promise<void> {
  const port = parentPort!;
  const post = (m: FromWorker): void => port.postMessage(m);
  const { traffic, rooms, roomSize } = setup;
  const ctx: ClientContext = {
    url: setup.url,
    tally: emptyTally(),
    cursorLatency: new SampleBuffer(),
    chatLatency: new SampleBuffer(),
    insertTime: new SampleBuffer(),
    joinedPerRoom: new Int32Array(setup.joinedPerRoom),
    lastReceiptAt: 0,
    measureFrom: Infinity,
    chatSent: [],
  };
  const clients = setup.clients.map((i) => new SimClient(ctx, i, `${setup.roomPrefix}${i % rooms}`, i % rooms));
  const position = (c: SimClient): number => Math.floor(c.index / rooms);
  const isLeaver = (c: SimClient): boolean => position(c) === roomSize - 1;

  const messages: ToWorker[] = [];
  const waiters: (() => void)[] = [];
  port.on('message', (m: ToWorker) => {
    messages.push(m);
    waiters.splice(0).forEach((w) => w());
  });
  const next = async <T extends ToWorker['type']>(type: T): Promise<Extract<ToWorker, { type: T }>> => {
    for (;;) {
      const at = messages.findIndex((m) => m.type === type);
      if (at >= 0) return messages.splice(at, 1)[0] as Extract<ToWorker, { type: T }>;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };

  try {
    const started = await Promise.all(
      clients.map(async (c, k) => {
        await new Promise((r) => setTimeout(r, k * RAMP_MS_PER_CLIENT));
        return c.start(JOIN_TIMEOUT_MS);
      }),
    );
    ctx.tally.notJoinedAtStart = started.filter((ok) => !ok).length;
    post({ type: 'ready', tally: ctx.tally });

    const go = await next('go');
    ctx.measureFrom = go.measureFrom;
    const progress = setInterval(() => post({ type: 'progress', tally: ctx.tally, lastReceiptAt: ctx.lastReceiptAt }), PROGRESS_MS);
    try {
      await drive(clients, go.startAt, go.sendEnd);
      await next('finish');
    } finally {
      clearInterval(progress);
    }
    const samples = { cursor: ctx.cursorLatency.take(), chat: ctx.chatLatency.take(), insert: ctx.insertTime.take() };
    // Handed over rather than copied: millions of samples.
    // Taken before the clients close (closing ends their joined intervals).
    const chat = { sent: ctx.chatSent, clients: clients.map((c) => c.chatLog()) };
    port.postMessage({ type: 'result', tally: ctx.tally, samples, chat } satisfies FromWorker, [samples.cursor.buffer as ArrayBuffer, samples.chat.buffer as ArrayBuffer, samples.insert.buffer as ArrayBuffer]);
  } finally {
    await Promise.allSettled(clients.map((c) => c.close()));
    post({ type: 'closed' });
  }

  function drive(all: SimClient[], startAt: number, sendEnd: number): Promise<void> {
    const total = rooms * roomSize;
    const cursorEvery = 1000 / traffic.cursorHz;
    const chatRoomEvery = 1000 / traffic.chatPerRoomPerSecond;
    const chatty = roomSize - 1;
    const schedules: Schedule[] = all.map((c) => {
      const roomPhase = (c.index % rooms) / rooms;
      return {
        cursorDue: startAt + (c.index / total) * cursorEvery,
        // The room's chatty clients take turns: the room as a whole posts every chatRoomEvery.
        chatDue: isLeaver(c) ? Infinity : startAt + (roomPhase + position(c)) * chatRoomEvery,
        presenceDue: startAt + (((c.index * 7919) % total) / total) * traffic.presenceUpdateEveryMs,
        leaveDue: isLeaver(c) ? startAt + roomPhase * traffic.leaveEveryMs + traffic.awayMs : Infinity,
        rejoinDue: Infinity,
      };
    });
    return new Promise((resolve) => {
      const tick = setInterval(() => {
        const t = now();
        if (t >= sendEnd) {
          clearInterval(tick);
          resolve();
          return;
        }
        all.forEach((c, k) => {
          const s = schedules[k]!;
          if (s.cursorDue <= t) {
            // A late tick skips the slots it missed instead of bursting to catch up, so the
            // server sees the rate asked for; the generator's own lag is counted.
            const missed = Math.floor((t - s.cursorDue) / cursorEvery);
            if (t >= ctx.measureFrom) ctx.tally.cursorSlotsLate += missed;
            s.cursorDue += (missed + 1) * cursorEvery;
            c.sendCursor();
          }
          if (s.chatDue <= t) {
            s.chatDue += chatty * chatRoomEvery;
            void c.sendChat();
          }
          if (s.presenceDue <= t) {
            s.presenceDue += traffic.presenceUpdateEveryMs;
            void c.updatePresence();
          }
          if (s.leaveDue <= t) {
            s.leaveDue += traffic.leaveEveryMs;
            s.rejoinDue = t + traffic.awayMs;
            void c.leave();
          }
          if (s.rejoinDue <= t) {
            s.rejoinDue = Infinity;
            void c.rejoin(JOIN_TIMEOUT_MS);
          }
        });
      }, TICK_MS);
    });
  }
}

if (!isMainThread && parentPort) {
  runWorker(workerData as WorkerSetup).catch((error: unknown) => {
    parentPort!.postMessage({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies FromWorker);
  });
}

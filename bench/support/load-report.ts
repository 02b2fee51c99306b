import { summarize, type LatencySummary } from './stats.ts';
import type { LoadOutcome, LoadPlan } from './load-pool.ts';
import type { Tally } from './load-protocol.ts';
import type { SampledUsage } from './load-sampler.ts';
import type { ServerLoopDelay } from './load-server.ts';
import { SUPABASE_PUBLISHED as SUPABASE } from './load-supabase.ts';

/** Turns a load run into figures (for results.json) and prints them as it goes. */

export interface DeliveryFigures {
  sent: number;
  sentPerSecond: number;
  nominalSentPerSecond: number;
  expected: number;
  delivered: number;
  deliveredPerSecond: number;
  expectedPerSecond: number;
  nominalDeliveredPerSecond: number;
  deliveryRatio: number;
  latencyMs: LatencySummary;
}

export function deliveries(plan: LoadPlan, outcome: LoadOutcome) {
  const seconds = plan.sendMs / 1000;
  const clients = plan.rooms * plan.roomSize;
  const others = plan.roomSize - 1;
  const t = outcome.tally;
  const cursor: DeliveryFigures = {
    sent: t.cursorSent,
    sentPerSecond: round(t.cursorSent / seconds, 1),
    nominalSentPerSecond: clients * plan.traffic.cursorHz,
    expected: t.cursorExpected,
    delivered: t.cursorReceived,
    deliveredPerSecond: round(t.cursorReceived / seconds, 1),
    expectedPerSecond: round(t.cursorExpected / seconds, 1),
    nominalDeliveredPerSecond: clients * plan.traffic.cursorHz * others,
    deliveryRatio: round(t.cursorReceived / Math.max(1, t.cursorExpected), 4),
    latencyMs: summarize(Array.from(outcome.samples.cursor)),
  };
  const chat: DeliveryFigures = {
    sent: t.chatSent,
    sentPerSecond: round(t.chatSent / seconds, 2),
    nominalSentPerSecond: plan.rooms * plan.traffic.chatPerRoomPerSecond,
    expected: t.chatExpected,
    delivered: t.chatReceived,
    deliveredPerSecond: round(t.chatReceived / seconds, 1),
    expectedPerSecond: round(t.chatExpected / seconds, 1),
    nominalDeliveredPerSecond: plan.rooms * plan.traffic.chatPerRoomPerSecond * others,
    deliveryRatio: round(t.chatReceived / Math.max(1, t.chatExpected), 4),
    latencyMs: summarize(Array.from(outcome.samples.chat)),
  };
  return { cursor, chat, insertMs: summarize(Array.from(outcome.samples.insert)), lastReceiptAfterMs: Math.round(outcome.lastReceiptAfterMs) };
}

/** A chat change that reaches a client more than this long after its insert returned (the row committed) is late. */
export const LATE_MS = 5000;

/**
 * Every (row, other client of its room) pair, checked: a client joined from before the insert
 * was sent until after it returned must receive the change exactly once. Lost: such a client
 * never received it (still joined at the end, or left more than LATE_MS after the commit);
 * duplicated: a receipt beyond the first; late: the first receipt over LATE_MS after the insert
 * returned (so a REST call queued on a busy machine does not make its change late).
 * A client that removed its channel within LATE_MS of the commit without the change is counted
 * apart (it left first), and so are receipts by clients that joined while the insert ran.
 */
export function chatAccounting(outcome: LoadOutcome) {
  const byRoom = new Map<string, LoadOutcome['chat']['clients']>();
  for (const c of outcome.chat.clients) byRoom.set(c.room, [...(byRoom.get(c.room) ?? []), c]);
  const receiptsOf = new Map(outcome.chat.clients.map((c) => [c.index, new Map(c.receipts)]));
  let expected = 0;
  let delivered = 0;
  let lost = 0;
  let duplicated = 0;
  let late = 0;
  let leftFirst = 0;
  let joinedMidway = 0;
  const lostExamples: { id: string; client: number; committedAfterSendEndMs: number }[] = [];
  for (const m of outcome.chat.sent) {
    for (const c of byRoom.get(m.room) ?? []) {
      if (c.index === m.sender) continue;
      const times = receiptsOf.get(c.index)!.get(m.id) ?? [];
      duplicated += Math.max(0, times.length - 1);
      const through = c.joined.find(([from, to]) => from <= m.sentAt && to >= m.committedAt);
      if (!through) {
        if (times.length) joinedMidway++;
        continue;
      }
      if (times.length) {
        expected++;
        delivered++;
        if (times[0]! - m.committedAt > LATE_MS) late++;
      } else if (through[1] !== Infinity && through[1] - m.committedAt <= LATE_MS) {
        leftFirst++;
      } else {
        expected++;
        lost++;
        if (lostExamples.length < 5) lostExamples.push({ id: m.id, client: c.index, committedAfterSendEndMs: Math.round(m.committedAt - outcome.sendEnd) });
      }
    }
  }
  return {
    expected,
    delivered,
    lost,
    duplicated,
    late,
    lateMs: LATE_MS,
    leftBeforeDelivery: leftFirst,
    receivedByLateJoiners: joinedMidway,
    lostExamples,
    drainedAll: outcome.drainedAll,
    drainMs: Math.round(outcome.drainEnd - outcome.sendEnd),
  };
}

export function printChatAccounting(a: ReturnType<typeof chatAccounting>, drainMaxMs: number, indent = '  '): void {
  console.log(
    `${indent}chat accounting (every row × every other client joined from its send to its commit): expected ${a.expected}, ` +
      `delivered ${a.delivered}; lost ${a.lost}, duplicated ${a.duplicated}, late (over ${a.lateMs / 1000} s after the insert returned) ${a.late}`,
  );
  console.log(
    `${indent}  drained ${a.drainedAll ? 'until every insert had returned and every expected change arrived' : `until the ${drainMaxMs / 1000} s timeout`} in ${(a.drainMs / 1000).toFixed(1)} s after the send window; ` +
      `not counted: ${a.leftBeforeDelivery} to clients that removed their channel within ${a.lateMs / 1000} s of the commit, ${a.receivedByLateJoiners} received by clients that joined while the insert ran`,
  );
  if (a.lostExamples.length) console.log(`${indent}  lost, for instance: ${JSON.stringify(a.lostExamples)}`);
}

export function printDeliveries(d: ReturnType<typeof deliveries>, t: Tally, indent = '  '): void {
  const { cursor, chat } = d;
  console.log(
    `${indent}cursor broadcasts: sent ${cursor.sent} (${cursor.sentPerSecond}/s of ${cursor.nominalSentPerSecond}/s nominal; ` +
      `${t.cursorSlotsLate} slots missed by a late generator, ${t.cursorNotJoined} skipped while not joined)`,
  );
  console.log(
    `${indent}  delivered ${cursor.delivered} of ${cursor.expected} expected (${pct(cursor.deliveryRatio)}): ${cursor.deliveredPerSecond}/s ` +
      `vs ${cursor.expectedPerSecond}/s expected (${cursor.nominalDeliveredPerSecond}/s nominal: every client at full rate, the whole room present)`,
  );
  console.log(`${indent}  latency send → other client's handler: ${latencyLine(cursor.latencyMs)}`);
  console.log(
    `${indent}chat messages: inserted ${chat.sent} (${chat.sentPerSecond}/s of ${chat.nominalSentPerSecond}/s nominal; ` +
      `${t.chatSkippedInFlight} skipped while the sender's previous insert was in flight); REST insert ${latencyLine(d.insertMs)}`,
  );
  console.log(
    `${indent}  postgres_changes delivered to the room's other clients: ${chat.delivered} of ${chat.expected} expected (${pct(chat.deliveryRatio)}): ` +
      `${chat.deliveredPerSecond}/s vs ${chat.expectedPerSecond}/s expected (${chat.nominalDeliveredPerSecond}/s nominal); senders' own echoes ${t.chatOwnEchoes}`,
  );
  console.log(`${indent}  latency insert sent → other client's handler: ${latencyLine(chat.latencyMs)}`);
  console.log(
    `${indent}presence (from the first join, warm-up included): ${t.presenceUpdates} meta updates, ${t.leaves} leaves and ${t.rejoins} rejoins, ` +
      `${t.presenceDiffsSeen} joins/leaves seen by clients`,
  );
  console.log(`${indent}last delivery ${(d.lastReceiptAfterMs / 1000).toFixed(1)} s after the measured window opened`);
}

export function errorFigures(t: Tally, serverDrops: Record<string, number>) {
  const restErrors = Object.values(t.chatRestErrors).reduce((a, b) => a + b, 0);
  const rateLimited = Object.values(t.serverErrors).reduce((a, b) => a + b, 0);
  return {
    rateLimitedChannelShutdowns: rateLimited,
    serverErrorMessages: t.serverErrors,
    serverDropCounters: serverDrops,
    signInErrors: t.signInErrors,
    joinErrors: t.joinErrors,
    notJoinedAtStart: t.notJoinedAtStart,
    restErrors,
    restErrorsByStatus: t.chatRestErrors,
    presenceTrackErrors: t.presenceTrackErrors,
    unexpectedChannelDrops: t.unexpectedChannelDrops,
    heartbeatTimeouts: t.heartbeatTimeouts,
  };
}

export function printErrors(e: ReturnType<typeof errorFigures>, indent = '  '): void {
  console.log(
    `${indent}errors (from the first join, warm-up included): rate-limited (channels shut down by the server) ${e.rateLimitedChannelShutdowns}` +
      (e.rateLimitedChannelShutdowns ? ` ${JSON.stringify(e.serverErrorMessages)}` : '') +
      `; failed joins ${e.joinErrors} (not joined when sending began: ${e.notJoinedAtStart}); sign-in errors ${e.signInErrors}; ` +
      `REST errors ${e.restErrors}${e.restErrors ? ` ${JSON.stringify(e.restErrorsByStatus)}` : ''}; presence track errors ${e.presenceTrackErrors}; ` +
      `disconnects: ${e.unexpectedChannelDrops} channels dropped unasked, ${e.heartbeatTimeouts} heartbeat timeouts`,
  );
  console.log(`${indent}server drop counters during the run (/flock/stats "dropped"): ${JSON.stringify(e.serverDropCounters)}`);
}

export function printUsage(u: SampledUsage, indent = '  ', loop?: ServerLoopDelay): void {
  console.log(
    `${indent}server process: CPU mean ${u.cpuMeanPercent}%, peak ${u.cpuPeakPercent}% of one core (${u.intervalMs / 1000} s samples); ` +
      `RSS start ${u.rssStartMiB} MiB, mean ${u.rssMeanMiB} MiB, peak ${u.rssPeakMiB} MiB, end ${u.rssEndMiB} MiB`,
  );
  if (loop) {
    console.log(
      `${indent}server event loop over its last ${loop.seconds} s (/flock/stats): late by ${loop.p50} ms in the median second, ${loop.max} ms at worst; ` +
        'a REST write takes several turns of the loop, so it waits several times that',
    );
  }
  console.log(
    `${indent}load generator (this process, all worker threads): CPU ${u.generatorCpuPercent}% of one core; machine: ${u.machineBusyPercent}% busy across all cores`,
  );
  if (u.machineBusyPercent >= 90) {
    console.log(
      `${indent}note: the machine was saturated (server, clients, loopback networking and anyone else's work share its cores): ` +
        'latencies include the clients\' own queueing, and these figures bound this machine, not the server alone',
    );
  }
}

export function printSupabaseContext(d: ReturnType<typeof deliveries>, indent = '  '): void {
  const b = SUPABASE.broadcast;
  const pc = SUPABASE.postgresChanges;
  console.log(`${indent}context, not like for like — Supabase's published Realtime benchmarks (${SUPABASE.source}):`);
  console.log(`${indent}  methodology: ${SUPABASE.methodology}`);
  console.log(`${indent}  ${b.section}: ${b.workload}; ${b.quote}`);
  console.log(
    `${indent}    ours (cursor broadcasts): ${d.cursor.deliveredPerSecond} msgs/s delivered = ${pct(d.cursor.deliveredPerSecond / b.msgsPerSecond)} of their throughput; ` +
      `p50 ${d.cursor.latencyMs.p50} ms vs ${b.p50}, p95 ${d.cursor.latencyMs.p95} ms vs ${b.p95}, p99 ${d.cursor.latencyMs.p99} ms vs ${b.p99}`,
  );
  console.log(`${indent}  ${pc.section}: ${pc.quote}. ${pc.note}`);
  console.log(
    `${indent}    ours (chat, RLS on, filter room=eq.<room>): ${d.chat.deliveredPerSecond} msgs/s delivered from ${d.chat.sentPerSecond} inserts/s; ` +
      `p95 ${d.chat.latencyMs.p95} ms vs ${pc.p95} ms`,
  );
  console.log(`${indent}  presence: ${SUPABASE.presence}`);
  console.log(`${indent}  CPU and memory: ${SUPABASE.memory}`);
}

export const round = (n: number, digits: number): number => Math.round(n * 10 ** digits) / 10 ** digits;
export const pct = (r: number): string => `${(r * 100).toFixed(2)}%`;
export const latencyLine = (l: LatencySummary): string =>
  `p50 ${l.p50} ms, p95 ${l.p95} ms, p99 ${l.p99} ms, max ${l.max} ms (n=${l.count})`;

import { expect } from '@esm-bundle/chai';
import type { SupabaseClient } from '@supabase/supabase-js';
import { executeServerCommand } from '@web/test-runner-commands';
import '../../src/index.js';
import type { Room } from '../../src/connection/types.js';
import { parseCursor, parseTyping } from '../../src/connection/wire.js';
import { SENDER_LIMIT } from '../../src/connection/inbound.js';
import type { FlockChat } from '../../src/elements/chat/chat.js';
import type { FlockCursors } from '../../src/elements/cursors/cursors.js';
import type { FlockStatus } from '../../src/elements/status/status.js';
import { expectNoAxeViolations } from '../support/axe.js';
import { appClient, waitFor } from '../support/browser-rooms.js';
import { mountWithClient, unmountAll } from '../support/elements.js';
import { localServerUrl } from '../support/local-server-url.js';
import { realtimeStats } from '../support/server-control.js';

/**
 * A page with all five elements while hostile peers (the real supabase-js in Node, through
 * wtr-hostile-commands.mjs) flood its room for six seconds: cursor and typing storms, malformed
 * payloads, presence forged for the page's own user and the calm peer, 200 KB junk, 1 MB
 * payloads, frames over 1 MiB, JSON nested 10,000 deep, garbage frames. A calm peer (Bo) keeps
 * moving his cursor and writing in the chat meanwhile.
 *
 * Proved (the long tasks are printed, not asserted: a time): everything invalid is dropped and counted (and shown
 * in `<flock-status>`); the server answers with Supabase's limits and counts them; Bo's every
 * cursor move and message arrives.
 */

interface FloodReport {
  sent: Record<string, number>;
  shutdowns: Record<string, number>;
  closes: number[];
  joins: { stormers: number; forger: number; giant: number };
  calm: { cursors: number; last: { x: number; y: number }; messages: string[] };
}
interface Peers {
  id: string;
  calm: string;
  stormers: string[];
  forger: string;
  giant: string;
}

const FLOOD_MS = 6000;

describe('a room flooded by hostile peers', () => {
  const clients: SupabaseClient[] = [];
  const hosts: HTMLElement[] = [];
  let peers: Peers | undefined;

  after(async () => {
    if (peers) await executeServerCommand('hostile-peers-stop', { id: peers.id });
    await unmountAll(hosts, clients);
  });

  it('stays responsive, drops and counts everything invalid, and still delivers the calm peer’s cursor and chat', async function () {
    this.timeout(60_000);
    const url = await localServerUrl();
    const name = `hostile-${crypto.randomUUID()}`;
    const client = await appClient(url, 'Ada');
    clients.push(client);
    const flockRoom = mountWithClient(
      client,
      name,
      `<header><flock-status></flock-status> <flock-avatars></flock-avatars> <flock-bell></flock-bell></header>
       <main id="canvas" style="position:fixed;left:0;top:0;width:400px;height:300px"></main>
       <flock-cursors target="#canvas"></flock-cursors>
       <flock-chat></flock-chat>`,
      hosts,
    );
    await waitFor(() => flockRoom.api?.connection.status === 'connected' && !!flockRoom.api.user, 'connected', 15_000);
    const room: Room = flockRoom.api!;
    const ada = room.user!.id;
    peers = await executeServerCommand<Peers, { url: string; room: string }>('hostile-peers-start', { url, room: name });
    const calm = peers.calm;
    const valid = new Set([ada, calm, ...peers.stormers]);
    await waitFor(() => [...valid].every((id) => room.presence.has(id)), 'Bo and the Mallorys present', 15_000);

    // What reaches the page's channel at all, and what the Room lets through to the elements.
    const channel = client.getChannels().find((c) => c.topic === `realtime:flock:${name}`)!;
    let arrived = 0;
    channel.on('broadcast', { event: '*' }, () => void arrived++);
    const delivered: Array<{ event: 'cursor' | 'typing'; payload: unknown; at: number }> = [];
    const offCursor = room.onBroadcast('cursor', (payload) => delivered.push({ event: 'cursor', payload, at: performance.now() }));
    const offTyping = room.onBroadcast('typing', (payload) => delivered.push({ event: 'typing', payload, at: performance.now() }));
    const strangers: string[] = [];
    let presenceEvents = 0;
    let unchanged = 0;
    let seen = JSON.stringify([...room.presence]);
    const onPresence = () => {
      presenceEvents++;
      const now = JSON.stringify([...room.presence]);
      if (now === seen) unchanged++;
      seen = now;
      for (const [id, metas] of room.presence) if (!valid.has(id) || metas.some((m) => m.id !== id || m.name === 'Impostor')) strangers.push(id);
    };
    room.addEventListener('presence', onPresence);
    const errors: unknown[] = [];
    const onError = (e: ErrorEvent | PromiseRejectionEvent) => errors.push('reason' in e ? e.reason : e.error);
    window.addEventListener('error', onError);
    window.addEventListener('unhandledrejection', onError);
    const longTasks: PerformanceEntry[] = [];
    const frames: PerformanceEntry[] = [];
    const observers = [
      new PerformanceObserver((list) => longTasks.push(...list.getEntries())),
      new PerformanceObserver((list) => frames.push(...list.getEntries())),
    ];
    observers[0]!.observe({ type: 'longtask' });
    observers[1]!.observe({ type: 'long-animation-frame' });
    const droppedBefore = room.connection.dropped;
    const statsBefore = await realtimeStats();

    const start = performance.now();
    const report = await executeServerCommand<FloodReport, { id: string; victims: string[]; ms: number }>('hostile-flood', {
      id: peers.id,
      victims: [ada, calm],
      ms: FLOOD_MS,
    });
    // The last of it is still on its way: let it land before reading the counters.
    await waitFor(() => report.calm.messages.every((m) => bodies().includes(m)), 'every calm message in the chat', 10_000);
    await new Promise((r) => setTimeout(r, 500));
    const end = performance.now();
    for (const o of observers) o.disconnect();
    offCursor();
    offTyping();
    room.removeEventListener('presence', onPresence);
    window.removeEventListener('error', onError);
    window.removeEventListener('unhandledrejection', onError);

    const during = (e: PerformanceEntry) => e.startTime >= start && e.startTime <= end;
    const mine = longTasks.filter(during);
    const maxLongTask = Math.max(0, ...mine.map((e) => e.duration));
    const maxFrame = Math.max(0, ...frames.filter(during).map((e) => e.duration));
    // What a long task is attributable to: the scripts long-animation-frame names, each one
    // callback (a WebSocket message, a timer, a frame callback) with its microtasks.
    type Script = { invoker: string; sourceURL: string; duration: number };
    const scripts = frames.filter(during).flatMap((f) => (f as PerformanceEntry & { scripts: Script[] }).scripts);
    const longest = scripts.reduce<Script | undefined>((a, b) => (a && a.duration >= b.duration ? a : b), undefined);
    const dropped = room.connection.dropped - droppedBefore;
    const statsAfter = await realtimeStats();
    const serverDropped = Object.fromEntries(
      Object.entries(statsAfter.dropped).map(([k, v]) => [k, v - (statsBefore.dropped[k] ?? 0)]),
    );
    console.log(
      `hostile flood: ${JSON.stringify(report.sent)}; shutdowns ${JSON.stringify(report.shutdowns)}; closes ${JSON.stringify(report.closes)}; ` +
        `rejoins ${JSON.stringify(report.joins)}; page: ${presenceEvents} presence events (${unchanged} unchanged), ${arrived} broadcasts arrived, ${delivered.length} delivered, ${dropped} dropped; ` +
        `long tasks ${mine.length} (max ${maxLongTask.toFixed(0)} ms); longest animation frame ${maxFrame.toFixed(0)} ms; ` +
        `longest script ${longest ? `${longest.duration.toFixed(0)} ms (${longest.invoker} ${longest.sourceURL.split('/').pop()})` : 'none'}; server dropped ${JSON.stringify(serverDropped)}`,
    );

    // Responsiveness is a time, and tests never time things (a loaded runner stretches any
    // task): the long tasks and the longest script are printed above for the record, and
    // judged by a benchmark, not here.
    expect(errors.length).to.equal(0);

    // Everything invalid dropped and counted: what arrived is either delivered or counted.
    expect(arrived).to.be.greaterThan(500);
    expect(dropped).to.be.at.least(arrived - delivered.length);
    expect(dropped).to.be.greaterThan(500);
    for (const d of delivered) {
      const message = d.event === 'cursor' ? parseCursor(d.payload) : parseTyping(d.payload);
      expect(message?.id !== undefined && valid.has(message.id), `delivered ${JSON.stringify(d.payload).slice(0, 80)}`).to.equal(true);
    }
    // No sender got more through than the Room's per-sender budget: the burst, then 30 a second.
    for (const sender of peers.stormers) {
      const cursors = delivered.filter((d) => d.event === 'cursor' && (d.payload as { id: string }).id === sender).length;
      expect(cursors).to.be.at.most(SENDER_LIMIT.burst + Math.ceil(((end - start) / 1000) * SENDER_LIMIT.perSecond));
    }
    expect(strangers).to.deep.equal([]);
    // Only real changes are news: the forger's churn of invalid metas announces nothing (each
    // sync used to be announced, re-rendering avatars, cursors and chat for nothing).
    expect(unchanged).to.equal(0);
    expect(room.presence.get(ada)!.every((m) => m.name === 'Ada')).to.equal(true);
    const avatars = flockRoom.querySelector('flock-avatars')!.shadowRoot!.textContent ?? '';
    expect(avatars).not.to.contain('Impostor');

    // <flock-status> shows the count.
    const status = flockRoom.querySelector<FlockStatus>('flock-status')!;
    status.open = true;
    await status.updateComplete;
    const fields = [...status.shadowRoot!.querySelectorAll('[part="details"] dt')];
    const droppedField = fields.find((dt) => dt.textContent === 'Dropped messages')!;
    expect(droppedField.nextElementSibling!.textContent).to.equal(String(room.connection.dropped));

    // The server refused with Supabase's limits and counted it.
    expect(report.shutdowns['Too many messages per second'] ?? 0).to.be.greaterThan(0);
    expect(report.shutdowns['Client presence rate limit exceeded'] ?? 0).to.be.greaterThan(0);
    expect(report.closes).to.include(1009);
    expect(report.closes).to.include(1007);
    expect(serverDropped.rate_limited).to.be.greaterThan(0);
    expect(serverDropped.too_large).to.be.greaterThan(0);
    expect(serverDropped.malformed).to.be.greaterThan(0);

    // The calm peer: every cursor move arrived, the last one is drawn, every message is in the chat.
    const fromBo = delivered.filter((d) => (d.payload as { id: string }).id === calm);
    expect(fromBo.length).to.equal(report.calm.cursors);
    expect(fromBo.at(-1)!.payload).to.deep.equal({ v: 1, id: calm, ...report.calm.last });
    const cursors = flockRoom.querySelector<FlockCursors>('flock-cursors')!;
    expect(cursors.shadowRoot!.querySelector(`[part~="cursor"][data-id="${calm}"]`)).not.to.equal(null);
    expect(report.calm.messages.length).to.be.at.least(2);
    for (const message of report.calm.messages) expect(bodies()).to.include(message);

    await expectNoAxeViolations(flockRoom);

    function bodies(): string[] {
      const chat = flockRoom.querySelector<FlockChat>('flock-chat')!;
      return [...chat.shadowRoot!.querySelectorAll('[part~="message"] [part~="body"]')].map((b) => b.textContent ?? '');
    }
  });
});

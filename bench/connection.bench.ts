import type { Browser, Page } from 'puppeteer-core';
import { startServer } from '../server/start.ts';
import { heapUsedBytes, launchChromium, serveKit } from './support/browser.ts';
import { summarize } from './support/stats.ts';

/**
 * The shared connection in the machine's Chromium, against the local server in this process,
 * with the script-tag build of the kit:
 * (a) time from `<flock-room>` reporting `connected` to the first presence sync that shows the
 *     user, over fresh page loads (each a new browser context, so a new anonymous user);
 * (b) JS heap after a forced GC: the kit's import, then one connection with 5 rooms joined,
 *     against 5 × one room on a page of its own (the cost of sharing the socket).
 */
const LOADS = 20;
const ROOMS = 5;

interface PageFigures {
  connectedToPresenceMs: number;
  mountToPresenceMs: number;
}

/** Runs in the page: mounts `count` rooms and resolves once every one shows its user present. */
async function mountRooms(serverUrl: string, count: number, prefix: string): Promise<PageFigures> {
  const mountedAt = performance.now();
  const els = Array.from({ length: count }, (_, i) => {
    const el = document.createElement('flock-room');
    el.setAttribute('supabase-url', serverUrl);
    el.setAttribute('room', `${prefix}-${i}`);
    return el;
  });
  let connectedAt: number | undefined;
  const onStatus = (event: Event) => {
    const { state } = (event as CustomEvent<{ state: { status: string } }>).detail;
    if (state.status === 'connected') connectedAt ??= performance.now();
  };
  els[0]!.addEventListener('flock-status-change', onStatus);
  document.body.append(...els);
  type Api = { user?: { id: string }; presence: Map<string, unknown> } & EventTarget;
  await Promise.all(
    els.map(
      (el) =>
        new Promise<void>((resolve, reject) => {
          const api = (el as unknown as { api?: Api }).api;
          if (!api) return reject(new Error(`${el.getAttribute('room')}: <flock-room> has no api after mounting`));
          // Fail with a reason rather than wait out puppeteer's protocol timeout if a join stalls.
          const timer = setTimeout(() => reject(new Error(`${el.getAttribute('room')}: no presence sync with the user within 10 s`)), 10_000);
          const check = () => {
            if (!api.user || !api.presence.has(api.user.id)) return;
            clearTimeout(timer);
            resolve();
          };
          api.addEventListener('presence', check);
          check();
        }),
    ),
  );
  const now = performance.now();
  // A missing `connected` event would otherwise read as a 0 ms figure.
  if (connectedAt === undefined) throw new Error('presence synced but <flock-room> never reported connected');
  return { connectedToPresenceMs: now - connectedAt, mountToPresenceMs: now - mountedAt };
}

async function openPage(browser: Browser, origin: string): Promise<Page> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  // tsx (esbuild, keepNames) wraps functions in `__name(...)`; functions sent to the page need it there.
  await page.evaluateOnNewDocument('globalThis.__name = (fn) => fn;');
  await page.goto(origin);
  // Count sockets from the page's own constructor, before the kit exists.
  await page.evaluate(() => {
    const Native = window.WebSocket;
    const w = window as unknown as { socketsOpened: number };
    w.socketsOpened = 0;
    window.WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        w.socketsOpened++;
      }
    };
  });
  return page;
}

async function importKit(page: Page, origin: string): Promise<void> {
  await page.evaluate(async (src) => {
    await import(src);
  }, `${origin}/flock.js`);
}

/** Heap with the kit imported and `rooms` rooms joined; returns [before import, after import, after joining]. */
async function heapWith(browser: Browser, origin: string, serverUrl: string, rooms: number): Promise<{ blank: number; kit: number; joined: number; sockets: number }> {
  const page = await openPage(browser, origin);
  const blank = (await heapUsedBytes(page)) / 1024;
  await importKit(page, origin);
  const kit = (await heapUsedBytes(page)) / 1024;
  await page.evaluate(mountRooms, serverUrl, rooms, `heap-${rooms}-${Date.now()}`);
  // Let joins, tracks and heartbeats settle before weighing.
  await new Promise((r) => setTimeout(r, 500));
  const joined = (await heapUsedBytes(page)) / 1024;
  const sockets = await page.evaluate(() => (window as unknown as { socketsOpened: number }).socketsOpened);
  await page.browserContext().close();
  return { blank, kit, joined, sockets };
}

const round = (n: number, places = 1): number => Math.round(n * 10 ** places) / 10 ** places;

export default async function connectionBench(): Promise<Record<string, unknown>> {
  const server = await startServer({ port: 0 });
  const origin = await serveKit();
  const browser = await launchChromium();
  try {
    const connected: number[] = [];
    const mounted: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      const page = await openPage(browser, origin.url);
      await importKit(page, origin.url);
      const figures = await page.evaluate(mountRooms, server.url, 1, `sync-${i}`);
      connected.push(figures.connectedToPresenceMs);
      mounted.push(figures.mountToPresenceMs);
      await page.browserContext().close();
    }
    const toPresence = summarize(connected);
    const fromMount = summarize(mounted);
    console.log(`connected → first presence sync, ${LOADS} fresh loads: p50 ${toPresence.p50} ms, p95 ${toPresence.p95} ms, max ${toPresence.max} ms`);
    console.log(`mount → first presence sync (anonymous sign-in, socket, join, track): p50 ${fromMount.p50} ms, p95 ${fromMount.p95} ms`);

    const one = await heapWith(browser, origin.url, server.url, 1);
    const five = await heapWith(browser, origin.url, server.url, ROOMS);
    const kitKib = five.kit - five.blank;
    const oneRoomKib = one.joined - one.kit;
    const fiveRoomsKib = five.joined - five.kit;
    console.log(`heap: kit import ${round(kitKib)} KiB; connection + 1 room ${round(oneRoomKib)} KiB; connection + ${ROOMS} rooms ${round(fiveRoomsKib)} KiB`);
    console.log(`  ${ROOMS} rooms on one connection vs ${ROOMS} × (connection + 1 room): ×${round(fiveRoomsKib / (ROOMS * oneRoomKib), 2)}`);
    console.log(`  WebSockets opened by the page with ${ROOMS} rooms: ${five.sockets}`);
    return {
      connectedToPresenceMs: toPresence,
      mountToPresenceMs: fromMount,
      heapKib: {
        kitImport: round(kitKib),
        connectionWith1Room: round(oneRoomKib),
        connectionWith5Rooms: round(fiveRoomsKib),
        ratio5RoomsVs5Connections: round(fiveRoomsKib / (ROOMS * oneRoomKib), 2),
      },
      websocketsWith5Rooms: five.sockets,
    };
  } finally {
    await browser.close();
    await origin.close();
    await server.close();
  }
}

import { startServer } from '../server/start.ts';
import { freshPage, launchChromium, serveKit } from './support/browser.ts';
import { summarize } from './support/stats.ts';

/**
 * `<flock-bell>` in the machine's Chromium:
 * (a) a row inserted in the database for the user (as the service side would) to the badge
 *     showing it in the browser, through the local server's postgres_changes and RLS;
 * (b) rendering an inbox of 500 notifications (a MemoryRoom, so no network): open to laid out.
 */
const INSERTS = 50;
const RENDERS = 10;
const INBOX = 500;

/** Runs in the page: a kit-made room with a bell; resolves with the user id once its channel listens. */
async function mountBell(serverUrl: string): Promise<string> {
  await import('/flock.js' as string);
  const room = document.createElement('flock-room') as HTMLElement & { api?: { user?: { id: string }; addEventListener(t: string, l: () => void): void } };
  room.setAttribute('supabase-url', serverUrl);
  room.setAttribute('room', 'bench');
  room.innerHTML = '<flock-bell></flock-bell>';
  document.body.append(room);
  const bell = room.querySelector('flock-bell') as HTMLElement & { unread: number };
  const seen: number[] = [];
  (window as unknown as { seen: number[] }).seen = seen;
  bell.addEventListener('flock-notification', () => {
    // The badge is drawn in this frame: time it when the frame is painted.
    requestAnimationFrame(() => seen.push(performance.timeOrigin + performance.now()));
  });
  await new Promise<void>((resolve) => room.api!.addEventListener('resync', () => resolve()));
  return room.api!.user!.id;
}

/** Runs in the page: a bell over 500 notifications in memory; times opening it. */
async function renderInbox(count: number, runs: number): Promise<number[]> {
  type Kit = { MemoryNetwork: new () => { tables: { flock_notifications: unknown[] }; join(o: unknown): unknown } };
  const kit = (await import('/flock.js' as string)) as Kit;
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const network = new kit.MemoryNetwork();
    for (let i = 0; i < count; i++) {
      network.tables.flock_notifications.push({ id: `n${i}`, user_id: 'me', kind: 'info', title: `Notification ${i}`, body: i % 2 ? 'Some body text here' : null, url: i % 3 ? null : `/d/${i}`, actor_name: 'Ada', created_at: new Date(Date.now() - i * 60_000).toISOString(), read_at: i % 4 ? null : new Date().toISOString() });
    }
    const provider = document.createElement('flock-room') as HTMLElement & { api: unknown };
    provider.api = network.join({ room: 'bench', user: { id: 'me', name: 'Me' } });
    const bell = document.createElement('flock-bell') as HTMLElement & { open: boolean; pageSize: number; unread: number; updateComplete: Promise<unknown>; shadowRoot: ShadowRoot };
    bell.pageSize = count;
    provider.append(bell);
    document.body.append(provider);
    while (bell.unread === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const start = performance.now();
    bell.open = true;
    await bell.updateComplete;
    bell.shadowRoot.querySelector('[part="panel"]')!.getBoundingClientRect();
    times.push(performance.now() - start);
    provider.remove();
  }
  return times;
}

export default async function bellBench(): Promise<Record<string, unknown>> {
  const origin = await serveKit();
  const server = await startServer({ port: 0 });
  const browser = await launchChromium();
  try {
    const page = await freshPage(browser, origin.url);
    const userId = await page.evaluate(mountBell, server.url);
    const latencies: number[] = [];
    for (let i = 0; i < INSERTS; i++) {
      const before = await page.evaluate(() => (window as unknown as { seen: number[] }).seen.length);
      const start = performance.timeOrigin + performance.now();
      await server.ctx.db.asOwner((tx) => tx.query('insert into public.flock_notifications (user_id, title) values ($1, $2)', [userId, `Bench ${i}`]));
      let seen: number[] = [];
      for (let tries = 0; tries < 500 && seen.length <= before; tries++) {
        seen = await page.evaluate(() => (window as unknown as { seen: number[] }).seen);
        if (seen.length <= before) await new Promise((r) => setTimeout(r, 5));
      }
      if (seen.length > before) latencies.push(seen[before]! - start);
    }
    const live = summarize(latencies);
    console.log(`database insert to the badge painted, through the local server: p50 ${live.p50} ms, p99 ${live.p99} ms (${latencies.length}/${INSERTS})`);

    const renderPage = await freshPage(browser, origin.url);
    const renders = summarize(await renderPage.evaluate(renderInbox, INBOX, RENDERS));
    console.log(`opening an inbox of ${INBOX} notifications, to laid out: p50 ${renders.p50} ms, p95 ${renders.p95} ms (${RENDERS} runs)`);
    return { insertToBadgeMs: live, inbox500RenderMs: renders };
  } finally {
    await browser.close();
    await server.close();
    await origin.close();
  }
}

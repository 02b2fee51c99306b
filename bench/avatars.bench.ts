import type { Page } from 'puppeteer-core';
import { launchChromium, serveKit } from './support/browser.ts';
import { summarize } from './support/stats.ts';

/**
 * `<flock-avatars>` in the machine's Chromium, on a MemoryRoom (no network in the figure):
 * (a) rendering a presence sync of 1,000 members: mount to first render with layout;
 * (b) one join into a 1,000-member room: the presence event to the re-render with layout.
 * Goal from the issue: a join re-renders in under 4 ms.
 */
const MEMBERS = 1000;
const MOUNTS = 15;
const JOINS = 60;
const JOIN_GOAL_MS = 4;

interface Figures {
  mounts: number[];
  joins: number[];
}

/** Runs in the page. */
async function measure(members: number, mounts: number, joins: number): Promise<Figures> {
  type El = HTMLElement & { updateComplete: Promise<unknown>; shadowRoot: ShadowRoot };
  type Kit = {
    MemoryNetwork: new () => {
      join(o: { room: string; user: { id: string; name: string } }): EventTarget & { presence: Map<string, unknown> };
      injectPresence(room: string, key: string, meta: unknown): void;
    };
  };
  const kit = (await import('/flock.js' as string)) as Kit;
  const tick = () => new Promise((r) => setTimeout(r, 0));
  const meta = (id: string, i: number) => ({ v: 1, id, name: `Person ${i}`, color: '#1d4ed8', status: i % 7 === 0 ? 'away' : 'active', since: 1_700_000_000_000 + i });
  const layout = (el: El) => (el.shadowRoot.firstElementChild as HTMLElement | null)?.getBoundingClientRect();

  const network = new kit.MemoryNetwork();
  const room = network.join({ room: 'bench', user: { id: 'me', name: 'Me' } });
  for (let i = 1; i < members; i++) network.injectPresence('bench', `p${i}`, meta(`p${i}`, i));
  while (room.presence.size < members) await tick();

  const result: Figures = { mounts: [], joins: [] };
  for (let m = 0; m < mounts; m++) {
    const provider = document.createElement('flock-room') as HTMLElement & { api: unknown };
    provider.api = room;
    const el = document.createElement('flock-avatars') as El;
    provider.append(el);
    const start = performance.now();
    document.body.append(provider);
    await el.updateComplete;
    layout(el);
    result.mounts.push(performance.now() - start);
    if (m < mounts - 1) provider.remove();
  }

  const el = document.querySelector('flock-avatars') as El;
  // Timed from the room dispatching the presence change (before any listener runs) to the
  // settled render with layout: the element's merge, order, diff and render, nothing else.
  const dispatch = room.dispatchEvent.bind(room);
  let timing: ((ms: number) => void) | undefined;
  room.dispatchEvent = (event: Event) => {
    const start = performance.now();
    const result = dispatch(event);
    const report = timing;
    if (event.type === 'presence' && report) {
      timing = undefined;
      void el.updateComplete.then(() => {
        layout(el);
        report(performance.now() - start);
      });
    }
    return result;
  };
  for (let j = 0; j < joins; j++) {
    const done = new Promise<number>((resolve) => (timing = resolve));
    network.injectPresence('bench', `join-${j}`, meta(`join-${j}`, members + j));
    result.joins.push(await done);
  }
  return result;
}

async function run(page: Page, origin: string): Promise<Figures> {
  await page.goto(origin);
  return page.evaluate(measure, MEMBERS, MOUNTS, JOINS);
}

export default async function avatarsBench(): Promise<Record<string, unknown>> {
  const origin = await serveKit();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    // tsx (esbuild, keepNames) wraps functions in `__name(...)`; functions sent to the page need it there.
    await page.evaluateOnNewDocument('globalThis.__name = (fn) => fn;');
    const figures = await run(page, origin.url);
    const sync = summarize(figures.mounts);
    const join = summarize(figures.joins);
    console.log(`presence sync of ${MEMBERS} members, mount to rendered: p50 ${sync.p50} ms, p95 ${sync.p95} ms (${MOUNTS} mounts)`);
    console.log(`one join into ${MEMBERS} members, to re-rendered: p50 ${join.p50} ms, p95 ${join.p95} ms (${JOINS} joins); goal < ${JOIN_GOAL_MS} ms: ×${Math.round((join.p50 / JOIN_GOAL_MS) * 100) / 100} of the goal`);
    return { members: MEMBERS, syncRenderMs: sync, joinRenderMs: join, joinGoalMs: JOIN_GOAL_MS, joinP50VsGoal: Math.round((join.p50 / JOIN_GOAL_MS) * 100) / 100 };
  } finally {
    await browser.close();
    await origin.close();
  }
}

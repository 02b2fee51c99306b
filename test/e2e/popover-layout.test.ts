import { after, before, test } from 'node:test';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { AxeResults, RunOptions } from 'axe-core';
import { launchChromium } from './support/chromium.ts';
import { buildStorybook } from './support/storybook-build.ts';
import { startChildServer, startCommand, type ChildServer, type Started } from '../support/child-server.ts';
import { until } from './support/checks.ts';

/**
 * Every popover of every element, where pages put them: in Storybook stories (the element alone at
 * the left edge, at the right edge, and as an item of a flex row that stretches it; and the
 * Overview's header) and in the demo (`npm start`, two windows so there is someone to mention),
 * at 390×844, 1280×800 and 1280×800 at 200 % zoom (a 640×400 CSS viewport at two device pixels
 * per CSS pixel), left to right and right to left. Each open panel must be entirely inside the
 * viewport, attached to its trigger (the nearest edge within 16 px of it), and the document must
 * gain no horizontal scroll. At 1280×800, axe runs on each story with each popover open.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
// Served beside the stories, as test/e2e/storybook.test.ts does.
const AXE_DIR = dirname(createRequire(import.meta.url).resolve('axe-core/axe.min.js'));

interface Viewport {
  name: string;
  width: number;
  height: number;
  scale: number;
}
const VIEWPORTS: Viewport[] = [
  { name: '390x844', width: 390, height: 844, scale: 1 },
  { name: '1280x800', width: 1280, height: 800, scale: 1 },
  { name: '1280x800@200%', width: 640, height: 400, scale: 2 },
];
const DIRS = ['ltr', 'rtl'] as const;
type Dir = (typeof DIRS)[number];

/** One popover: the host element, how to open it, and the panel to measure (selectors in the host's shadow root). */
interface Popover {
  name: string;
  host: string;
  trigger: string;
  panel: string;
  /** `click` the trigger, `hover` it, or type `@` into it. */
  open: 'click' | 'hover' | 'mention';
  /** The trigger is the last match (else the first). */
  last?: boolean;
}
const STATUS: Popover = { name: 'status details', host: 'flock-status', trigger: '[part="button"]', panel: '[part="details"]', open: 'click' };
const INBOX: Popover = { name: 'inbox', host: 'flock-bell', trigger: '[part="button"]', panel: '[part="panel"]', open: 'click' };
const LIST: Popover = { name: 'avatar list', host: 'flock-avatars', trigger: '[part="overflow"]', panel: '[part="list"]', open: 'click' };
// The last avatar shown: the tooltip must follow the hovered one, not sit under the first.
const TOOLTIP: Popover = { name: 'avatar tooltip', host: 'flock-avatars', trigger: '[part="group"] > [part~="avatar"]', panel: '[part="tooltip"]', open: 'hover', last: true };
const MENTIONS: Popover = { name: 'mention suggestions', host: 'flock-chat', trigger: '[part~="input"]', panel: '[part="suggestions"]', open: 'mention' };
const ALL = [STATUS, INBOX, LIST, TOOLTIP, MENTIONS];

/** The element stories that have each popover, and where a page puts the element. */
const SINGLE: { story: string; popovers: Popover[] }[] = [
  { story: 'elements-flock-status--offline-with-queued-and-refused-writes', popovers: [STATUS] },
  { story: 'elements-flock-bell--hundred-fifty-unread', popovers: [INBOX] },
  { story: 'elements-flock-avatars--six-overflow', popovers: [LIST, TOOLTIP] },
  { story: 'elements-flock-chat--mentions', popovers: [MENTIONS] },
];
const PLACEMENTS = {
  'left edge': { container: 'display:flex;justify-content:flex-start', element: '' },
  'right edge': { container: 'display:flex;justify-content:flex-end', element: '' },
  'stretching flex row': { container: 'display:flex;align-items:stretch;min-block-size:60vh', element: 'flex:1 1 auto' },
} as const;
type Placement = keyof typeof PLACEMENTS;

let server: ChildServer;
let browser: Browser;
let demo: Started;
let data: string;

before(async () => {
  await buildStorybook();
  server = await startChildServer(['--static', 'storybook-static', '--static', AXE_DIR]);
  data = await mkdtemp(join(tmpdir(), 'flock-layout-'));
  demo = await startCommand('npm', ['start', '--', '--port', '0', '--data', data], /Flock demo: (http:\/\/[^\s/]+)/, { cwd: root });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await demo?.stop();
  if (data) await rm(data, { recursive: true, force: true });
});

async function newPage(viewport: Viewport): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: viewport.width, height: viewport.height }, deviceScaleFactor: viewport.scale });
  // tsx names the functions it compiles (`__name(fn, 'box')`); the page has no such helper.
  await context.addInitScript('globalThis.__name = (fn) => fn');
  const page = await context.newPage();
  // A trigger that is not there fails its case in seconds, not the default 30.
  page.setDefaultTimeout(5_000);
  return { context, page };
}

/** Opens a story and waits for its elements to render and settle (as test/e2e/storybook.test.ts does). */
async function openStory(page: Page, id: string, dir: Dir): Promise<void> {
  await page.goto(`${server.url}/iframe.html?id=${id}&viewMode=story&globals=dir:${dir}`, { waitUntil: 'load' });
  await page.waitForFunction(() => [...document.querySelectorAll('#storybook-root flock-room > *, #storybook-root flock-room *')].some((e) => e.shadowRoot?.childElementCount), undefined, { timeout: 15_000, polling: 50 });
  await settle(page);
}

async function settle(page: Page): Promise<void> {
  await page.evaluate(async () => {
    for (const element of document.querySelectorAll('*')) await (element as HTMLElement & { updateComplete?: Promise<unknown> }).updateComplete;
    await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  });
}

/** Puts the story's element at an edge or in a stretching row: styles on its layout parent and on itself, no move (a move would reconnect it). */
async function place(page: Page, host: string, placement: Placement): Promise<void> {
  const { container, element } = PLACEMENTS[placement];
  await page.evaluate(
    ({ host, container, element }) => {
      // The stories' padding would keep the element off the edge.
      document.body.style.cssText = 'margin:0;padding:0';
      const story = document.querySelector<HTMLElement>('#storybook-root')!;
      story.style.padding = '0';
      const el = document.querySelector<HTMLElement>(`#storybook-root ${host}`)!;
      let parent = el.parentElement!;
      while (getComputedStyle(parent).display === 'contents') parent = parent.parentElement!;
      parent.style.cssText += `;${container}`;
      el.style.cssText += `;${element}`;
    },
    { host, container, element },
  );
}

/** Opens one popover with the pointer or keyboard, as a person would. */
async function open(page: Page, popover: Popover): Promise<void> {
  const triggers = page.locator(`${popover.host} ${popover.trigger}`);
  const trigger = popover.last ? triggers.last() : triggers.first();
  // Some stories open their panel already: a click would close it.
  const shown = () => page.evaluate(({ host, panel }) => !!document.querySelector(host)?.shadowRoot?.querySelector(panel)?.checkVisibility(), popover);
  if (popover.open === 'click') {
    if (!(await shown())) await trigger.click();
  }
  else if (popover.open === 'hover') await trigger.hover();
  else {
    await trigger.click();
    await trigger.pressSequentially('@');
  }
  await settle(page);
}

interface Measured {
  panel: { left: number; top: number; right: number; bottom: number; width: number; height: number } | null;
  trigger: { left: number; top: number; right: number; bottom: number };
  viewport: { width: number; height: number };
  scrollWidth: number;
}

/** The panel's and trigger's boxes, the visual viewport and the document's scroll width. */
function measure(page: Page, popover: Popover): Promise<Measured> {
  return page.evaluate(({ host, trigger, panel, last }) => {
    const root = document.querySelector(host)!.shadowRoot!;
    const box = (e: Element) => {
      const r = e.getBoundingClientRect();
      return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height };
    };
    const panelElement = root.querySelector(panel);
    const visible = panelElement && panelElement.checkVisibility() && panelElement.getBoundingClientRect().width > 0;
    return {
      panel: visible ? box(panelElement) : null,
      trigger: box([...root.querySelectorAll(trigger)].at(last ? -1 : 0)!),
      viewport: { width: document.documentElement.clientWidth, height: window.innerHeight },
      scrollWidth: document.documentElement.scrollWidth,
    };
  }, popover);
}

/** axe-core on the story with its popover open (shadow roots and the top layer included). */
async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ url: '/axe.min.js' });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Element, options: RunOptions): Promise<AxeResults> } }).axe;
    const result = await axe.run(document.querySelector('#storybook-root')!, { resultTypes: ['violations'] });
    return result.violations.map((v) => `axe ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
  });
}

/** What is wrong with one open panel, as sentences (empty when it is right). */
function problems({ panel, trigger, viewport, scrollWidth }: Measured): string[] {
  if (!panel) return ['the panel did not open'];
  const found: string[] = [];
  const px = (n: number) => `${Math.round(n)}`;
  if (panel.left < -0.5 || panel.top < -0.5 || panel.right > viewport.width + 0.5 || panel.bottom > viewport.height + 0.5) {
    found.push(`panel ${px(panel.left)},${px(panel.top)}–${px(panel.right)},${px(panel.bottom)} leaves the ${viewport.width}×${viewport.height} viewport`);
  }
  const gapX = Math.max(0, panel.left - trigger.right, trigger.left - panel.right);
  const gapY = Math.max(0, panel.top - trigger.bottom, trigger.top - panel.bottom);
  const gap = Math.hypot(gapX, gapY);
  if (gap > 16) found.push(`panel is ${px(gap)} px from its trigger`);
  if (scrollWidth > viewport.width) found.push(`the document scrolls sideways (${scrollWidth} > ${viewport.width})`);
  return found;
}

test('every popover stays on screen and attached to its trigger, in Storybook and the demo', async () => {
  const failures: string[] = [];
  let cases = 0;
  let failed = 0;
  const check = async (label: string, page: Page, popover: Popover, axe = false) => {
    cases++;
    let found: string[];
    try {
      await open(page, popover);
      found = problems(await measure(page, popover));
      if (axe) found.push(...(await axeViolations(page)));
    } catch (error) {
      found = [(error as Error).message.split('\n')[0]!];
    }
    if (found.length) failed++;
    failures.push(...found.map((f) => `${label} ${popover.name}: ${f}`));
  };

  for (const viewport of VIEWPORTS) {
    const { context, page } = await newPage(viewport);
    for (const dir of DIRS) {
      for (const { story, popovers } of SINGLE) {
        for (const placement of Object.keys(PLACEMENTS) as Placement[]) {
          for (const popover of popovers) {
            await openStory(page, story, dir);
            await place(page, popover.host, placement);
            // axe once per popover and direction, with it open.
            const axe = viewport.name === '1280x800' && placement === 'left edge';
            await check(`${story} ${viewport.name} ${dir} ${placement}:`, page, popover, axe);
          }
        }
      }
      for (const popover of ALL) {
        await openStory(page, 'overview-flock-room--all-together', dir);
        await check(`overview ${viewport.name} ${dir}:`, page, popover, viewport.name === '1280x800');
      }
    }
    await context.close();
  }

  // The demo: a second window is someone to mention and a second avatar; max=1 makes the "+1" list.
  for (const viewport of VIEWPORTS) {
    const other = await newPage(viewport);
    await other.page.goto(`${demo.match}/`);
    await other.page.locator('flock-room').waitFor();
    const { context, page } = await newPage(viewport);
    for (const dir of DIRS) {
      for (const popover of ALL) {
        await page.goto(`${demo.match}/`);
        await page.locator('flock-avatars').waitFor();
        await until('two people in the demo', () => page.evaluate(() => document.querySelector('flock-avatars')!.shadowRoot!.querySelectorAll('[part~="avatar"]').length), (n) => n >= 2);
        await page.evaluate((dir) => {
          document.documentElement.dir = dir;
          document.querySelector('flock-avatars')!.setAttribute('max', '1');
        }, dir);
        await settle(page);
        await check(`demo ${viewport.name} ${dir}:`, page, popover);
      }
    }
    await context.close();
    await other.context.close();
  }

  console.log(`popover layout: ${failed} of ${cases} cases fail`);
  assert.deepEqual(failures, [], `${failures.length} problems in ${cases} cases`);
});

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/chromium.ts';
import { startCommand, type Started } from '../support/child-server.ts';
import { until } from './support/checks.ts';

/**
 * The demo in two windows (two people), left to right and right to left: a pointer moved in one
 * window draws the other window's cursor ARROW (its tip, not only its label) within 2 px of the
 * same point of the design.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
let demo: Started;
let data: string;
let browser: Browser;

before(async () => {
  data = await mkdtemp(join(tmpdir(), 'flock-cursors-rtl-'));
  demo = await startCommand('npm', ['start', '--', '--port', '0', '--data', data], /Flock demo: (http:\/\/[^\s/]+)/, { cwd: root });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await demo?.stop();
  if (data) await rm(data, { recursive: true, force: true });
});

async function open(dir: 'ltr' | 'rtl'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${demo.match}/`);
  await page.locator('flock-avatars').waitFor();
  await page.evaluate((dir) => (document.documentElement.dir = dir), dir);
  return page;
}

/** The tip of the one cursor's arrow (the path starts at 1,1 of its 18×22 box), or null when none is drawn on screen. */
const arrowTip = (page: Page) =>
  page.evaluate(() => {
    const svg = document.querySelector('flock-cursors')?.shadowRoot?.querySelector('[part~="cursor"]:not([data-hidden]) svg');
    if (!svg) return null;
    const box = svg.getBoundingClientRect();
    return { x: box.left + 1, y: box.top + 1, cursorWidth: svg.parentElement!.getBoundingClientRect().width };
  });

for (const dir of ['ltr', 'rtl'] as const) {
  test(`${dir}: a pointer in one window puts the other window's cursor arrow within 2 px of it`, async () => {
    const a = await open(dir);
    const b = await open(dir);
    try {
      await until('two people', () => b.evaluate(() => document.querySelector('flock-avatars')!.shadowRoot!.querySelectorAll('[part~="avatar"]').length), (n) => n >= 2);
      for (const [fx, fy] of [
        [0.2, 0.3],
        [0.75, 0.6],
      ] as const) {
        const boxA = (await a.locator('#canvas').boundingBox())!;
        const x = boxA.x + boxA.width * fx;
        const y = boxA.y + boxA.height * fy;
        await a.mouse.move(x - 20, y - 20);
        await a.mouse.move(x, y, { steps: 4 });
        // The same point of the design in the other window (the canvas's own box there).
        const boxB = (await b.locator('#canvas').boundingBox())!;
        const expected = { x: boxB.x + (x - boxA.x), y: boxB.y + (y - boxA.y) };
        const tip = await until(
          `the arrow at ${Math.round(expected.x)},${Math.round(expected.y)}`,
          () => arrowTip(b),
          (t) => t !== null && Math.abs(t.x - expected.x) <= 2 && Math.abs(t.y - expected.y) <= 2,
        );
        assert.ok(tip!.cursorWidth < 100, `the cursor's box is its arrow and label, not the layer's width (${tip!.cursorWidth} px)`);
      }
    } finally {
      await a.context().close();
      await b.context().close();
    }
  });
}

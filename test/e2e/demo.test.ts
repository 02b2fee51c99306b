import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { collectErrors, launchChromium } from './support/chromium.ts';
import { startCommand, type Started } from '../support/child-server.ts';
import { storedMessages, until } from './support/checks.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const screenshots = join(root, 'docs/screenshots');

/** `npm start` as a newcomer runs it (on a free port, with its data in a folder of the test's). */
const startDemo = (data: string): Promise<Started> =>
  startCommand('npm', ['start', '--', '--port', '0', '--data', data], /Flock demo: (http:\/\/[^\s/]+)/, { cwd: root });

interface Window {
  page: Page;
  errors: string[];
  name: string;
}

let demo: Started;
let data: string;
let browser: Browser;
const windows: Window[] = [];

/** Text of every element matching `selector` inside `host`'s shadow root. */
const shadowTexts = (page: Page, host: string, selector: string): Promise<string[]> =>
  page.evaluate(
    ([h, s]) => [...(document.querySelector(h!)?.shadowRoot?.querySelectorAll(s!) ?? [])].map((e) => (e.getAttribute('aria-label') ?? '') + ' ' + (e.textContent ?? '')),
    [host, selector],
  );

async function send(window: Window, text: string): Promise<void> {
  const input = window.page.locator('flock-chat [part~="input"]');
  await input.fill(text);
  await input.press('Enter');
}

before(async () => {
  data = await mkdtemp(join(tmpdir(), 'flock-demo-'));
  demo = await startDemo(data);
  browser = await launchChromium();
  for (let i = 0; i < 2; i++) {
    // Two browser contexts: two windows with nothing shared, two people.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors = collectErrors(page);
    await page.goto(`${demo.match}/`);
    await page.locator('flock-room').waitFor();
    const name = await until('the user', () => page.evaluate(() => (window as unknown as { flockRoom: { user?: { name: string } } }).flockRoom.user?.name ?? ''), (n) => n !== '');
    windows.push({ page, errors, name });
  }
});

after(async () => {
  await browser?.close();
  await demo?.stop();
  await rm(data, { recursive: true, force: true });
});

test('npm start serves the demo, with its data on disk', async () => {
  const health = (await (await fetch(`${demo.match}/flock/health`)).json()) as { status: string };
  assert.equal(health.status, 'ok');
  assert.ok((await stat(data)).isDirectory() && (await stat(join(data, 'PG_VERSION'))).isFile(), 'the database lives in the data folder');
  const [a, b] = windows;
  assert.notEqual(a!.name, b!.name, 'each window is its own user with its own name');
});

test('each window sees the other: avatar, cursor and chat message', async () => {
  const [a, b] = windows as [Window, Window];
  for (const [me, other] of [[a, b], [b, a]] as const) {
    await until(`${other.name}'s avatar in ${me.name}'s window`, () => shadowTexts(me.page, 'flock-avatars', '[part~="avatar"]'), (t) => t.some((s) => s.includes(other.name)));
  }

  // A's pointer over the design shows as a labelled cursor in B's window, and the other way round.
  for (const [me, other] of [[a, b], [b, a]] as const) {
    const box = (await me.page.locator('#canvas').boundingBox())!;
    await me.page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.35);
    await me.page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.4, { steps: 5 });
    await until(`${me.name}'s cursor in ${other.name}'s window`, () => shadowTexts(other.page, 'flock-cursors', '[part~="label"]'), (t) => t.some((s) => s.includes(me.name)));
  }

  await send(a, 'Can the plan cards share one height?');
  await send(b, 'Yes, and the Team card stays highlighted.');
  for (const w of [a, b]) {
    await until(`both messages in ${w.name}'s chat`, () => shadowTexts(w.page, 'flock-chat', '[part~="body"]'), (t) => t.some((s) => s.includes('share one height')) && t.some((s) => s.includes('stays highlighted')));
  }
  assert.equal((await storedMessages(demo.match, 'Can the plan cards share one height?')).length, 1);

  await mkdir(screenshots, { recursive: true });
  await a.page.screenshot({ path: join(screenshots, 'demo-window-a.png') });
  await b.page.screenshot({ path: join(screenshots, 'demo-window-b.png') });
});

test('"Simulate offline": the status says so, a message waits, and is sent exactly once on return', async () => {
  const [a, b] = windows as [Window, Window];
  await a.page.locator('#offline').check();
  await until('Offline in the status', () => shadowTexts(a.page, 'flock-status', '[part~="label"]'), (t) => t.some((s) => s.includes('Offline')));
  const text = 'Written on the train, sent when back.';
  await send(a, text);
  await until('the message pending', () => a.page.evaluate(() => (document.querySelector('flock-chat') as unknown as { messages: { body: string; state: string }[] }).messages.map((m) => `${m.state}:${m.body}`)), (m) => m.includes(`pending:${text}`));
  assert.equal((await storedMessages(demo.match, text)).length, 0, 'nothing reached the server while offline');
  await a.page.screenshot({ path: join(screenshots, 'demo-offline.png') });

  await a.page.locator('#offline').uncheck();
  await until('the message in the other window', () => shadowTexts(b.page, 'flock-chat', '[part~="body"]'), (t) => t.filter((s) => s.includes(text)).length === 1);
  await until('Connected again', () => shadowTexts(a.page, 'flock-status', '[part~="label"]'), (t) => t.some((s) => s.includes('Connected')));
  assert.equal((await storedMessages(demo.match, text)).length, 1, 'sent exactly once');
});

test('"Send me a notification" reaches this window\'s bell, and only its', async () => {
  const [a, b] = windows as [Window, Window];
  const unread = (w: Window): Promise<number> => w.page.evaluate(() => (document.querySelector('flock-bell') as unknown as { unread: number }).unread);
  const before = await unread(a);
  await b.page.locator('#notify').click();
  await until('the badge', () => unread(b), (n) => n === 1);
  await until('the hint', () => b.page.locator('#hint').textContent(), (t) => (t ?? '').startsWith('Sent'));
  assert.equal(await unread(a), before, "the other window's bell is untouched");
});

test('screenshots: 390 and 1280 px wide, left to right and right to left, light and dark (docs/screenshots)', async () => {
  await mkdir(screenshots, { recursive: true });
  for (const width of [390, 1280]) {
    for (const dir of ['ltr', 'rtl'] as const) {
      for (const scheme of ['light', 'dark'] as const) {
        const context = await browser.newContext({ viewport: { width, height: width === 390 ? 844 : 800 }, colorScheme: scheme });
        const page = await context.newPage();
        const errors = collectErrors(page);
        await page.goto(`${demo.match}/`);
        await page.locator('flock-avatars').waitFor();
        await page.evaluate((dir) => (document.documentElement.dir = dir), dir);
        await until('everyone in the avatars', () => page.evaluate(() => document.querySelector('flock-avatars')!.shadowRoot!.querySelectorAll('[part~="avatar"]').length), (n) => n >= 3);
        await until('connected', () => shadowTexts(page, 'flock-status', '[part~="label"]'), (t) => t.some((s) => s.includes('Connected')));
        // The header stays one usable bar: nothing in it is pushed off screen or squeezed under its size.
        const header = await page.evaluate(() =>
          ['flock-avatars', 'flock-status', 'flock-bell'].map((tag) => {
            const box = document.querySelector(tag)!.getBoundingClientRect();
            return { tag, left: box.left, right: box.right, height: box.height };
          }),
        );
        for (const box of header) {
          assert.ok(box.left >= 0 && box.right <= width, `${width} ${dir}: ${box.tag} is on screen (${Math.round(box.left)}–${Math.round(box.right)})`);
          assert.ok(box.height < 48, `${width} ${dir}: ${box.tag} is one line high (${box.height} px)`);
        }
        assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth), `${width} ${dir}: no sideways scroll`);
        await page.screenshot({ path: join(screenshots, `demo-${width}-${dir}-${scheme}.png`) });
        assert.deepEqual(errors, [], `${width} ${dir} ${scheme}`);
        await context.close();
      }
    }
  }
});

test('the pages logged no errors, and the data outlives a restart', async () => {
  for (const w of windows) assert.deepEqual(w.errors, [], `${w.name}'s page`);
  await demo.stop();
  demo = await startDemo(data);
  assert.equal((await storedMessages(demo.match, 'Can the plan cards share one height?')).length, 1, 'kept in the data folder across a restart');
});

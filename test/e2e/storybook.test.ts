import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { AxeResults, RunOptions } from 'axe-core';
import { startChildServer, type ChildServer } from '../support/child-server.ts';
import { launchChromium } from './support/chromium.ts';
import { buildStorybook, storyIndex, type IndexEntry } from './support/storybook-build.ts';

/**
 * The built Storybook, as a designer opens it: every story renders its element with no console
 * error and no axe violation, in the default theme and again in the dark theme right to left
 * (the toolbar's globals); each docs page lists what custom-elements.json documents.
 */

// Served beside the stories (a second --static root) so each page loads it from the cache, compiled once.
const AXE_DIR = dirname(createRequire(import.meta.url).resolve('axe-core/axe.min.js'));
/** Pages open at once: the visits wait on the network and the renderer more than on the CPU. */
const PAGES = 3;
/** The one failed request a story means to make: BrokenImages shows a picture that is not there. */
const EXPECTED_404 = '/no-such-picture.png';
const manifest = createRequire(import.meta.url)('../../custom-elements.json') as {
  modules: { declarations?: { tagName?: string; attributes?: { name: string; type?: { text: string } }[]; events?: { name: string }[]; cssParts?: { name: string }[]; cssProperties?: { name: string }[] }[] }[];
};

let server: ChildServer;
let browser: Browser;
let stories: IndexEntry[] = [];
let docs: IndexEntry[] = [];

before(async () => {
  await buildStorybook();
  const entries = await storyIndex();
  stories = entries.filter((entry) => entry.type === 'story');
  docs = entries.filter((entry) => entry.type === 'docs');
  server = await startChildServer(['--static', 'storybook-static', '--static', AXE_DIR]);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The element a story is about: the last part of its title (`Elements/flock-chat`). */
const tagOf = (entry: IndexEntry): string => entry.title.split('/').at(-1)!;

/** Opens a story and waits until its element has drawn something in its shadow root. */
async function openStory(page: Page, entry: IndexEntry, globals?: string, args?: string): Promise<void> {
  const url = `${server.url}/iframe.html?id=${entry.id}&viewMode=story${globals ? `&globals=${globals}` : ''}${args ? `&args=${args}` : ''}`;
  await page.goto(url, { waitUntil: 'load' });
  const tag = tagOf(entry);
  const handle = await page.waitForFunction(
    (tag) => {
      if (document.body.classList.contains('sb-show-errordisplay')) return `error: ${document.querySelector('#error-message')?.textContent ?? ''} ${document.querySelector('#error-stack')?.textContent ?? ''}`;
      const root = document.querySelector('#storybook-root');
      const element = root?.querySelector(tag);
      return root && root.childElementCount > 0 && element?.shadowRoot && element.shadowRoot.childElementCount > 0 ? 'rendered' : false;
    },
    tag,
    { timeout: 15_000, polling: 50 },
  );
  const outcome = await handle.jsonValue();
  assert.equal(outcome, 'rendered', `${entry.id} failed to render: ${outcome}`);
  // Every element's pending update and the MemoryRoom's next-tick deliveries, as the element tests wait for them.
  await page.evaluate(async (tag) => {
    for (const element of document.querySelectorAll(`#storybook-root ${tag}`)) await (element as HTMLElement & { updateComplete?: Promise<unknown> }).updateComplete;
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const element of document.querySelectorAll(`#storybook-root ${tag}`)) await (element as HTMLElement & { updateComplete?: Promise<unknown> }).updateComplete;
  }, tag);
}

/** Page errors and console errors (a failed request with its URL), for a test to assert empty. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const url = message.location().url;
    if (url.endsWith(EXPECTED_404) || url.endsWith('/favicon.ico')) return;
    errors.push(`console: ${message.text()}${url ? ` (${url})` : ''}`);
  });
  return errors;
}

/** Runs `visit` for every entry on a few pages at once; returns the failures it reports. */
async function visitAll(entries: IndexEntry[], visit: (page: Page, entry: IndexEntry, errors: string[]) => Promise<string[]>): Promise<string[]> {
  const queue = [...entries];
  const failures: string[] = [];
  await Promise.all(
    Array.from({ length: PAGES }, async () => {
      const page = await browser.newPage();
      const errors = collectErrors(page);
      try {
        for (let entry = queue.shift(); entry; entry = queue.shift()) {
          errors.length = 0;
          const found = await visit(page, entry, errors).catch((error: Error) => [error.message]);
          failures.push(...found.map((failure) => `${entry!.id}: ${failure}`));
        }
      } finally {
        await page.close();
      }
    }),
  );
  return failures;
}

/** axe-core on the story root (shadow roots included), with the options the element tests use. */
async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ url: '/axe.min.js' });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Element, options: RunOptions): Promise<AxeResults> } }).axe;
    const result = await axe.run(document.querySelector('#storybook-root')!, { resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
  });
}

test('the build has a story for each of the six elements, and docs pages', () => {
  const tags = new Set(stories.map(tagOf));
  assert.deepEqual([...tags].sort(), ['flock-avatars', 'flock-bell', 'flock-chat', 'flock-cursors', 'flock-room', 'flock-status']);
  assert.equal(docs.length, tags.size, 'one autodocs page per element');
});

test('every story renders its element with no console error and no axe violation', async () => {
  const failures = await visitAll(stories, async (page, entry, errors) => {
    await openStory(page, entry);
    const violations = await axeViolations(page);
    return [...(violations.length ? [`axe found\n  ${violations.join('\n  ')}`] : []), ...errors];
  });
  assert.deepEqual(failures, [], `${failures.length} failures in ${stories.length} stories`);
});

test('every story in the dark theme, right to left (the toolbar globals), passes axe too', async () => {
  const failures = await visitAll(stories, async (page, entry, errors) => {
    await openStory(page, entry, 'theme:dark;dir:rtl');
    // The theme root says which theme it drew, and the element itself lays out right to left.
    const applied = await page.evaluate((tag) => {
      const root = document.querySelector<HTMLElement>('#storybook-root .flock-story');
      const element = document.querySelector(`#storybook-root ${tag}`)!;
      return `${root?.dataset.theme} ${getComputedStyle(element).direction}`;
    }, tagOf(entry));
    const violations = await axeViolations(page);
    return [
      ...(applied === 'dark rtl' ? [] : [`the globals did not apply (theme and direction: ${applied})`]),
      ...(violations.length ? [`axe found\n  ${violations.join('\n  ')}`] : []),
      ...errors,
    ];
  });
  assert.deepEqual(failures, [], `${failures.length} failures in ${stories.length} stories`);
});

test('each docs page lists the attributes, events, parts and CSS properties of custom-elements.json', async () => {
  const page = await browser.newPage();
  const errors = collectErrors(page);
  try {
    for (const entry of docs) {
      const tag = tagOf(entry);
      const element = manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.tagName === tag);
      assert.ok(element, `${tag} is not in custom-elements.json`);
      await page.goto(`${server.url}/iframe.html?id=${entry.id}&viewMode=docs`, { waitUntil: 'load' });
      // The args table is drawn once the docs page has its stories; its rows are the manifest's names.
      await page.waitForSelector('.docblock-argstable tbody tr', { timeout: 30_000 });
      const table = await page.locator('.docblock-argstable').first().innerText();
      const expected = [...(element.attributes ?? []), ...(element.events ?? []), ...(element.cssParts ?? []), ...(element.cssProperties ?? [])].map((item) => item.name);
      const missing = expected.filter((name) => !table.includes(name));
      assert.deepEqual(missing, [], `${entry.id} does not list these from the manifest`);
      // Each attribute's row has a working control (an input, a choice or a "Set …" button), not "-".
      const withoutControl = await page.evaluate((names) => {
        const rows = [...document.querySelector('.docblock-argstable')!.querySelectorAll('tbody tr')];
        return names.filter((name) => !rows.some((row) => row.querySelector('td')?.textContent?.trim() === name && row.querySelector('input, select, textarea, button')));
      }, (element.attributes ?? []).map((a) => a.name));
      assert.deepEqual(withoutControl, [], `${entry.id}: attributes without a control`);
    }
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test("each element's controls set its attributes (one story per element, every attribute through the URL's args)", async () => {
  const firstStories = [...new Map(stories.map((entry) => [tagOf(entry), entry])).values()];
  const failures = await visitAll(firstStories, async (page, entry) => {
    const tag = tagOf(entry);
    const attributes = manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.tagName === tag)?.attributes ?? [];
    // Storybook takes URL args only for args that have a control, and only plain values: this is what a control sends.
    const values = attributes.map((attribute): [string, string, string | null] => {
      const type = attribute.type?.text ?? 'string';
      if (type === 'boolean') return [attribute.name, '!true', ''];
      if (type === 'number') return [attribute.name, '7', '7'];
      const option = /'([^']*)'/.exec(type)?.[1];
      if (option !== undefined) return [attribute.name, option, option];
      if (attribute.name.endsWith('color')) return [attribute.name, '!hex(0f766e)', '#0f766e'];
      return [attribute.name, 'from-a-control', 'from-a-control'];
    });
    const args = values.map(([name, value]) => `${name}:${value}`).join(';');
    await openStory(page, entry, undefined, args);
    const actual = await page.evaluate(
      ({ tag, names }) => names.map((name) => document.querySelector(`#storybook-root ${tag}`)!.getAttribute(name)),
      { tag, names: values.map(([name]) => name) },
    );
    return values.flatMap(([name, , expected], i) => (actual[i] === expected ? [] : [`${name} is ${JSON.stringify(actual[i])}, not ${JSON.stringify(expected)}`]));
  });
  assert.equal(firstStories.length, 6);
  assert.deepEqual(failures, []);
});

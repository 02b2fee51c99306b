import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { parseSync } from 'rolldown/utils';
import { minifyCss, minifyHtml, minifyTemplatesIn } from '../../build/minify-lit-templates.ts';
import { launchChromium } from './support/chromium.ts';

// The build strips indentation from Lit's css/html templates; Chromium is the judge that what it
// writes means the same: the same CSS rules, and the same DOM (text compared as rendered).

const SRC = new URL('../../src/', import.meta.url).pathname;
const sources = (readdirSync(SRC, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => join(SRC, f));

interface Template {
  where: string;
  tag: 'css' | 'html';
  quasis: string[];
}

/** Every css`` and html`` template in src/, as its raw pieces. */
function templates(): Template[] {
  const found: Template[] = [];
  for (const file of sources) {
    const code = readFileSync(file, 'utf8');
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(visit);
      if (!node || typeof node !== 'object') return;
      const n = node as { type?: string; tag?: { type: string; name: string }; quasi?: { quasis: { value: { raw: string } }[] }; start?: number };
      if (n.type === 'TaggedTemplateExpression' && n.tag?.type === 'Identifier' && (n.tag.name === 'css' || n.tag.name === 'html')) {
        const line = code.slice(0, n.start).split('\n').length;
        found.push({ where: `${file.slice(SRC.length)}:${line}`, tag: n.tag.name, quasis: n.quasi!.quasis.map((q) => q.value.raw) });
      }
      for (const [key, value] of Object.entries(n)) if (key !== 'parent') visit(value);
    };
    visit(parseSync(file, code, { lang: 'ts', sourceType: 'module' }).program);
  }
  return found;
}

// Plain script text, not functions: tsx would wrap named functions in a helper the page lacks.
const IN_PAGE = `
  window.cssom = (text) => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(text);
    return [...sheet.cssRules].map((r) => r.cssText);
  };
  window.dom = (quasis) => {
    const template = document.createElement('template');
    template.innerHTML = quasis.map((s, i) => (i ? 'lit$' + i + '$' : '') + s).join('');
    const describe = (node) => {
      if (node.nodeType === Node.TEXT_NODE) return JSON.stringify(node.textContent.replace(/\\s+/g, ' '));
      if (node.nodeType === Node.COMMENT_NODE) return '<!--' + node.data + '-->';
      const attrs = [...node.attributes].map((a) => a.name + '=' + JSON.stringify(a.value)).join(' ');
      const kids = [...(node instanceof HTMLTemplateElement ? node.content : node).childNodes].map(describe).join(',');
      return '<' + node.nodeName + ' ' + attrs + '>[' + kids + ']';
    };
    return [...template.content.childNodes].map(describe).join(',');
  };
`;

let browser: Browser;
let page: Page;
before(async () => {
  browser = await launchChromium();
  page = await browser.newPage();
  await page.evaluate(IN_PAGE);
});
after(async () => {
  await browser?.close();
});

type InPage = { cssom(text: string): string[]; dom(quasis: string[]): string };

/**
 * The rules Chromium reads from a style sheet, as it writes them back. It keeps a declaration
 * with a var() (and a custom property) as written, so there spaces after commas and a leading
 * 0 are evened out on both sides; every other declaration it writes in its own canonical form.
 */
const cssom = async (text: string): Promise<string[]> =>
  (await page.evaluate((t) => (window as unknown as InPage).cssom(t), text)).map((rule) =>
    rule.replace(/\s*,\s*/g, ',').replace(/(^|[^\w.#-])(-?)0\.(\d)/g, '$1$2.$3'),
  );

/** A template's DOM as Chromium parses it (bindings as placeholders, as Lit does), text as it renders. */
const dom = (quasis: string[]): Promise<string> => page.evaluate((q) => (window as unknown as InPage).dom(q), quasis);

test('every css template in src/ means the same to Chromium after minifying', async () => {
  const css = templates().filter((t) => t.tag === 'css');
  assert.ok(css.length >= 7, `found ${css.length} css templates`);
  for (const t of css) {
    const minified = minifyCss(t.quasis);
    assert.ok(minified, `${t.where} was left alone`);
    assert.ok(minified.join('').length < t.quasis.join('').length * 0.85, `${t.where} hardly shrank`);
    assert.deepEqual(await cssom(minified.join('')), await cssom(t.quasis.join('')), t.where);
  }
});

test('every html template in src/ parses to the same DOM after minifying', async () => {
  const html = templates().filter((t) => t.tag === 'html');
  assert.ok(html.length >= 40, `found ${html.length} html templates`);
  let shrank = 0;
  for (const t of html) {
    const minified = minifyHtml(t.quasis);
    assert.ok(minified, `${t.where} was left alone`);
    assert.equal(minified.length, t.quasis.length);
    if (minified.join('') !== t.quasis.join('')) shrank++;
    assert.equal(await dom(minified), await dom(t.quasis), t.where);
  }
  assert.ok(shrank >= 20, `only ${shrank} templates shrank`);
});

test('what minifying must not touch stays as it was', async () => {
  const css = (s: string) => minifyCss([s])!.join('');
  assert.equal(css(`a { width: calc(1px + 2px); }`), 'a{width:calc(1px + 2px)}');
  assert.equal(css(`:host :is(a, b) > c { content: ' : x ; '; }`), `:host :is(a,b) > c{content:' : x ; '}`);
  assert.equal(css(`@media (prefers-reduced-motion: reduce) and (min-width: 0.5em) { a { opacity: -0.25; } }`), '@media (prefers-reduced-motion:reduce) and (min-width:.5em){a{opacity:-.25}}');
  assert.equal(css(`[part~='a'][data-x='1 2'] { z-index: 2147483000; }`), `[part~=a][data-x='1 2']{z-index:2147483000}`);
  assert.equal(minifyCss(['a { content: "', '" }']), undefined, 'a string split by a binding is left alone');
  const html = (q: string[]) => minifyHtml(q)?.join('|');
  assert.equal(html(['<p>\n    a\n    <b title="x\n      y">b</b>\n  </p>']), '<p>\na\n<b title="x\n      y">b</b>\n</p>');
  assert.equal(html(['<textarea>\n  keep\n</textarea>\n  <pre>\n  keep</pre>']), '<textarea>\n  keep\n</textarea>\n<pre>\n  keep</pre>');
  assert.equal(html(['<a\n    href=', '\n    title="', '\n  x">\n  ', '\n</a>']), '<a\nhref=|\ntitle="|\n  x">\n|\n</a>');
  assert.equal(html(['<', '>']), undefined, 'a tag name from a binding is left alone');
});

test('the transform keeps every file in src/ the same number of lines', () => {
  let changed = 0;
  for (const file of sources) {
    const code = readFileSync(file, 'utf8');
    const out = minifyTemplatesIn(code, file);
    if (out !== code) changed++;
    assert.equal(out.split('\n').length, code.split('\n').length, file);
  }
  assert.ok(changed >= 10, `only ${changed} files changed`);
});

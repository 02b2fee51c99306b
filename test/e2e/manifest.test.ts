import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { elementSource } from './support/element-source.ts';

/**
 * custom-elements.json is generated (`npm run analyze`) and committed: the package ships it, and
 * Storybook's docs and the framework wrappers read it. These tests keep it current and complete.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CEM = join(ROOT, 'node_modules/@custom-elements-manifest/analyzer/cem.js');
const TAGS = ['flock-room', 'flock-status', 'flock-avatars', 'flock-cursors', 'flock-chat', 'flock-bell'];

interface Named {
  name: string;
  description?: string;
}
interface Declaration extends Named {
  kind: string;
  tagName?: string;
  customElement?: boolean;
  summary?: string;
  attributes?: (Named & { fieldName?: string })[];
  members?: (Named & { kind: string; privacy?: string; attribute?: string })[];
  events?: Named[];
  slots?: Named[];
  cssParts?: Named[];
  cssProperties?: Named[];
}
interface Manifest {
  modules: { path: string; declarations?: Declaration[] }[];
}

const committedText = await readFile(join(ROOT, 'custom-elements.json'), 'utf8');
const manifest = JSON.parse(committedText) as Manifest;
const declarations = manifest.modules.flatMap((module) => module.declarations ?? []);
const names = (items: Named[] | undefined): string[] => (items ?? []).map((item) => item.name).sort();
const undescribed = (items: Named[] | undefined): string[] => (items ?? []).filter((item) => !item.description?.trim()).map((item) => item.name);

test('custom-elements.json is what `npm run analyze` generates from the source now', async () => {
  const out = await mkdtemp(join(tmpdir(), 'flock-cem-'));
  try {
    // The analyzer joins --outdir to the working directory, so it is given relative to it.
    await promisify(execFile)(process.execPath, [CEM, 'analyze', '--config', 'custom-elements-manifest.config.mjs', '--outdir', relative(ROOT, out), '--quiet'], { cwd: ROOT });
    const fresh = await readFile(join(out, 'custom-elements.json'), 'utf8');
    if (fresh !== committedText) {
      const a = committedText.split('\n');
      const b = fresh.split('\n');
      const line = a.findIndex((text, i) => text !== b[i]);
      assert.fail(`custom-elements.json is stale: run npm run analyze\n(first difference at line ${line + 1}: committed ${JSON.stringify(a[line])}, generated ${JSON.stringify(b[line])})`);
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('custom-elements.json holds no machine-specific paths and no private members', () => {
  assert.ok(!committedText.includes(ROOT), 'an absolute path of this checkout is in the manifest');
  assert.ok(!/"(?:\/home|\/Users|\/tmp|[A-Z]:\\\\)/.test(committedText), 'an absolute path is in the manifest');
  for (const declaration of declarations) {
    const hidden = (declaration.members ?? []).filter((member) => member.privacy === 'private' || member.privacy === 'protected').map((m) => m.name);
    assert.deepEqual(hidden, [], `${declaration.name} lists private or protected members`);
  }
});

for (const tag of TAGS) {
  test(`<${tag}> is documented in full: attributes, properties, events, slots, parts and CSS properties`, () => {
    const found = declarations.filter((declaration) => declaration.tagName === tag);
    assert.equal(found.length, 1, `<${tag}> is declared ${found.length} times (a class needs \`@tagname ${tag}\` in its JSDoc)`);
    const element = found[0]!;
    const source = elementSource(tag);
    assert.equal(element.customElement, true);
    assert.ok(element.summary?.trim(), `<${tag}> has no @summary`);
    assert.ok(element.description?.trim(), `<${tag}> has no description`);

    // Attributes: exactly the reactive properties that have one, each described and tied to its property.
    const attributes = source.properties.flatMap((p) => (p.attribute === false ? [] : [p.attribute])).sort();
    assert.deepEqual(names(element.attributes), attributes, `<${tag}>'s attributes differ from its reactive properties`);
    assert.deepEqual(undescribed(element.attributes), [], `<${tag}> has attributes without a description`);
    for (const property of source.properties) {
      const member = element.members?.find((m) => m.name === property.name);
      assert.ok(member, `<${tag}>'s property ${property.name} is missing`);
      assert.ok(member.description?.trim(), `<${tag}>'s property ${property.name} has no description`);
      if (property.attribute !== false) assert.equal(member.attribute, property.attribute, `<${tag}>'s ${property.name} is not tied to its attribute`);
    }
    assert.deepEqual(undescribed(element.members), [], `<${tag}> has public members without a description`);

    // Events: every flock-* event the code fires, and nothing else.
    assert.deepEqual(names(element.events), [...source.events].sort(), `<${tag}>'s events differ from what its code fires`);
    assert.ok(source.events.size > 0 && [...source.events].every((name) => name.startsWith('flock-')));
    assert.deepEqual(undescribed(element.events), [], `<${tag}> has events without a description`);

    // Parts: every name its templates use, and none they don't.
    assert.deepEqual(names(element.cssParts), [...source.parts].sort(), `<${tag}>'s @csspart list differs from the parts its templates use`);
    assert.deepEqual(undescribed(element.cssParts), []);

    // CSS custom properties: every --flock-* its styles read (the shared tokens too), and none they don't.
    assert.deepEqual(names(element.cssProperties), [...source.cssProperties].sort(), `<${tag}>'s @cssproperty list differs from what its styles read`);
    assert.deepEqual(undescribed(element.cssProperties), []);

    assert.equal((element.slots ?? []).length > 0, source.hasSlot, source.hasSlot ? `<${tag}> has a <slot> but no @slot` : `<${tag}> documents a slot it does not have`);
  });
}

test('the source reader finds what it should (so the checks above cannot pass empty)', () => {
  const cursors = elementSource('flock-cursors');
  assert.deepEqual(
    cursors.properties.map((p) => [p.name, p.attribute]),
    [['target', 'target'], ['rate', 'rate'], ['budget', 'budget'], ['idleAfter', 'idle-after'], ['showSelf', 'show-self'], ['hideLabels', 'hide-labels'], ['announce', 'announce'], ['reducedMotion', 'reduced-motion'], ['renderCursor', false]],
  );
  assert.ok(cursors.parts.has('self') && cursors.parts.has('layer'));
  assert.ok(elementSource('flock-status').cssProperties.has('--flock-color-text'));
  assert.ok(elementSource('flock-room').hasSlot);
});

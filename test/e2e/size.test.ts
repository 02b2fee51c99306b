import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bundle, cdnSize, kitSize, PEER_LIBRARIES } from '../../bench/support/bundle-size.ts';
import { SIZE_BUDGETS } from '../../bench/support/size-budgets.ts';

// Sizes, not times: measured by the same bundler and minifier that build the package (`npm run bench -- size` prints them all).

test(`the kit's own code stays within its budget of ${SIZE_BUDGETS.kitGzip / 1000} kB gzip`, async () => {
  const kit = await kitSize();
  assert.ok(kit.gzip <= SIZE_BUDGETS.kitGzip, `the kit is ${kit.gzip} bytes gzip, over its budget of ${SIZE_BUDGETS.kitGzip}`);
});

test(`dist/flock.js is within issue 10's budget of ${SIZE_BUDGETS.cdnGzip / 1000} kB gzip`, async () => {
  const cdn = await cdnSize();
  assert.ok(cdn.gzip <= SIZE_BUDGETS.cdnGzip, `dist/flock.js is ${cdn.gzip} bytes gzip, over its budget of ${SIZE_BUDGETS.cdnGzip}`);
});

test('an element a page does not import is tree-shaken away (sideEffects)', async () => {
  // Through the built files, as an app's bundler meets them: package.json's sideEffects marks
  // only the registering entries, so the shared chunks drop what nothing uses.
  const chatOnly = await bundle(`import '/dist/chat.js';`, PEER_LIBRARIES);
  // A tag as a string literal is what registering it leaves in the code (`flock-status-change`, an event name, is not one).
  const registers = (code: string, tag: string): boolean => new RegExp(`["'\`]${tag}["'\`]`).test(code);
  assert.ok(registers(chatOnly, 'flock-chat') && registers(chatOnly, 'flock-room'), 'flock-kit/chat registers <flock-chat> and <flock-room>');
  for (const unused of ['flock-bell', 'flock-avatars', 'flock-cursors', 'flock-status']) {
    assert.ok(!registers(chatOnly, unused), `flock-kit/chat carries ${unused}`);
  }
  const everything = await bundle(`import '/dist/index.js';`, PEER_LIBRARIES);
  for (const tag of ['flock-bell', 'flock-avatars', 'flock-cursors', 'flock-status']) assert.ok(registers(everything, tag), `flock-kit carries ${tag}`);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { findChromium, installCommand } from '../../build/chromium.mjs';

test('CHROME_PATH wins when it exists, else the first known path that exists', () => {
  const exists = (path: string) => path === '/opt/chrome' || path === '/usr/bin/google-chrome';
  assert.equal(findChromium({ env: { CHROME_PATH: '/opt/chrome' }, exists }), '/opt/chrome');
  assert.equal(findChromium({ env: {}, candidates: ['/usr/bin/chromium', '/usr/bin/google-chrome'], exists }), '/usr/bin/google-chrome');
});

test('a CHROME_PATH that does not exist is an error naming it and the install command, not a fallback', () => {
  assert.throws(
    () => findChromium({ env: { CHROME_PATH: '/nowhere/chromium' }, exists: (p: string) => p === '/usr/bin/chromium', root: true }),
    (error: Error) => error.name === 'ChromiumMissing' && error.message.includes('/nowhere/chromium') && error.message.includes('apt-get install -y --no-install-recommends chromium'),
  );
});

test('no browser at all: the message gives the exact command, with sudo when not root', () => {
  assert.throws(() => findChromium({ env: {}, candidates: ['/a', '/b'], exists: () => false, root: false }), (error: Error) => error.message.includes(installCommand({ root: false })) && error.message.includes('sudo apt-get install'));
});

test('`node build/chromium.mjs` pointed at a missing browser stops at once with the command and no stack trace', () => {
  const run = spawnSync(process.execPath, ['build/chromium.mjs'], { env: { ...process.env, CHROME_PATH: '/nowhere/chromium' }, encoding: 'utf8' });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /CHROME_PATH is \/nowhere\/chromium, which does not exist/);
  assert.match(run.stderr, /apt-get install -y --no-install-recommends chromium/);
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
});

test('web-test-runner pointed at a missing browser stops with the same message, not a launcher stack trace', () => {
  const run = spawnSync(process.execPath, ['node_modules/@web/test-runner/dist/bin.js', 'test/unit/none.test.ts'], { env: { ...process.env, CHROME_PATH: '/nowhere/chromium' }, encoding: 'utf8', timeout: 60_000 });
  assert.notEqual(run.status, 0);
  const output = run.stdout + run.stderr;
  assert.match(output, /CHROME_PATH is \/nowhere\/chromium, which does not exist/);
  assert.doesNotMatch(output, /\n\s+at .*chrome-launcher/, 'no launcher stack trace');
});

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startCommand } from '../support/child-server.ts';
import { LOCAL_ANON_KEY } from '../../server/auth/keys.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string; size: number }[];
}

/** What may ship: the built library and script-tag file with their types, the manifest, the schema, the server's build and its command, the docs. */
const ALLOWED = [/^package\.json$/, /^README\.md$/, /^LICENSE$/, /^custom-elements\.json$/, /^dist\//, /^bin\/flock-kit\.js$/, /^server-dist\//, /^supabase\/migrations\/[^/]+\.sql$/];
const REQUIRED = [
  'dist/flock.js',
  'dist/index.js',
  'dist/memory.js',
  'dist/react.js',
  'dist/chat.js',
  'dist/types/index.d.ts',
  'dist/types/react.d.ts',
  'dist/types/vue.d.ts',
  'custom-elements.json',
  'server-dist/main.js',
  'bin/flock-kit.js',
  'README.md',
  'LICENSE',
];

let packed: PackResult;
let scratch: string;

before(async () => {
  // `npm test` has just built; the tarball is exactly what `npm publish` would upload.
  scratch = await mkdtemp(join(tmpdir(), 'flock-pack-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  packed = (JSON.parse(stdout) as PackResult[])[0]!;
});

after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

test('npm pack holds the build, types, manifest, migrations, the server and the docs, and nothing else', async () => {
  const paths = packed.files.map((f) => f.path);
  const stray = paths.filter((p) => !ALLOWED.some((allowed) => allowed.test(p)));
  assert.deepEqual(stray, [], 'files that should not ship');
  for (const path of REQUIRED) assert.ok(paths.includes(path), `${path} is missing from the package`);
  const migrations = paths.filter((p) => p.startsWith('supabase/migrations/'));
  assert.ok(migrations.length >= 1, 'the schema ships');
  assert.ok(!paths.some((p) => /(^|\/)(test|stories|src|server|demo|examples|bench)\//.test(p) && !p.startsWith('server-dist/')), 'no sources, tests, stories or examples');

  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { customElements?: string; exports: Record<string, unknown> };
  assert.equal(pkg.customElements, 'custom-elements.json');
  // Every export points at a file that ships.
  for (const [entry, target] of Object.entries(pkg.exports)) {
    const files = typeof target === 'string' ? [target] : Object.values(target as Record<string, string>);
    for (const file of files) assert.ok(paths.includes(file.replace(/^\.\//, '')), `exports["${entry}"] → ${file}, which is not in the package`);
  }
});

test('npx flock-kit serve runs from the packed tarball in an empty folder and answers /flock/health', async () => {
  const app = join(scratch, 'app');
  await run('mkdir', ['-p', app]);
  // From npm's cache where it can (CI has just run `npm ci`); no install script runs, and none needs to.
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', join(scratch, packed.filename)], { cwd: app, maxBuffer: 64 * 1024 * 1024 });
  const server = await startCommand('npx', ['--no-install', 'flock-kit', 'serve', '--port', '0', '--memory'], /local server on (http:\/\/\S+)/, { cwd: app });
  try {
    const health = (await (await fetch(`${server.match}/flock/health`)).json()) as { status: string; name: string; version: string };
    assert.equal(health.status, 'ok');
    assert.equal(health.name, 'flock-kit');
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
    assert.equal(health.version, pkg.version);
    // The migrations shipped in the package were applied: the schema answers.
    const rest = await fetch(`${server.match}/rest/v1/flock_notifications?select=id&limit=1`, { headers: { apikey: LOCAL_ANON_KEY, Authorization: `Bearer ${LOCAL_ANON_KEY}` } });
    // The table exists (not 42P01) and its grants keep the anon role out, as the migration says.
    assert.equal(rest.status, 401);
    assert.equal(((await rest.json()) as { code: string }).code, '42501');
  } finally {
    await server.stop();
  }
});

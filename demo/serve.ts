/**
 * `npm start`: the local server with the demo page beside it, one origin, one command. Builds
 * dist/flock.js first when any source is newer (so a fresh clone needs no build step), then
 * serves demo/ and dist/ and prints where to look. Flags pass through to `flock-kit serve`
 * (`npm start -- --port 0 --memory`).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { main } from '../server/main.ts';
import { demoNotifyService } from './notify-service.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = join(root, 'dist/flock.js');

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

async function ensureBundle(): Promise<void> {
  const built = await stat(bundle).then((s) => s.mtimeMs, () => 0);
  if (built > (await newestSource(join(root, 'src')))) return;
  console.log('building dist/flock.js …');
  await build({ root, configFile: join(root, 'vite.config.ts'), mode: 'cdn', logLevel: 'warn' });
}

await ensureBundle();
process.exitCode = await main(['serve', ...process.argv.slice(2)], {
  staticDirs: [join(root, 'demo'), join(root, 'dist')],
  services: [demoNotifyService],
  ready(url) {
    console.log(`\n  Flock demo: ${url}/\n  Open it in two browser windows (or a normal and a private one) to see two people at once.\n`);
  },
});

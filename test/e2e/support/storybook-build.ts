import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const STATIC_DIR = join(ROOT, 'storybook-static');

/** The newest modification time under `path` (a file or a directory, recursively). */
function newest(path: string): number {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats) return 0;
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/**
 * storybook-static/ as `npm run build-storybook` writes it. A build newer than everything it is
 * made from is reused (a local rerun saves the build); CI starts clean and always builds.
 */
export async function buildStorybook(): Promise<{ reused: boolean }> {
  const built = newest(join(STATIC_DIR, 'index.json'));
  const inputs = ['stories', '.storybook', 'src', 'custom-elements.json', 'package.json'].map((path) => newest(join(ROOT, path)));
  if (built > Math.max(...inputs)) return { reused: true };
  await promisify(execFile)(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build-storybook', '--', '--quiet'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  return { reused: false };
}

export interface IndexEntry {
  id: string;
  type: 'story' | 'docs';
  title: string;
  name: string;
}

/** The entries of the built Storybook's index.json. */
export async function storyIndex(): Promise<IndexEntry[]> {
  const index = JSON.parse(await readFile(join(STATIC_DIR, 'index.json'), 'utf8')) as { entries: Record<string, IndexEntry> };
  return Object.values(index.entries);
}

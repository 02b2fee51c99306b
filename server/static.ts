import { realpath, readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { Service } from './http/service.ts';
import type { HttpReply } from './http/types.ts';

/** What a page needs; anything else is served as bytes. */
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

const notFound: HttpReply = { status: 404, json: { message: 'not found' } };

/**
 * Resolves a URL path inside one of `roots`, or undefined. Refuses what could leave a root:
 * `..` segments (also percent-encoded), backslashes, NUL, dot-files (`.env`, `.git`), and
 * symlinks that point outside (checked on the real path).
 */
async function locate(roots: readonly string[], pathname: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '..' || s.startsWith('.'))) return undefined;
  for (const root of roots) {
    let file = join(root, ...segments);
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const real = await realpath(file);
      if (real !== root && !real.startsWith(root + sep)) continue;
      if ((await stat(real)).isFile()) return real;
    } catch {
      // Not in this root: try the next.
    }
  }
  return undefined;
}

/**
 * Serves files from folders at `/` (`flock-kit serve --static DIR`, repeatable; the first folder
 * holding a path wins): the demo, or a page of your own next to the local server, same origin.
 * GET and HEAD only; mounted last, so the API paths always win.
 */
export async function staticService(dirs: readonly string[]): Promise<Service> {
  const roots = await Promise.all(dirs.map((dir) => realpath(resolve(dir))));
  return {
    prefix: '',
    async handle(request) {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return { status: 405, json: { message: 'method not allowed' }, headers: { Allow: 'GET, HEAD' } };
      }
      const file = await locate(roots, request.url.pathname);
      if (!file) return notFound;
      const body = await readFile(file);
      return {
        status: 200,
        body: request.method === 'HEAD' ? undefined : body,
        headers: {
          'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
          'Content-Length': String(body.length),
          // A development server: always the file as it is now.
          'Cache-Control': 'no-cache',
          'X-Content-Type-Options': 'nosniff',
        },
      };
    },
    error: (status, message) => ({ status, json: { message } }),
  };
}

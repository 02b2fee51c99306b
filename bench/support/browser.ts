import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findChromium } from '../../build/chromium.mjs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { build } from 'vite';
import FLAGS from '../../test/support/chromium-flags.json' with { type: 'json' };

/**
 * Chromium for browser benchmarks: the machine's own (build/chromium.mjs: CHROME_PATH, else the
 * usual paths; nothing is downloaded), with the flags a root sandbox needs and that keep it off the
 * network; and a page origin serving a fresh script-tag build of the kit (`/flock.js`).
 */

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export async function launchChromium(): Promise<Browser> {
  return puppeteer.launch({ executablePath: findChromium(), args: FLAGS, headless: true });
}

export interface KitOrigin {
  url: string;
  close(): Promise<void>;
}

/** Builds dist-like `flock.js` into a temp dir and serves it with a blank page; `minify: false` keeps function names for a profile. */
export async function serveKit({ minify = true }: { minify?: boolean } = {}): Promise<KitOrigin> {
  const outDir = await mkdtemp(join(tmpdir(), 'flock-bench-'));
  // The repo's own cdn build (everything bundled), from wherever the runner was started.
  await build({ root: repoRoot, configFile: join(repoRoot, 'vite.config.ts'), mode: 'cdn', logLevel: 'warn', build: { outDir, emptyOutDir: true, sourcemap: false, ...(minify ? {} : { minify: false }) } });
  const script = await readFile(join(outDir, 'flock.js'));
  const server: Server = createServer((req, res) => {
    if (req.url === '/flock.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><meta charset="utf-8"><title>bench</title><body></body>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(outDir, { recursive: true, force: true });
    },
  };
}

/** A page in a context of its own (its own storage: its own anonymous user), on `origin`. */
export async function freshPage(browser: Browser, origin: string): Promise<Page> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  // tsx (esbuild, keepNames) wraps functions in `__name(...)`; functions sent to the page need it there.
  await page.evaluateOnNewDocument('globalThis.__name = (fn) => fn;');
  await page.goto(origin);
  return page;
}

/** The page's used JS heap in bytes, after forcing garbage collection (twice, for weak references). */
export async function heapUsedBytes(page: Page): Promise<number> {
  const cdp = await page.createCDPSession();
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return usedSize;
}

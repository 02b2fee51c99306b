import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { findChromium } from '../../../build/chromium.mjs';

const require = createRequire(import.meta.url);
// One list for every browser the project starts: root needs no sandbox, and the rest keeps Chromium off the network.
const FLAGS = (require('../../support/chromium-flags.json') as string[]).filter((flag) => !flag.startsWith('--headless'));

/** The machine's Chromium (build/chromium.mjs: CHROME_PATH, else the usual paths). Never a download. */
export function chromiumPath(): string {
  return findChromium();
}

/** playwright-core driving the installed Chromium, headless, with the project's flags. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: FLAGS });
}

/** Page errors and console errors, collected from the moment the page opens, for a test to assert empty. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return errors;
}

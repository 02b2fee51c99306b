import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Launcher } from 'chrome-launcher';

const require = createRequire(import.meta.url);
// One list for every browser the project starts: root needs no sandbox, and the rest keeps Chromium off the network.
const FLAGS = (require('../../support/chromium-flags.json') as string[]).filter((flag) => !flag.startsWith('--headless'));

/** The machine's Chromium: CHROME_PATH, else what chrome-launcher finds (/usr/bin/chromium on Debian). Never a download. */
export function chromiumPath(): string {
  const candidates = [process.env.CHROME_PATH, ...Launcher.getInstallations(), '/usr/bin/chromium'];
  const found = candidates.find((path): path is string => !!path && existsSync(path));
  if (!found) throw new Error('No Chromium found: install it (Debian: apt-get install chromium) or set CHROME_PATH');
  return found;
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

#!/usr/bin/env node
// The one place the project finds the machine's Chromium (never a download): the browser tests,
// the e2e tests and the benches all ask here. Run as a script (`npm test` does, first), it checks
// that there is one, installs Debian's when running as root with apt-get (as .ci/run does), or
// stops at once with the exact command that makes the suite run: never a launcher's stack trace.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where Chromium usually is on the machines the project runs on, after CHROME_PATH. */
export const KNOWN_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** The command that installs Chromium here, for the message when there is none. */
export function installCommand({ root = process.getuid?.() === 0 } = {}) {
  return `${root ? '' : 'sudo '}apt-get update && ${root ? '' : 'sudo '}apt-get install -y --no-install-recommends chromium`;
}

/**
 * The browser to use: `CHROME_PATH` when set (and then only that: a wrong path is an error, not a
 * reason to pick another browser), else the first of `candidates` that exists. Throws a
 * `ChromiumMissing` whose message says what to run.
 */
export function findChromium({ env = process.env, candidates = KNOWN_PATHS, exists = existsSync, root } = {}) {
  if (env.CHROME_PATH) {
    if (exists(env.CHROME_PATH)) return env.CHROME_PATH;
    throw new ChromiumMissing(`CHROME_PATH is ${env.CHROME_PATH}, which does not exist. Point it at the machine's Chromium, or unset it and install one:\n  ${installCommand({ root })}`);
  }
  const found = candidates.find((path) => exists(path));
  if (found) return found;
  throw new ChromiumMissing(`No Chromium found (looked for ${candidates.join(', ')}). The browser tests run in the machine's own Chromium; install it:\n  ${installCommand({ root })}\nor set CHROME_PATH to a Chromium or Chrome binary.`);
}

export class ChromiumMissing extends Error {
  name = 'ChromiumMissing';
}

/** As root on Debian with no Chromium and no CHROME_PATH: install it as .ci/run does. Returns whether it did. */
function installAsRoot() {
  if (process.env.CHROME_PATH || process.getuid?.() !== 0 || spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status !== 0) return false;
  console.log(`No Chromium found: installing Debian's (${installCommand({ root: true })})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env });
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    let path;
    try {
      path = findChromium();
    } catch (error) {
      if (!(error instanceof ChromiumMissing) || !installAsRoot()) throw error;
      path = findChromium();
    }
    console.log(`Chromium: ${path}`);
  } catch (error) {
    console.error(error instanceof ChromiumMissing ? error.message : String(error));
    process.exit(1);
  }
}

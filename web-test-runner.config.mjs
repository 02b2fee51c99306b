// Browser tests run in the machine's Chromium (found by chrome-launcher, /usr/bin/chromium on Debian):
// nothing here downloads a browser. TypeScript is compiled on the fly by esbuild.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { createRequire } from 'node:module';
import { chromeLauncher } from '@web/test-runner-chrome';
import { localServerPlugin } from './test/support/wtr-local-server.mjs';
import { faultCommandsPlugin } from './test/support/wtr-fault-commands.mjs';
import { hostileCommandsPlugin } from './test/support/wtr-hostile-commands.mjs';
import { ChromiumMissing, findChromium } from './build/chromium.mjs';

function chromiumPath() {
  try {
    return findChromium();
  } catch (error) {
    if (!(error instanceof ChromiumMissing)) throw error;
    // The launcher's own error would be a stack trace from deep inside it: say what to run instead.
    console.error(error.message);
    process.exit(1);
  }
}

const localServer = localServerPlugin();

// One list for the tests and the benches: root needs no sandbox, and the rest keeps Chromium off the network.
const chromeFlags = createRequire(import.meta.url)('./test/support/chromium-flags.json');

export default {
  files: ['test/**/*.test.ts', '!test/server/**', '!test/e2e/**', '!test/unit/**'],
  nodeResolve: { exportConditions: ['browser', 'production'] },
  concurrency: 1,
  testsFinishTimeout: 5 * 60 * 1000,
  testFramework: { config: { timeout: 20000 } },
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: chromiumPath(),
        headless: true,
        args: chromeFlags,
      },
    }),
  ],
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'tsconfig.json' }), localServer, faultCommandsPlugin({ defaultServer: () => localServer.server }), hostileCommandsPlugin()],
};

// A web-test-runner plugin that starts the real local server (in memory, on a free port) for the
// browser tests and serves its address to them as the virtual module `/__flock/server.js`.
import { register } from 'tsx/esm/api';

export function localServerPlugin() {
  let server;
  return {
    name: 'flock-local-server',
    async serverStart() {
      register();
      const { startServer } = await import('../../server/start.ts');
      server = await startServer({ port: 0 });
    },
    async serverStop() {
      await server?.close();
    },
    serve(context) {
      if (context.path === '/__flock/server.js') {
        return `export const SERVER_URL = ${JSON.stringify(server.url)};`;
      }
    },
  };
}

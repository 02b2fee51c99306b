// A web-test-runner plugin that starts the real local server (in memory, on a free port) for the
// browser tests and serves its address to them at `/__flock/server.json` (see local-server-url.ts).
import { register } from 'tsx/esm/api';

export function localServerPlugin() {
  let server;
  return {
    name: 'flock-local-server',
    /** The running default server, for other plugins (fault commands). */
    get server() {
      return server;
    },
    async serverStart() {
      register();
      const { startServer } = await import('../../server/start.ts');
      server = await startServer({ port: 0 });
    },
    async serverStop() {
      await server?.close();
    },
    serve(context) {
      if (context.path === '/__flock/server.json') {
        return { body: JSON.stringify({ url: server.url }), type: 'json' };
      }
    },
  };
}

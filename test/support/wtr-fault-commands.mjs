// web-test-runner server commands for fault tests: extra local servers that can stop and start
// again on the same port with the same data, SQL as the database owner, the Realtime stats, and
// delaying TCP proxies. Browser tests call them with `executeServerCommand(name, payload)`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDelayProxy } from './tcp-delay.mjs';

export function faultCommandsPlugin({ defaultServer }) {
  const servers = new Map();
  const proxies = new Map();
  let counter = 0;
  let startServer;

  async function load() {
    // tsx is registered by the local-server plugin, which starts first.
    startServer ??= (await import('../../server/start.ts')).startServer;
  }

  function serverOf(id) {
    if (id === undefined) return { server: defaultServer(), port: defaultServer().port };
    const entry = servers.get(id);
    if (!entry) throw new Error(`no test server "${id}"`);
    return entry;
  }

  async function listen(entry) {
    // The port was just released by the stop; give the OS a moment if it is still busy.
    for (let tries = 0; ; tries++) {
      try {
        entry.server = await startServer({ port: entry.port, dataDir: entry.dataDir });
        return;
      } catch (error) {
        if (tries >= 20 || error?.code !== 'EADDRINUSE') throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  const jsonSafe = (value) =>
    JSON.parse(JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? String(v) : v)));

  const commands = {
    async 'flock-server-start'() {
      await load();
      const id = `s${++counter}`;
      const dataDir = await mkdtemp(join(tmpdir(), 'flock-test-'));
      const server = await startServer({ port: 0, dataDir });
      servers.set(id, { server, port: server.port, dataDir, running: true });
      return { id, url: server.url };
    },
    async 'flock-server-stop'({ id }) {
      const entry = serverOf(id);
      if (entry.running) {
        entry.running = false;
        await entry.server.close();
      }
      return { stopped: true };
    },
    async 'flock-server-restart'({ id }) {
      const entry = serverOf(id);
      if (!entry.running) {
        await listen(entry);
        entry.running = true;
      }
      return { url: entry.server.url };
    },
    async 'flock-sql'({ id, sql, params = [] }) {
      const { server } = serverOf(id);
      const result = await server.ctx.db.asOwner((tx) => tx.query(sql, params));
      return { rows: jsonSafe(result.rows) };
    },
    async 'flock-stats'({ id } = {}) {
      return jsonSafe(serverOf(id).server.realtime.snapshot());
    },
    async 'flock-proxy-start'({ id, delayMs = 0 }) {
      const proxy = await startDelayProxy(serverOf(id).port, delayMs);
      const proxyId = `p${++counter}`;
      proxies.set(proxyId, proxy);
      return { proxyId, url: proxy.url };
    },
    async 'flock-proxy-delay'({ proxyId, delayMs }) {
      const proxy = proxies.get(proxyId);
      if (!proxy) throw new Error(`no proxy "${proxyId}"`);
      proxy.setDelay(delayMs);
      return { delayMs };
    },
    async 'flock-proxy-stop'({ proxyId }) {
      await proxies.get(proxyId)?.close();
      proxies.delete(proxyId);
      return { stopped: true };
    },
  };

  return {
    name: 'flock-fault-commands',
    async executeCommand({ command, payload }) {
      const run = commands[command];
      return run ? run(payload ?? {}) : undefined;
    },
    async serverStop() {
      for (const proxy of proxies.values()) await proxy.close();
      for (const entry of servers.values()) {
        if (entry.running) await entry.server.close().catch(() => undefined);
        await rm(entry.dataDir, { recursive: true, force: true });
      }
    },
  };
}

// web-test-runner server commands for fault tests: extra local servers that can stop and start
// again on the same port with the same data, SQL as the database owner, the Realtime stats, and
// fault-injecting TCP proxies (fault-proxy.mjs: latency, jitter, bandwidth, drop, black-hole,
// hold/release, refuse). Browser tests call them with `executeServerCommand(name, payload)`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFaultProxy } from './fault-proxy.mjs';

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
        entry.server = await startServer({ ...entry.options, port: entry.port, dataDir: entry.dataDir });
        return;
      } catch (error) {
        if (tries >= 20 || error?.code !== 'EADDRINUSE') throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  function proxyOf(proxyId) {
    const proxy = proxies.get(proxyId);
    if (!proxy) throw new Error(`no proxy "${proxyId}"`);
    return proxy;
  }

  const jsonSafe = (value) =>
    JSON.parse(JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? String(v) : v)));

  const commands = {
    // Options a test may set: a short token lifetime, Realtime limits (kept across restarts).
    async 'flock-server-start'({ accessTokenSeconds, realtime } = {}) {
      await load();
      const id = `s${++counter}`;
      const dataDir = await mkdtemp(join(tmpdir(), 'flock-test-'));
      const options = { ...(accessTokenSeconds !== undefined ? { accessTokenSeconds } : {}), ...(realtime ? { realtime } : {}) };
      const server = await startServer({ ...options, port: 0, dataDir });
      servers.set(id, { server, port: server.port, dataDir, options, running: true });
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
    async 'flock-proxy-start'({ id, delayMs = 0, latencyMs, jitterMs, bytesPerSecond }) {
      const proxy = await startFaultProxy(serverOf(id).port, { latencyMs: latencyMs ?? delayMs, jitterMs, bytesPerSecond });
      const proxyId = `p${++counter}`;
      proxies.set(proxyId, proxy);
      return { proxyId, url: proxy.url };
    },
    async 'flock-proxy-delay'({ proxyId, delayMs }) {
      proxyOf(proxyId).setDelay(delayMs);
      return { delayMs };
    },
    async 'flock-proxy-shape'({ proxyId, latencyMs, jitterMs, bytesPerSecond }) {
      return proxyOf(proxyId).shape({ latencyMs, jitterMs, bytesPerSecond });
    },
    async 'flock-proxy-drop'({ proxyId, mode = 'close' }) {
      if (mode !== 'close' && mode !== 'reset') throw new Error(`drop mode must be "close" or "reset"`);
      return { dropped: proxyOf(proxyId).drop(mode) };
    },
    async 'flock-proxy-blackhole'({ proxyId, on = true }) {
      proxyOf(proxyId).blackhole(on);
      return { blackhole: on };
    },
    async 'flock-proxy-hold'({ proxyId }) {
      proxyOf(proxyId).hold();
      return { held: true };
    },
    async 'flock-proxy-release'({ proxyId }) {
      proxyOf(proxyId).release();
      return { held: false };
    },
    async 'flock-proxy-refuse'({ proxyId, on = true }) {
      proxyOf(proxyId).refuse(on);
      return { refuse: on };
    },
    async 'flock-proxy-stats'({ proxyId }) {
      return proxyOf(proxyId).stats();
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

// Typed wrappers for the web-test-runner server commands in wtr-fault-commands.mjs, so browser tests
// drive real servers, SQL and a real delaying TCP proxy without casting each result by hand.
// Browser tests only: the commands run in the test runner's Node process.
import { executeServerCommand } from '@web/test-runner-commands';
import type { RealtimeSnapshot } from '../../server/realtime/service.ts';

/** An extra server of the test's own, with its data on disk (survives a restart). */
export interface TestServer {
  id: string;
  url: string;
}

/** A delaying TCP proxy in front of a server; `url` replaces the server's URL for clients. */
export interface TestProxy {
  proxyId: string;
  url: string;
}

/** Starts an extra local server on a free port with a fresh temp data directory (`flock-server-start`). */
export async function startServer(): Promise<TestServer> {
  return executeServerCommand<TestServer, Record<string, never>>('flock-server-start', {});
}

/** Stops an extra server, closing its sockets and database; port and data are kept for a restart (`flock-server-stop`). */
export async function stopServer(id: string): Promise<{ stopped: true }> {
  return executeServerCommand<{ stopped: true }, { id: string }>('flock-server-stop', { id });
}

/** Starts a stopped server again on the same port with the same data, so clients can reconnect to the same URL (`flock-server-restart`). */
export async function restartServer(id: string): Promise<{ url: string }> {
  return executeServerCommand<{ url: string }, { id: string }>('flock-server-restart', { id });
}

/**
 * Runs one SQL statement as the database owner (no RLS), with `$1…` parameters (`flock-sql`).
 * `id` omitted means the run's default server. Rows come back JSON-encoded (bigint as string, dates as ISO strings).
 */
export async function runSql<Row = Record<string, unknown>>(
  sql: string,
  options: { id?: string; params?: unknown[] } = {},
): Promise<Row[]> {
  const { rows } = await executeServerCommand<{ rows: Row[] }, { id?: string; sql: string; params?: unknown[] }>(
    'flock-sql',
    { ...options, sql },
  );
  return rows;
}

/** The server's Realtime counters: connections, channels, messages, drops (`flock-stats`). `id` omitted means the default server. */
export async function realtimeStats(id?: string): Promise<RealtimeSnapshot> {
  return executeServerCommand<RealtimeSnapshot, { id?: string }>('flock-stats', { id });
}

/**
 * Starts a TCP proxy on 127.0.0.1 that holds every chunk `delayMs` in each direction (`flock-proxy-start`).
 * It targets the server's port, so it keeps working across a restart. `id` omitted means the default server.
 */
export async function startProxy(delayMs: number, id?: string): Promise<TestProxy> {
  return executeServerCommand<TestProxy, { id?: string; delayMs: number }>('flock-proxy-start', { id, delayMs });
}

/** Changes a proxy's delay for chunks arriving from now on; bytes never overtake earlier ones (`flock-proxy-delay`). */
export async function setProxyDelay(proxyId: string, delayMs: number): Promise<{ delayMs: number }> {
  return executeServerCommand<{ delayMs: number }, { proxyId: string; delayMs: number }>('flock-proxy-delay', {
    proxyId,
    delayMs,
  });
}

/** Closes a proxy and every connection through it (`flock-proxy-stop`). */
export async function stopProxy(proxyId: string): Promise<{ stopped: true }> {
  return executeServerCommand<{ stopped: true }, { proxyId: string }>('flock-proxy-stop', { proxyId });
}

// Typed wrappers for the fault proxy's web-test-runner commands (wtr-fault-commands.mjs,
// fault-proxy.mjs), and a server start with options. Browser tests only: the commands run in
// the test runner's Node process.
import { executeServerCommand } from '@web/test-runner-commands';
import type { TestProxy, TestServer } from './server-control.js';

export interface ServerOptions {
  /** Access-token lifetime in seconds (the server's default is 3600). */
  accessTokenSeconds?: number;
}

export interface LinkShape {
  /** Added to every chunk in each direction, in ms. */
  latencyMs?: number;
  /** A uniform random 0…jitterMs on top of the latency (order is still kept). */
  jitterMs?: number;
  /** Bytes per second per direction, shared by every connection; 0 means unlimited. */
  bytesPerSecond?: number;
}

export interface ProxyStats extends Required<LinkShape> {
  accepted: number;
  refused: number;
  swallowed: number;
  dropped: number;
  blackholed: number;
  open: number;
  held: boolean;
  blackhole: boolean;
  refuse: boolean;
}

/** An extra server of the test's own (data on disk, survives a restart), with options (`flock-server-start`). */
export function startServerWith(options: ServerOptions): Promise<TestServer> {
  return executeServerCommand<TestServer, ServerOptions>('flock-server-start', options);
}

/** A fault proxy in front of a server (`id` omitted: the default one), shaped from the start. */
export function startFaultProxy(id: string | undefined, shape: LinkShape = {}): Promise<TestProxy> {
  return executeServerCommand<TestProxy, LinkShape & { id?: string }>('flock-proxy-start', { id, ...shape });
}

/** Changes latency, jitter or bandwidth for chunks arriving from now on. */
export function shapeLink(proxyId: string, shape: LinkShape): Promise<Required<LinkShape>> {
  return executeServerCommand<Required<LinkShape>, LinkShape & { proxyId: string }>('flock-proxy-shape', { proxyId, ...shape });
}

/** Ends every connection through the proxy: 'close' (FIN) or 'reset' (RST). Resolves with how many. */
export async function dropConnections(proxyId: string, mode: 'close' | 'reset' = 'close'): Promise<number> {
  return (await executeServerCommand<{ dropped: number }, { proxyId: string; mode: string }>('flock-proxy-drop', { proxyId, mode })).dropped;
}

/** Black-hole on: open connections go silent for good (no data, no close), new ones are swallowed. Off: new connections work. */
export async function blackhole(proxyId: string, on: boolean): Promise<void> {
  await executeServerCommand('flock-proxy-blackhole', { proxyId, on });
}

/** Pauses forwarding both ways; `releaseLink` sends everything held, in order. */
export async function holdLink(proxyId: string): Promise<void> {
  await executeServerCommand('flock-proxy-hold', { proxyId });
}

export async function releaseLink(proxyId: string): Promise<void> {
  await executeServerCommand('flock-proxy-release', { proxyId });
}

/** While on, new connections are reset as they arrive; open ones are left alone. */
export async function refuseConnections(proxyId: string, on: boolean): Promise<void> {
  await executeServerCommand('flock-proxy-refuse', { proxyId, on });
}

export function proxyStats(proxyId: string): Promise<ProxyStats> {
  return executeServerCommand<ProxyStats, { proxyId: string }>('flock-proxy-stats', { proxyId });
}

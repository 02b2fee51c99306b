import { startChildServer, type ChildServer } from '../../test/support/child-server.ts';

/**
 * The local server in a child process that dies with this one: if the bench is interrupted
 * (SIGINT, SIGTERM) or exits early — even while the server is still starting — the child is
 * killed rather than left running on its own.
 */
export async function startGuardedServer(flags: string[]): Promise<{ server: ChildServer; release(): void }> {
  let server: ChildServer | undefined;
  let interrupted = false;
  const kill = (): void => {
    const child = server?.process;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const interrupt = (): void => {
    interrupted = true;
    // While it starts there is no process to kill yet: that happens as soon as it is up.
    if (!server) return;
    kill();
    process.exit(130);
  };
  process.once('exit', kill);
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  const release = (): void => {
    process.off('exit', kill);
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  };
  try {
    server = await startChildServer(flags);
  } catch (error) {
    release();
    throw error;
  }
  if (interrupted) interrupt();
  return { server, release };
}

/** How late the server's event loop ran over its last two minutes (`GET /flock/stats`). */
export interface ServerLoopDelay {
  seconds: number;
  p50: number;
  max: number;
}

/** The server's counters of refused messages and its recent event-loop delay (`GET /flock/stats`). */
export async function serverStats(url: string): Promise<{ dropped: Record<string, number>; loopDelay: ServerLoopDelay }> {
  const response = await fetch(`${url}/flock/stats`);
  const stats = (await response.json()) as { dropped: Record<string, number>; eventLoopDelayMs: { recent: ServerLoopDelay } };
  return { dropped: stats.dropped, loopDelay: stats.eventLoopDelayMs.recent };
}

/** The server's counters of refused messages (`GET /flock/stats`, "dropped"). */
export async function serverDrops(url: string): Promise<Record<string, number>> {
  return (await serverStats(url)).dropped;
}

export function diffDrops(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]));
}

// The delaying TCP proxy of the first fault tests: now the fault proxy with latency only (every
// chunk held `delayMs` in each direction, order kept per direction even when the delay changes).
import { startFaultProxy } from './fault-proxy.mjs';

export async function startDelayProxy(targetPort, delayMs = 0) {
  return startFaultProxy(targetPort, { latencyMs: delayMs });
}

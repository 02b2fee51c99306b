import type { RealtimeClient } from '@supabase/supabase-js';

/**
 * Observes a realtime-js socket without owning it: open/close/error through the socket's
 * state callbacks, heartbeats by chaining onto whatever heartbeat callback is installed (the
 * app's stays called, first). Everything is undone by the returned function — except the
 * heartbeat chain, which cannot be unwound without wrapping the app's callback twice, so it
 * goes quiet instead and keeps forwarding to the app's.
 */

export type HeartbeatStatus = 'sent' | 'ok' | 'error' | 'timeout' | 'disconnected';

export interface SocketObserver {
  open(): void;
  close(event: unknown): void;
  error(): void;
  heartbeat(status: HeartbeatStatus, latencyMs: number | undefined): void;
}

type StateCallbacks = Record<'open' | 'close' | 'error' | 'message', [string, (...args: unknown[]) => void][]>;

let watchers = 0;

export function watchSocket(realtime: RealtimeClient, observer: SocketObserver): () => void {
  const ref = `flock-watch-${++watchers}`;
  // realtime-js exposes the phoenix socket's callback lists as a public getter; pushing an entry
  // is exactly what phoenix's own onOpen/onClose/onError do, and removing it is what `off` does.
  const callbacks = realtime.stateChangeCallbacks as unknown as StateCallbacks;
  callbacks.open.push([ref, () => observer.open()]);
  callbacks.close.push([ref, (event) => observer.close(event)]);
  callbacks.error.push([ref, () => observer.error()]);

  let active = true;
  const previous = realtime.heartbeatCallback as ((status: string, latency?: number) => void) | undefined;
  realtime.onHeartbeat((status, latency) => {
    previous?.(status, latency);
    if (active) observer.heartbeat(status as HeartbeatStatus, latency);
  });

  return () => {
    active = false;
    for (const list of [callbacks.open, callbacks.close, callbacks.error]) {
      const at = list.findIndex(([r]) => r === ref);
      if (at >= 0) list.splice(at, 1);
    }
  };
}

import { createClient, type SupabaseClient, type SupabaseClientOptions } from '@supabase/supabase-js';
import WebSocket from 'ws';

type RealtimeTransport = NonNullable<NonNullable<SupabaseClientOptions<'public'>['realtime']>['transport']>;

/**
 * The unmodified supabase-js for Node, as tests and benchmarks use it: no persisted session
 * (each client is its own user, as separate browsers would be), and the `ws` WebSocket,
 * because Node 20 has no global one and realtime-js refuses to start without it.
 */
export interface NodeClientOptions {
  headers?: Record<string, string>;
  /** Realtime serializer version (supabase-js defaults to 2.0.0). */
  vsn?: '1.0.0' | '2.0.0';
  heartbeatIntervalMs?: number;
}

export function createNodeClient(url: string, key: string, options: NodeClientOptions = {}): SupabaseClient {
  return createClient(url, key, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    global: options.headers ? { headers: options.headers } : {},
    realtime: {
      params: { log_level: 'error' },
      transport: WebSocket as unknown as RealtimeTransport,
      ...(options.vsn ? { vsn: options.vsn } : {}),
      ...(options.heartbeatIntervalMs ? { heartbeatIntervalMs: options.heartbeatIntervalMs } : {}),
    },
  });
}

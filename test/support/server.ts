import type { SupabaseClient } from '@supabase/supabase-js';
import { LOCAL_ANON_KEY, LOCAL_SERVICE_ROLE_KEY } from '../../server/auth/keys.ts';
import { startServer, type RunningServer, type StartOptions } from '../../server/start.ts';
import { createNodeClient } from './node-client.ts';

export { LOCAL_ANON_KEY, LOCAL_SERVICE_ROLE_KEY };

/** Starts the real local server on a free port, in memory unless a data dir is given. */
export function startTestServer(options: StartOptions = {}): Promise<RunningServer> {
  return startServer({ port: 0, ...options });
}

/**
 * A fresh, unmodified supabase-js client against `server`. Sessions are kept in memory,
 * so each client is its own user, as two browsers would be.
 */
export function makeClient(server: RunningServer, key: string = LOCAL_ANON_KEY): SupabaseClient {
  return createNodeClient(server.url, key);
}

/** A client signed in anonymously with the given display name; returns it with its user id. */
export async function anonymousUser(
  server: RunningServer,
  name: string,
): Promise<{ client: SupabaseClient; id: string }> {
  const client = makeClient(server);
  const { data, error } = await client.auth.signInAnonymously({ options: { data: { name } } });
  if (error || !data.user) throw new Error(`anonymous sign-in failed: ${error?.message ?? 'no user'}`);
  return { client, id: data.user.id };
}

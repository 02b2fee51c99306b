import type { SupabaseClient } from '@supabase/supabase-js';
import { LOCAL_ANON_KEY } from '../../server/auth/keys.ts';
import { createNodeClient } from '../../test/support/node-client.ts';

/** A client signed in anonymously as its own user; added to `clients` (to close later) before it signs in. */
export async function signIn(url: string, name: string, clients: SupabaseClient[]): Promise<SupabaseClient> {
  const client = createNodeClient(url, LOCAL_ANON_KEY);
  clients.push(client);
  const { error } = await client.auth.signInAnonymously({ options: { data: { name } } });
  if (error) throw new Error(`sign-in failed: ${error.message}`);
  return client;
}

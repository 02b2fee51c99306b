import { expect } from '@esm-bundle/chai';
import { createClient } from '@supabase/supabase-js';
import { localServerUrl } from '../support/local-server-url.js';
import { LOCAL_ANON_KEY } from '../../src/index.js';

/** The browser path end to end: the real supabase-js browser build, across origins (CORS), against the local server. */
describe('supabase-js in Chromium against the local server', () => {
  let SERVER_URL: string;
  before(async () => {
    SERVER_URL = await localServerUrl();
  });

  const client = () =>
    createClient(SERVER_URL, LOCAL_ANON_KEY, {
      // A storage key each, as separate browsers would have: no shared GoTrue state between clients.
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false, storageKey: crypto.randomUUID() },
    });

  it('answers the health check across origins', async () => {
    const response = await fetch(`${SERVER_URL}/flock/health`);
    expect(response.status).to.equal(200);
    const health = (await response.json()) as { status: string; version: string };
    expect(health.status).to.equal('ok');
  });

  it('signs in anonymously and writes and reads a chat message under RLS', async () => {
    const supabase = client();
    const { data: auth, error: authError } = await supabase.auth.signInAnonymously({
      options: { data: { name: 'Browser Ada' } },
    });
    expect(authError).to.equal(null);
    const id = crypto.randomUUID();
    const { error: insertError } = await supabase
      .from('flock_messages')
      .insert({ id, room: 'browser-rig', body: 'hello from Chromium' });
    expect(insertError).to.equal(null);
    const { data, error, count } = await supabase
      .from('flock_messages')
      .select('id, body, user_id, author_name', { count: 'exact' })
      .eq('room', 'browser-rig');
    expect(error).to.equal(null);
    expect(count).to.equal(1);
    expect(data).to.deep.equal([{ id, body: 'hello from Chromium', user_id: auth.user?.id, author_name: 'Browser Ada' }]);
  });

  it('refuses a signed-out visitor (anon role) reading chat', async () => {
    const { data, error } = await client().from('flock_messages').select('id').eq('room', 'browser-rig');
    expect(error?.code).to.equal('42501');
    expect(data).to.equal(null);
  });
});

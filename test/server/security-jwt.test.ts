import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { RealtimeChannel } from '@supabase/supabase-js';
import type { RunningServer } from '../../server/start.ts';
import { ClientSet, listen, refusedUpgrade, socketUrl, subscribed } from '../support/realtime.ts';
import { assertUnchanged, fingerprint, type Fingerprint } from '../support/security-db.ts';
import { accessToken, assertHealthy, assertRestError, claimsOf, nowSeconds, send, tokens } from '../support/security-http.ts';
import { LOCAL_ANON_KEY, LOCAL_SERVICE_ROLE_KEY, startTestServer } from '../support/server.ts';

/**
 * Tokens an attacker can make without the project's secret (forged, unsigned, tampered,
 * expired, garbage), and validly signed ones with odd claims (no `sub`, another `aud`, a role
 * that is not an API role), on every door: REST (401 with PostgREST's PGRST301/PGRST303),
 * auth (403 bad_jwt, GoTrue's words), the admin API (403), and Realtime (the join refused with
 * Realtime's reason; a bad `access_token` push ends the channel). Nothing they send changes the
 * database, checked as its owner.
 */

let server: RunningServer;
const clients = new ClientSet(() => server.url);
let ada: { id: string; token: string };
let ben: { id: string; token: string };
let before0: Fingerprint;

/** The tokens no server holding the secret may accept, by name. */
let refused: [string, string][];

before(async () => {
  server = await startTestServer();
  const [a, b] = await Promise.all([clients.signedIn('Ada'), clients.signedIn('Ben')]);
  ada = { id: a.id, token: await accessToken(a.client) };
  ben = { id: b.id, token: await accessToken(b.client) };
  const { error } = await clients.make({ key: LOCAL_SERVICE_ROLE_KEY }).from('flock_notifications').insert({ user_id: ada.id, title: 'For Ada only' });
  assert.equal(error, null);
  const adaClaims = claimsOf(ada.token);
  refused = [
    ['service_role signed with another secret', await tokens.forged({ role: 'service_role', iss: 'supabase-demo' })],
    ["Ada's claims signed with another secret", await tokens.forged(adaClaims)],
    ['service_role with alg "none"', tokens.unsigned({ role: 'service_role', iss: 'supabase-demo' })],
    ["Ada's token with its role changed to service_role", tokens.tampered(ada.token, { role: 'service_role' })],
    ["Ada's token with its sub changed to Ben's", tokens.tampered(ada.token, { sub: ben.id })],
    ["Ada's token with its expiry pushed back", tokens.tampered(ada.token, { exp: nowSeconds() + 10 * 365 * 86400 })],
    ["Ada's token, expired", await tokens.signed({ ...adaClaims, iat: nowSeconds() - 120, exp: nowSeconds() - 60 })],
    ...tokens.garbage.map((t): [string, string] => [`garbage ${JSON.stringify(t.slice(0, 24))}`, t]),
  ];
  before0 = await fingerprint(server.ctx.db);
});
afterEach(() => clients.closeAll());
after(() => server.close());

describe('JWTs on REST', () => {
  it('refuses every forged, unsigned, tampered, expired or garbage bearer with 401 PGRST301/PGRST303, reading or writing', async () => {
    for (const [what, token] of refused) {
      const read = await send(server.url, '/rest/v1/flock_notifications?select=title', { token });
      assertRestError(read, 401, what.endsWith('expired') ? 'PGRST303' : 'PGRST301', what);
      assert.match(String(read.headers['www-authenticate']), /^Bearer/, what);
      const write = await send(server.url, '/rest/v1/flock_notifications', {
        token,
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ user_id: ben.id, title: 'Escalated' }),
      });
      assertRestError(write, 401, /^PGRST30[13]$/, what);
    }
    await assertUnchanged(server.ctx.db, before0);
  });

  it('refuses the same tokens as the apikey with the gateway\'s 401 "Invalid API key"', async () => {
    for (const [what, token] of refused) {
      const reply = await send(server.url, '/rest/v1/flock_messages?select=id', { apikey: token });
      assert.equal(reply.status, 401, what);
      assert.deepEqual(reply.json, { message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' }, what);
    }
  });

  it('refuses a validly signed token whose role is not an API role (postgres, supabase_admin): no escalation', async () => {
    for (const role of ['postgres', 'supabase_admin', 'authenticator', 'pg_read_all_data']) {
      const reply = await send(server.url, '/rest/v1/flock_notifications?select=title', { token: await tokens.signed({ role, sub: ada.id }) });
      assertRestError(reply, 401, 'PGRST301', role);
    }
  });

  it('takes a signed token without sub as a user with no rows: reads nothing, writes nothing', async () => {
    const token = await tokens.signed({ role: 'authenticated', aud: 'authenticated' });
    const read = await send(server.url, '/rest/v1/flock_notifications?select=title', { token });
    assert.equal(read.status, 200);
    assert.deepEqual(read.json, []);
    const write = await send(server.url, '/rest/v1/flock_messages', {
      token,
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ room: 'r', body: 'no author', user_id: ada.id }),
    });
    assertRestError(write, 403, '42501', 'insert without sub');
    await assertUnchanged(server.ctx.db, before0);
  });

  it('does not check aud on REST (as PostgREST without jwt-aud), so another aud is just that user: no more', async () => {
    const token = await tokens.signed({ ...claimsOf(ada.token), aud: 'some-other-api' });
    const mine = await send(server.url, '/rest/v1/flock_notifications?select=title', { token });
    assert.deepEqual(mine.json, [{ title: 'For Ada only' }]);
    const bens = await send(server.url, '/rest/v1/flock_notifications?select=title', { token: await tokens.signed({ ...claimsOf(ben.token), aud: 'x' }) });
    assert.deepEqual(bens.json, []);
  });
});

describe('JWTs on auth', () => {
  const user = (token: string) => send(server.url, '/auth/v1/user', { token, headers: { 'X-Supabase-Api-Version': '2024-01-01' } });

  it('answers GET /auth/v1/user with 403 bad_jwt for every refused token', async () => {
    for (const [what, token] of refused) {
      const reply = await user(token);
      assert.equal(reply.status, 403, `${what}: ${reply.text}`);
      assert.equal((reply.json as { code: string }).code, 'bad_jwt', what);
      assert.match((reply.json as { message: string }).message, /^invalid JWT: unable to parse or verify signature, /, what);
    }
  });

  it('answers a signed token without sub with 403 bad_jwt, and another aud with 400 validation_failed', async () => {
    const noSub = await user(await tokens.signed({ role: 'authenticated', aud: 'authenticated' }));
    assert.equal(noSub.status, 403);
    assert.deepEqual(noSub.json, { code: 'bad_jwt', message: 'invalid claim: missing sub claim' });
    const otherAud = await user(await tokens.signed({ ...claimsOf(ada.token), aud: 'some-other-api' }));
    assert.equal(otherAud.status, 400);
    assert.deepEqual(otherAud.json, { code: 'validation_failed', message: "Token audience doesn't match request audience" });
  });

  it('keeps the admin API to the service role: forged and user tokens get 403, and no user is made or deleted', async () => {
    const attempts: [string, string, string][] = [
      ...refused.slice(0, 4).map(([what, token]): [string, string, string] => [what, token, 'bad_jwt']),
      ["Ada's own token", ada.token, 'not_admin'],
      ['the anon key', LOCAL_ANON_KEY, 'not_admin'],
    ];
    for (const [what, token, code] of attempts) {
      const headers = { 'X-Supabase-Api-Version': '2024-01-01', 'Content-Type': 'application/json' };
      const list = await send(server.url, '/auth/v1/admin/users', { token, headers });
      const create = await send(server.url, '/auth/v1/admin/users', {
        token,
        headers,
        method: 'POST',
        body: JSON.stringify({ email: 'mallory@example.com', password: 'hunter2hunter2', email_confirm: true }),
      });
      const remove = await send(server.url, `/auth/v1/admin/users/${ben.id}`, { token, headers, method: 'DELETE' });
      for (const reply of [list, create, remove]) {
        assert.equal(reply.status, 403, `${what}: ${reply.text}`);
        assert.equal((reply.json as { code: string }).code, code, what);
      }
    }
    await assertUnchanged(server.ctx.db, before0);
  });
});

describe('JWTs on Realtime', () => {
  function outcome(channel: RealtimeChannel): Promise<{ status: string; message?: string }> {
    return new Promise((resolve) => channel.subscribe((status, err) => resolve(err ? { status, message: err.message } : { status })));
  }

  it("refuses a join carrying any refused token with Realtime's reason", async () => {
    for (const [what, token] of refused) {
      const client = clients.make();
      await client.realtime.setAuth(token);
      const result = await outcome(
        client.channel(`jwt-${what.length}`).on('postgres_changes', { event: '*', schema: 'public', table: 'flock_notifications' }, () => {}),
      );
      assert.equal(result.status, 'CHANNEL_ERROR', what);
      assert.match(result.message ?? '', /^(JwtSignatureError: Failed to validate JWT signature|MalformedJWT: The token provided is not a valid JWT|InvalidJWTToken: Token has expired \d+ seconds ago)$/, what);
      client.realtime.disconnect();
    }
  });

  it('refuses a signed token whose role is not an API role', async () => {
    const client = clients.make();
    await client.realtime.setAuth(await tokens.signed({ role: 'postgres', sub: ada.id }));
    assert.deepEqual(await outcome(client.channel('jwt-postgres')), { status: 'CHANNEL_ERROR', message: 'InvalidJWTToken: role "postgres" does not exist' });
  });

  it('ends a joined channel when a tampered service_role token is pushed as access_token', async () => {
    const client = clients.make();
    await client.realtime.setAuth(ada.token);
    const channel = client.channel('jwt-push');
    const system = listen<{ status: string; message: string }>(channel, 'system');
    await subscribed(channel);
    await client.realtime.setAuth(tokens.tampered(ada.token, { role: 'service_role', exp: nowSeconds() + 7200 }));
    const message = await system.next((m) => m.status === 'error');
    assert.equal(message.message, 'Failed to validate JWT signature');
  });

  it('refuses a socket whose apikey is forged, tampered or unsigned with 401', async () => {
    for (const [what, token] of refused.slice(0, 4)) {
      const { status } = await refusedUpgrade(socketUrl(server.url, { apikey: token, vsn: '2.0.0' }));
      assert.equal(status, 401, what);
    }
  });

  it('leaves the database as it was and keeps answering /flock/health', async () => {
    await assertUnchanged(server.ctx.db, before0);
    await assertHealthy(server.url);
  });
});

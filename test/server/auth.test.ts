import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { JwtSigner, LOCAL_JWT_SECRET } from '../../server/auth/jwt.ts';
import type { RunningServer } from '../../server/start.ts';
import { LOCAL_ANON_KEY, LOCAL_SERVICE_ROLE_KEY, makeClient, startTestServer } from '../support/server.ts';

let server: RunningServer;
let emails = 0;
const freshEmail = () => `user${++emails}-${Date.now()}@example.com`;

before(async () => {
  server = await startTestServer();
});

after(async () => {
  await server.close();
});

/** A raw request to the auth API, as supabase-js would send it unless `headers` says otherwise. */
async function authFetch(path: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) {
  const response = await fetch(`${server.url}/auth/v1${path}`, {
    method: init.method ?? 'GET',
    headers: {
      apikey: LOCAL_ANON_KEY,
      'Content-Type': 'application/json',
      'X-Supabase-Api-Version': '2024-01-01',
      ...init.headers,
    },
    body: init.body,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

async function signedInWithEmail(data: Record<string, unknown> = {}) {
  const client = makeClient(server);
  const email = freshEmail();
  const { data: signedUp, error } = await client.auth.signUp({ email, password: 'correct horse', options: { data } });
  assert.equal(error, null);
  assert.ok(signedUp.session);
  return { client, email, session: signedUp.session };
}

describe('auth: sign-up and sign-in', () => {
  it('signs in anonymously, keeping the metadata, with an access token the local secret verifies', async () => {
    const client = makeClient(server);
    const { data, error } = await client.auth.signInAnonymously({ options: { data: { name: 'Ada' } } });
    assert.equal(error, null);
    assert.ok(data.user && data.session);
    assert.equal(data.user.is_anonymous, true);
    assert.equal(data.user.user_metadata.name, 'Ada');
    assert.equal(data.user.email, '');
    assert.deepEqual(data.user.identities, []);
    assert.equal(data.session.token_type, 'bearer');
    assert.equal(data.session.expires_in, 3600);

    const claims = await new JwtSigner(LOCAL_JWT_SECRET).verify(data.session.access_token);
    assert.equal(claims.role, 'authenticated');
    assert.equal(claims.aud, 'authenticated');
    assert.equal(claims.sub, data.user.id);
    assert.equal(claims.iss, `${server.url}/auth/v1`);
    assert.equal(claims.is_anonymous, true);
    assert.equal(claims.aal, 'aal1');
    assert.equal(typeof claims.session_id, 'string');
    assert.deepEqual((claims.user_metadata as Record<string, unknown>).name, 'Ada');
    assert.deepEqual(
      (claims.amr as { method: string }[]).map((entry) => entry.method),
      ['anonymous'],
    );
    assert.equal(data.session.expires_at, claims.exp);
  });

  it('signs up with email and password, then signs in with them', async () => {
    const { email } = await signedInWithEmail({ name: 'Grace' });
    const client = makeClient(server);
    const { data, error } = await client.auth.signInWithPassword({ email: email.toUpperCase(), password: 'correct horse' });
    assert.equal(error, null);
    assert.ok(data.user && data.session);
    assert.equal(data.user.email, email);
    assert.equal(data.user.is_anonymous, false);
    assert.deepEqual(data.user.app_metadata, { provider: 'email', providers: ['email'] });
    assert.equal(data.user.user_metadata.name, 'Grace');
    assert.ok(data.user.email_confirmed_at);
    assert.equal(data.user.identities?.[0]?.provider, 'email');
    const claims = decodeJwt(data.session.access_token);
    assert.equal(claims.email, email);
    assert.deepEqual(
      (claims.amr as { method: string }[]).map((entry) => entry.method),
      ['password'],
    );
  });

  it('refuses a wrong password with invalid_credentials', async () => {
    const { email } = await signedInWithEmail();
    const { data, error } = await makeClient(server).auth.signInWithPassword({ email, password: 'wrong horse' });
    assert.equal(data.session, null);
    assert.equal(error?.status, 400);
    assert.equal(error?.code, 'invalid_credentials');
    assert.equal(error?.message, 'Invalid login credentials');

    const unknown = await makeClient(server).auth.signInWithPassword({ email: freshEmail(), password: 'whatever' });
    assert.equal(unknown.error?.code, 'invalid_credentials');
  });

  it('refuses a taken email, a short password and a malformed email with GoTrue codes', async () => {
    const { email } = await signedInWithEmail();
    const client = makeClient(server);
    const taken = await client.auth.signUp({ email, password: 'another one' });
    assert.equal(taken.error?.status, 422);
    assert.equal(taken.error?.code, 'user_already_exists');

    const weak = await client.auth.signUp({ email: freshEmail(), password: '12345' });
    assert.equal(weak.error?.status, 422);
    assert.equal(weak.error?.code, 'weak_password');
    assert.equal(weak.error?.name, 'AuthWeakPasswordError');
    assert.deepEqual((weak.error as { reasons?: string[] } | null)?.reasons, ['length']);

    const malformed = await client.auth.signUp({ email: 'not an email', password: 'long enough' });
    assert.equal(malformed.error?.status, 400);
    assert.equal(malformed.error?.code, 'validation_failed');
  });

  it('turns an anonymous user into a permanent one when they add an email and a password', async () => {
    const client = makeClient(server);
    const { data: anon } = await client.auth.signInAnonymously();
    const email = freshEmail();
    const { data, error } = await client.auth.updateUser({ email, password: 'now permanent' });
    assert.equal(error, null);
    assert.equal(data.user?.id, anon.user?.id);
    assert.equal(data.user?.is_anonymous, false);
    assert.equal(data.user?.email, email);

    const again = await makeClient(server).auth.signInWithPassword({ email, password: 'now permanent' });
    assert.equal(again.error, null);
    assert.equal(again.data.user?.id, anon.user?.id);
  });
});

describe('auth: refresh tokens', () => {
  it('rotates: a refresh returns a new refresh token, and the old one is refused once its child was used and the reuse interval is over', async () => {
    const { client, session } = await signedInWithEmail();
    const first = session.refresh_token;
    const refreshed = await client.auth.refreshSession();
    assert.equal(refreshed.error, null);
    const second = refreshed.data.session?.refresh_token;
    assert.ok(second);
    assert.notEqual(second, first);

    const third = (await client.auth.refreshSession()).data.session?.refresh_token;
    assert.ok(third && third !== second);

    const reuseSeconds = server.ctx.refreshTokenReuseSeconds;
    server.ctx.refreshTokenReuseSeconds = 0;
    try {
      const reused = await makeClient(server).auth.refreshSession({ refresh_token: first });
      assert.equal(reused.data.session, null);
      assert.equal(reused.error?.status, 400);
      assert.equal(reused.error?.code, 'refresh_token_already_used');
      assert.equal(reused.error?.message, 'Invalid Refresh Token: Already Used');
      // Reusing a revoked token revokes the whole session's tokens, the newest one included.
      const latest = await makeClient(server).auth.refreshSession({ refresh_token: third });
      assert.equal(latest.error?.code, 'refresh_token_already_used');
    } finally {
      server.ctx.refreshTokenReuseSeconds = reuseSeconds;
    }
  });

  it('ends the session when reuse is detected: the just-revoked active token is refused even inside the reuse interval', async () => {
    const { client, session } = await signedInWithEmail();
    const first = session.refresh_token;
    await client.auth.refreshSession();
    const active = (await client.auth.refreshSession()).data.session?.refresh_token;
    assert.ok(active);

    const reuseSeconds = server.ctx.refreshTokenReuseSeconds;
    server.ctx.refreshTokenReuseSeconds = 0;
    try {
      const reused = await makeClient(server).auth.refreshSession({ refresh_token: first });
      assert.equal(reused.error?.code, 'refresh_token_already_used');
    } finally {
      server.ctx.refreshTokenReuseSeconds = reuseSeconds;
    }
    // Back at the default 10 s, the active token was revoked a moment ago: before, that let it
    // through and the session lived on.
    const after = await makeClient(server).auth.refreshSession({ refresh_token: active });
    assert.equal(after.data.session, null);
    assert.equal(after.error?.code, 'refresh_token_already_used');
    const { rows } = await server.ctx.db.asOwner((tx) =>
      tx.query<{ live: number; ended: boolean }>(
        `select (select count(*)::int from auth.refresh_tokens where session_id = s.id and not revoked) as live, s.not_after is not null as ended
           from auth.sessions s where s.id = (select session_id from auth.refresh_tokens where token = $1)`,
        [active],
      ),
    );
    assert.deepEqual(rows, [{ live: 0, ended: true }]);
  });

  it('lets a just-rotated refresh token be used again within the reuse interval, as two tabs refreshing at once do', async () => {
    const { session } = await signedInWithEmail();
    const tabA = makeClient(server);
    const tabB = makeClient(server);
    const [a, b] = await Promise.all([
      tabA.auth.refreshSession({ refresh_token: session.refresh_token }),
      tabB.auth.refreshSession({ refresh_token: session.refresh_token }),
    ]);
    assert.equal(a.error, null);
    assert.equal(b.error, null);
    // The second exchange of the same parent gets the active child back rather than a new family member.
    assert.equal(a.data.session?.refresh_token, b.data.session?.refresh_token);

    const onward = await tabA.auth.refreshSession();
    assert.equal(onward.error, null);
    const late = await makeClient(server).auth.refreshSession({ refresh_token: session.refresh_token });
    assert.equal(late.error, null, 'still inside the 10 s reuse interval');
  });

  it('refuses an unknown refresh token with refresh_token_not_found', async () => {
    const { error } = await makeClient(server).auth.refreshSession({ refresh_token: 'no-such-token' });
    assert.equal(error?.status, 400);
    assert.equal(error?.code, 'refresh_token_not_found');
  });
});

describe('auth: the user', () => {
  it('getUser returns the signed-in user', async () => {
    const { client, email, session } = await signedInWithEmail({ name: 'Lin' });
    const { data, error } = await client.auth.getUser();
    assert.equal(error, null);
    assert.equal(data.user?.id, session.user.id);
    assert.equal(data.user?.email, email);
    assert.equal(data.user?.user_metadata.name, 'Lin');
  });

  it('updateUser merges metadata, which a fresh getUser and the next access token after a refresh show', async () => {
    const client = makeClient(server);
    await client.auth.signInAnonymously({ options: { data: { name: 'Ada', color: 'teal' } } });
    const { data, error } = await client.auth.updateUser({ data: { name: 'Ada L.', avatar_url: 'https://example.com/a.png' } });
    assert.equal(error, null);
    assert.deepEqual(data.user?.user_metadata, { name: 'Ada L.', color: 'teal', avatar_url: 'https://example.com/a.png' });

    const fresh = await makeClient(server).auth.getUser((await client.auth.getSession()).data.session?.access_token);
    assert.equal(fresh.data.user?.user_metadata.avatar_url, 'https://example.com/a.png');

    const removed = await client.auth.updateUser({ data: { color: null } });
    assert.deepEqual(removed.data.user?.user_metadata, { name: 'Ada L.', avatar_url: 'https://example.com/a.png' });

    const { data: refreshed } = await client.auth.refreshSession();
    const claims = decodeJwt(refreshed.session?.access_token ?? '');
    assert.deepEqual(claims.user_metadata, { name: 'Ada L.', avatar_url: 'https://example.com/a.png' });
  });

  it('signOut ends the session: its refresh token is refused and its access token gets session_not_found', async () => {
    const { client, session } = await signedInWithEmail();
    const { error } = await client.auth.signOut();
    assert.equal(error, null);
    assert.equal((await client.auth.getSession()).data.session, null);

    const refresh = await makeClient(server).auth.refreshSession({ refresh_token: session.refresh_token });
    assert.equal(refresh.error?.code, 'refresh_token_not_found');

    const raw = await authFetch('/user', { headers: { Authorization: `Bearer ${session.access_token}` } });
    assert.equal(raw.status, 403);
    assert.equal(raw.json?.code, 'session_not_found');
    const viaClient = await makeClient(server).auth.getUser(session.access_token);
    assert.equal(viaClient.error?.name, 'AuthSessionMissingError');
  });

  it('a password change keeps the current session and ends the others, and the new password signs in', async () => {
    const { client, email, session: first } = await signedInWithEmail();
    const second = await makeClient(server).auth.signInWithPassword({ email, password: 'correct horse' });
    assert.equal((await client.auth.updateUser({ password: 'battery staple' })).error, null);

    const otherRefresh = await makeClient(server).auth.refreshSession({ refresh_token: second.data.session?.refresh_token ?? '' });
    assert.equal(otherRefresh.error?.code, 'refresh_token_not_found');
    assert.equal((await makeClient(server).auth.refreshSession({ refresh_token: first.refresh_token })).error, null);

    const old = await makeClient(server).auth.signInWithPassword({ email, password: 'correct horse' });
    assert.equal(old.error?.code, 'invalid_credentials');
    const same = await client.auth.updateUser({ password: 'battery staple' });
    assert.equal(same.error?.code, 'same_password');
    assert.equal((await makeClient(server).auth.signInWithPassword({ email, password: 'battery staple' })).error, null);
  });

  it('signOut with scope "others" keeps only the current session', async () => {
    const { email, session: kept } = await signedInWithEmail();
    const other = makeClient(server);
    const { data: otherSignIn } = await other.auth.signInWithPassword({ email, password: 'correct horse' });
    const current = makeClient(server);
    await current.auth.setSession({ access_token: kept.access_token, refresh_token: kept.refresh_token });
    assert.equal((await current.auth.signOut({ scope: 'others' })).error, null);

    const otherRefresh = await makeClient(server).auth.refreshSession({ refresh_token: otherSignIn.session?.refresh_token ?? '' });
    assert.equal(otherRefresh.error?.code, 'refresh_token_not_found');
    assert.equal((await current.auth.getUser()).error, null);
  });
});

describe('auth: bad credentials', () => {
  async function tokenPayload() {
    const { session } = await signedInWithEmail();
    return { session, payload: decodeJwt(session.access_token) };
  }

  async function assertStillAnswers(accessToken: string) {
    const { data, error } = await makeClient(server).auth.getUser(accessToken);
    assert.equal(error, null);
    assert.ok(data.user);
  }

  it('refuses an expired access token with 403 bad_jwt', async () => {
    const { session, payload } = await tokenPayload();
    const past = Math.floor(Date.now() / 1000) - 60;
    const expired = await new JwtSigner(LOCAL_JWT_SECRET).sign({ ...payload, iat: past - 3600, exp: past });
    const { error } = await makeClient(server).auth.getUser(expired);
    assert.equal(error?.status, 403);
    assert.equal(error?.code, 'bad_jwt');
    assert.match(error?.message ?? '', /expired/);
    await assertStillAnswers(session.access_token);
  });

  it('refuses an access token signed with another secret with 403 bad_jwt', async () => {
    const { session, payload } = await tokenPayload();
    const forged = await new JwtSigner('a-different-secret-that-is-also-32-characters-long').sign(payload);
    const { error } = await makeClient(server).auth.getUser(forged);
    assert.equal(error?.status, 403);
    assert.equal(error?.code, 'bad_jwt');
    await assertStillAnswers(session.access_token);
  });

  it('refuses an unsigned (alg "none") access token with 403 bad_jwt', async () => {
    const { session, payload } = await tokenPayload();
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${encode({ alg: 'none', typ: 'JWT' })}.${encode(payload)}.`;
    const { error } = await makeClient(server).auth.getUser(unsigned);
    assert.equal(error?.status, 403);
    assert.equal(error?.code, 'bad_jwt');
    await assertStillAnswers(session.access_token);
  });

  it('answers a missing or unknown apikey with the gateway\'s 401', async () => {
    const missing = await authFetch('/settings', { headers: { apikey: '' } });
    assert.equal(missing.status, 401);
    assert.deepEqual(missing.json, { message: 'No API key found in request' });
    const unknown = await authFetch('/settings', { headers: { apikey: 'not-a-key' } });
    assert.equal(unknown.status, 401);
    assert.deepEqual(unknown.json, { message: 'Invalid API key' });
  });

  it('answers a malformed JSON body with 400 bad_json in the shape of the requested API version', async () => {
    const current = await authFetch('/signup', { method: 'POST', body: '{"email": ' });
    assert.equal(current.status, 400);
    assert.equal(current.headers.get('x-supabase-api-version'), '2024-01-01');
    assert.equal(current.json?.code, 'bad_json');
    assert.match(String(current.json?.message), /^Could not parse request body as JSON/);

    const initial = await authFetch('/signup', { method: 'POST', body: '[1, 2', headers: { 'X-Supabase-Api-Version': '' } });
    assert.equal(initial.status, 400);
    assert.equal(initial.headers.get('x-supabase-api-version'), null);
    assert.equal(initial.json?.code, 400);
    assert.equal(initial.json?.error_code, 'bad_json');
    assert.match(String(initial.json?.msg), /^Could not parse request body as JSON/);
  });
});

describe('auth: admin and service endpoints', () => {
  it('creates, reads and deletes a user with the service key, and refuses the anon key with not_admin', async () => {
    const admin = makeClient(server, LOCAL_SERVICE_ROLE_KEY).auth.admin;
    const email = freshEmail();
    const created = await admin.createUser({ email, password: 'made by admin', email_confirm: true, user_metadata: { name: 'Bot' } });
    assert.equal(created.error, null);
    const id = created.data.user?.id ?? '';
    assert.equal(created.data.user?.email, email);
    assert.equal(created.data.user?.user_metadata.name, 'Bot');

    const signIn = await makeClient(server).auth.signInWithPassword({ email, password: 'made by admin' });
    assert.equal(signIn.error, null);

    const fetched = await admin.getUserById(id);
    assert.equal(fetched.data.user?.id, id);

    const refused = await makeClient(server).auth.admin.createUser({ email: freshEmail(), password: 'nope nope' });
    assert.equal(refused.error?.status, 403);
    assert.equal(refused.error?.code, 'not_admin');

    assert.equal((await admin.deleteUser(id)).error, null);
    const gone = await admin.getUserById(id);
    assert.equal(gone.error?.status, 404);
    assert.equal(gone.error?.code, 'user_not_found');
    const refresh = await makeClient(server).auth.refreshSession({ refresh_token: signIn.data.session?.refresh_token ?? '' });
    assert.equal(refresh.error?.code, 'refresh_token_not_found');
  });

  it('serves settings and health, 404 for an unknown path and 405 for a wrong method', async () => {
    const settings = await authFetch('/settings');
    assert.equal(settings.status, 200);
    assert.equal(settings.json?.disable_signup, false);
    assert.equal(settings.json?.mailer_autoconfirm, true);
    assert.equal((settings.json?.external as Record<string, unknown>).anonymous_users, true);

    const health = await authFetch('/health');
    assert.equal(health.status, 200);
    assert.equal(health.json?.name, 'GoTrue');

    const unknown = await authFetch('/nowhere');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json?.code, 'not_found');

    const wrongMethod = await authFetch('/signup', { method: 'GET' });
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get('allow'), 'POST');
  });
});

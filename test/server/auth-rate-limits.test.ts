import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSession } from '../../server/auth/sessions.ts';
import type { RunningServer } from '../../server/start.ts';
import { LOCAL_SERVICE_ROLE_KEY, makeClient, startTestServer } from '../support/server.ts';

/**
 * GoTrue's per-IP limits against the real server with Supabase's defaults (passed explicitly:
 * the test scripts turn them off for the rest of the suite, which signs in hundreds of users
 * from one address). Attacks from one address on loopback, bounded in count.
 */
describe("auth: GoTrue's per-IP rate limits", () => {
  let server: RunningServer;
  before(async () => {
    server = await startTestServer({ authRateLimits: {} });
  });
  after(() => server.close());

  const users = async (): Promise<number> =>
    (await server.ctx.db.asOwner((tx) => tx.query<{ n: number }>('select count(*)::int as n from auth.users'))).rows[0]!.n;

  it('answers wrong passwords with 400 until 30 sign-ins in 5 minutes, then 429, even for the right password', async () => {
    const client = makeClient(server);
    const email = `victim-${Date.now()}@example.com`;
    // Made with the service's admin API, which is not limited, so all 30 attempts are the attacker's.
    const { error: created } = await makeClient(server, LOCAL_SERVICE_ROLE_KEY).auth.admin.createUser({
      email,
      password: 'correct horse',
      email_confirm: true,
    });
    assert.equal(created, null);
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 35; i++) codes.push((await client.auth.signInWithPassword({ email, password: `guess ${i}` })).error?.code);

    assert.deepEqual(codes.slice(0, 30), Array(30).fill('invalid_credentials'));
    assert.deepEqual(codes.slice(30), Array(5).fill('over_request_rate_limit'));
    const right = await client.auth.signInWithPassword({ email, password: 'correct horse' });
    assert.equal(right.error?.status, 429);
    assert.equal(right.error?.message, 'Request rate limit reached');
    assert.equal(right.data.session, null);
  });

  it('creates at most 30 anonymous users an hour from one address, and the database holds exactly those', async () => {
    const before = await users();
    const results = await Promise.all(Array.from({ length: 40 }, () => makeClient(server).auth.signInAnonymously()));

    assert.equal(results.filter((r) => r.data.session).length, 30);
    assert.equal(results.filter((r) => r.error?.code === 'over_request_rate_limit' && r.error.status === 429).length, 10);
    assert.equal(await users(), before + 30);
  });

  it('refreshes at most 150 times in 5 minutes from one address', async () => {
    const stats = async () => ((await (await fetch(`${server.url}/flock/stats`)).json()) as { auth: { refused: { tokenRefresh: number }; limits: unknown } }).auth;
    const refusedBefore = (await stats()).refused.tokenRefresh;
    const email = `refresher-${Date.now()}@example.com`;
    const { data: created } = await makeClient(server, LOCAL_SERVICE_ROLE_KEY).auth.admin.createUser({ email, password: 'correct horse', email_confirm: true });
    assert.ok(created.user);
    // A session made on the server, so that no sign-in allowance is spent on it.
    const token = await server.ctx.db.asOwner(async (tx) => (await startSession(tx, server.ctx, created.user!.id, 'password')).refresh_token);
    const started = Date.now();
    let current = token;
    let ok = 0;
    let limited = 0;
    for (let i = 0; i < 155; i++) {
      const { data: refreshed, error } = await makeClient(server).auth.refreshSession({ refresh_token: current });
      if (refreshed.session) {
        ok++;
        current = refreshed.session.refresh_token;
      } else if (error?.code === 'over_request_rate_limit') limited++;
    }
    // The bucket refills by one every 2 s (150 per 5 minutes), so a slow machine may see one more.
    const refilled = Math.floor((Date.now() - started) / 2000);
    assert.ok(ok >= 150 && ok <= 150 + refilled, `${ok} refreshes went through in ${Date.now() - started} ms`);
    assert.equal(limited, 155 - ok);
    assert.ok(limited >= 1);
    assert.equal((await stats()).refused.tokenRefresh, refusedBefore + limited);
    assert.deepEqual((await stats()).limits, { signInsPer5Min: 30, tokenRefreshesPer5Min: 150, anonymousSignInsPerHour: 30 });
  });
});

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { SupabaseClient } from '@supabase/supabase-js';
import { JwtSigner } from '../../server/auth/jwt.ts';
import type { RunningServer } from '../../server/start.ts';
import { createNodeClient } from '../support/node-client.ts';
import { anonymousUser, LOCAL_ANON_KEY, LOCAL_SERVICE_ROLE_KEY, makeClient, startTestServer } from '../support/server.ts';

interface Message {
  id: string;
  room: string;
  user_id: string;
  author_name: string;
  body: string;
  created_at: string;
  edited_at: string | null;
  deleted_at: string | null;
}

let server: RunningServer;
let ada: { client: SupabaseClient; id: string; token: string };
let bob: { client: SupabaseClient; id: string; token: string };
let service: SupabaseClient;

async function signedIn(name: string) {
  const user = await anonymousUser(server, name);
  const { data } = await user.client.auth.getSession();
  return { ...user, token: data.session?.access_token ?? '' };
}

before(async () => {
  server = await startTestServer();
  [ada, bob] = await Promise.all([signedIn('Ada'), signedIn('Bob')]);
  service = makeClient(server, LOCAL_SERVICE_ROLE_KEY);
});
after(() => server.close());

const messages = () => ada.client.from('flock_messages');

/**
 * Posts `bodies` as Ada in `room` in one bulk insert, returning the rows in order. Ids share a
 * random prefix and end in the row's index, so ordering by id is the order given (rows of one
 * insert can share a `created_at`).
 */
async function seed(room: string, bodies: string[]): Promise<Message[]> {
  const prefix = randomUUID().slice(0, 24);
  const rows = bodies.map((body, i) => ({ id: `${prefix}${String(i).padStart(12, '0')}`, room, body, author_name: 'Ada' }));
  const { data, error } = await messages().insert(rows).select().order('id');
  assert.equal(error, null);
  return data as Message[];
}

/** A request as a browser's fetch would send it, for headers and bodies supabase-js never sends. */
function rest(path: string, init: RequestInit & { token?: string | null; apikey?: string | null } = {}) {
  const headers = new Headers(init.headers);
  if (init.apikey !== null) headers.set('apikey', init.apikey ?? LOCAL_ANON_KEY);
  if (init.token !== null) headers.set('Authorization', `Bearer ${init.token ?? ada.token}`);
  return fetch(`${server.url}/rest/v1/${path}`, { ...init, headers });
}

async function totalMessages(): Promise<number> {
  const { count, error } = await service.from('flock_messages').select('*', { count: 'exact', head: true });
  assert.equal(error, null);
  return count ?? -1;
}

describe('reading with filters', () => {
  const room = 'reads';
  const bodies = ['alpha', 'Beta', 'gamma, delta', 'epsilon "quoted"', 'zeta (paren)'];
  let rows: Message[];
  before(async () => {
    rows = await seed(room, bodies);
  });

  const bodyQuery = () => messages().select('body').eq('room', room).order('id');
  const cases: [string, (q: ReturnType<typeof bodyQuery>) => ReturnType<typeof bodyQuery>, string[]][] = [
    ['eq', (q) => q.eq('body', 'alpha'), ['alpha']],
    ['neq', (q) => q.neq('body', 'alpha'), ['Beta', 'gamma, delta', 'epsilon "quoted"', 'zeta (paren)']],
    ['in with commas, quotes and parentheses', (q) => q.in('body', ['alpha', 'gamma, delta', 'epsilon "quoted"', 'zeta (paren)']), ['alpha', 'gamma, delta', 'epsilon "quoted"', 'zeta (paren)']],
    ['not in', (q) => q.not('body', 'in', '(alpha,Beta)'), ['gamma, delta', 'epsilon "quoted"', 'zeta (paren)']],
    ['is null', (q) => q.is('edited_at', null), bodies],
    ['not is null', (q) => q.not('edited_at', 'is', null), []],
    ['like with *', (q) => q.like('body', '*eta*'), ['Beta', 'zeta (paren)']],
    ['ilike with %', (q) => q.ilike('body', '%ALPHA%'), ['alpha']],
    ['match', (q) => q.match({ body: 'Beta' }), ['Beta']],
    ['regex match', (q) => q.filter('body', 'match', '^[a-z]+$'), ['alpha']],
    ['or with nested and', (q) => q.or('body.eq.alpha,and(body.like.*eta*,body.neq.Beta)'), ['alpha', 'zeta (paren)']],
    ['or with a quoted value', (q) => q.or('body.eq."gamma, delta",body.eq.Beta'), ['Beta', 'gamma, delta']],
  ];
  for (const [name, filter, expected] of cases) {
    it(`filters with ${name}`, async () => {
      const { data, error, status } = await filter(bodyQuery());
      assert.equal(error, null);
      assert.equal(status, 200);
      assert.deepEqual(data?.map((r) => r.body), expected);
    });
  }

  it('compares with gt, gte, lt and lte', async () => {
    const at = rows[2]!.id;
    const bodiesWhere = async (op: 'gt' | 'gte' | 'lt' | 'lte') =>
      ((await messages().select('body').eq('room', room)[op]('id', at).order('id')).data ?? []).map((r) => r.body);
    assert.deepEqual(await bodiesWhere('gt'), bodies.slice(3));
    assert.deepEqual(await bodiesWhere('gte'), bodies.slice(2));
    assert.deepEqual(await bodiesWhere('lt'), bodies.slice(0, 2));
    assert.deepEqual(await bodiesWhere('lte'), bodies.slice(0, 3));
  });

  it('selects columns with aliases and keeps Postgres types', async () => {
    const { data } = await messages().select('id, text:body, created_at').eq('id', rows[0]!.id).single();
    assert.deepEqual(Object.keys(data ?? {}), ['id', 'text', 'created_at']);
    assert.match(String(data?.created_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/);
  });

  it('orders, limits and pages with exact counts and Content-Range', async () => {
    const latest = await messages().select('body').eq('room', room).order('id', { ascending: false }).limit(2);
    assert.deepEqual(latest.data?.map((r) => r.body), ['zeta (paren)', 'epsilon "quoted"']);

    const page = await messages().select('body', { count: 'exact' }).eq('room', room).order('id').range(1, 2);
    assert.deepEqual(page.data?.map((r) => r.body), ['Beta', 'gamma, delta']);
    assert.equal(page.count, 5);
    assert.equal(page.status, 206, 'a partial page with a count is 206, as PostgREST answers');

    const all = await messages().select('id', { count: 'exact' }).eq('room', room);
    assert.equal(all.status, 200);
    assert.equal(all.count, 5);

    const head = await messages().select('*', { count: 'exact', head: true }).eq('room', room);
    assert.equal(head.count, 5);
    assert.equal(head.data, null);

    const ranges = await Promise.all([
      rest(`flock_messages?room=eq.${room}&limit=2&offset=1`),
      rest(`flock_messages?room=eq.${room}&offset=1&limit=2`, { headers: { Prefer: 'count=exact' } }),
      rest('flock_messages?room=eq.nowhere', { headers: { Prefer: 'count=exact' } }),
      rest('flock_messages?room=eq.nowhere'),
      rest(`flock_messages?room=eq.${room}`, { headers: { Range: '0-0' } }),
    ]);
    assert.deepEqual(ranges.map((r) => r.headers.get('content-range')), ['1-2/*', '1-2/5', '*/0', '*/*', '0-0/*']);
  });

  it("returns at most max_rows (1000, Supabase's default) however many are asked for, with a truthful Content-Range", async () => {
    const room = `max-rows-${randomUUID()}`;
    await seed(room, Array.from({ length: 1005 }, (_, i) => `row ${i}`));
    const q = `flock_messages?room=eq.${room}&select=id`;

    const none = await rest(q);
    const absurd = await rest(`${q}&limit=99999999999999999999999`);
    const ranged = await rest(q, { headers: { Range: '0-4999', 'Range-Unit': 'items' } });
    const counted = await rest(q, { headers: { Prefer: 'count=exact' } });
    const small = await rest(`${q}&limit=10&offset=1000`);

    for (const res of [none, absurd, ranged]) {
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as unknown[]).length, 1000);
      assert.equal(res.headers.get('content-range'), '0-999/*');
    }
    assert.equal(counted.status, 206);
    assert.equal(((await counted.json()) as unknown[]).length, 1000);
    assert.equal(counted.headers.get('content-range'), '0-999/1005');
    assert.equal(((await small.json()) as unknown[]).length, 5);
    assert.equal(small.headers.get('content-range'), '1000-1004/*');
    const stats = (await (await fetch(`${server.url}/flock/stats`)).json()) as { rest: { maxRows: number } };
    assert.equal(stats.rest.maxRows, 1000);
  });

  it('answers an offset past the end with 416 PGRST103 when counting', async () => {
    const { error, status } = await messages().select('id', { count: 'exact' }).eq('room', room).range(10, 12);
    assert.equal(status, 416);
    assert.equal(error?.code, 'PGRST103');
    assert.equal(error?.details, 'An offset of 10 was requested, but there are only 5 rows.');
  });

  it('answers .single() with one object, or 406 PGRST116 for no rows or many', async () => {
    const one = await messages().select('body').eq('id', rows[1]!.id).single();
    assert.deepEqual(one.data, { body: 'Beta' });
    const none = await messages().select('body').eq('body', 'nothing like it').single();
    assert.equal(none.status, 406);
    assert.deepEqual(none.error, { code: 'PGRST116', message: 'Cannot coerce the result to a single JSON object', details: 'The result contains 0 rows', hint: null });
    const many = await messages().select('body').eq('room', room).single();
    assert.equal(many.error?.code, 'PGRST116');
  });

  it('answers .maybeSingle() with null for no rows (decided by supabase-js itself)', async () => {
    const none = await messages().select('body').eq('body', 'nothing like it').maybeSingle();
    assert.equal(none.error, null);
    assert.equal(none.data, null);
    const many = await messages().select('body').eq('room', room).maybeSingle();
    assert.equal(many.error?.code, 'PGRST116');
  });

  it('lets anon (no session) read nothing: 401 42501', async () => {
    const { error, status } = await makeClient(server).from('flock_messages').select('id');
    assert.equal(status, 401);
    assert.equal(error?.code, '42501');
  });
});

describe('writing', () => {
  it('inserts one row and returns it with the server-set columns', async () => {
    const id = randomUUID();
    const { data, status, error } = await messages().insert({ id, room: 'w1', body: 'hi', author_name: 'Ada' }).select().single();
    assert.equal(error, null);
    assert.equal(status, 201);
    assert.equal(data?.id, id);
    assert.equal(data?.user_id, ada.id);
    assert.equal(data?.edited_at, null);
    assert.equal(typeof data?.created_at, 'string');
  });

  it('inserts with return=minimal: 201 and no body', async () => {
    const id = randomUUID();
    const { data, status, error } = await messages().insert({ id, room: 'w2', body: 'quiet', author_name: 'Ada' });
    assert.deepEqual([data, status, error], [null, 201, null]);
    const back = await messages().select('body').eq('id', id).single();
    assert.equal(back.data?.body, 'quiet');
  });

  it('bulk-inserts rows with different keys: a missing key is null, or the default with defaultToNull: false', async () => {
    const [one, two] = [randomUUID(), randomUUID()];
    const mixed = await messages()
      .insert([{ id: one, room: 'w3', body: 'a' }, { id: two, room: 'w3', body: 'b', author_name: 'Custom' }])
      .select('body, author_name');
    assert.deepEqual(
      mixed.data?.sort((x, y) => x.body.localeCompare(y.body)),
      [{ body: 'a', author_name: 'Ada' }, { body: 'b', author_name: 'Custom' }],
      'the trigger fills a null author from the metadata',
    );

    const withoutId = [{ room: 'w3', body: 'c', author_name: 'Ada' }, { id: randomUUID(), room: 'w3', body: 'd', author_name: 'Ada' }];
    const nulls = await messages().insert(withoutId);
    assert.equal(nulls.status, 400);
    assert.equal(nulls.error?.code, '23502', 'id: null violates not-null');
    const defaults = await messages().insert(withoutId, { defaultToNull: false }).select('id');
    assert.equal(defaults.error, null);
    assert.equal(defaults.data?.length, 2);
    assert.ok(defaults.data?.every((r) => typeof r.id === 'string'));
  });

  it('updates matching rows, and counts them', async () => {
    const [row] = await seed('w4', ['before']);
    const { data, error, count } = await messages().update({ body: 'after' }, { count: 'exact' }).eq('id', row!.id).select();
    assert.equal(error, null);
    assert.equal(count, 1);
    assert.equal(data?.[0]?.body, 'after');
    assert.notEqual(data?.[0]?.edited_at, null);
    const minimal = await messages().update({ body: 'again' }).eq('id', row!.id);
    assert.deepEqual([minimal.status, minimal.data, minimal.error], [204, null, null]);
  });

  it("does not let Bob update or delete Ada's message: no rows, nothing changed", async () => {
    const [row] = await seed('w5', ['mine']);
    const update = await bob.client.from('flock_messages').update({ body: 'hijacked' }).eq('id', row!.id).select();
    assert.deepEqual([update.status, update.data, update.error], [200, [], null]);
    const remove = await bob.client.from('flock_messages').delete().eq('id', row!.id).select();
    assert.deepEqual(remove.data, []);
    const back = await messages().select('body').eq('id', row!.id).single();
    assert.equal(back.data?.body, 'mine');
  });

  it('deletes matching rows with or without a representation', async () => {
    const [first, second] = await seed('w6', ['one', 'two']);
    const removed = await messages().delete().eq('id', first!.id).select('body');
    assert.deepEqual(removed.data, [{ body: 'one' }]);
    const quiet = await messages().delete({ count: 'exact' }).eq('id', second!.id);
    assert.deepEqual([quiet.status, quiet.count], [204, 1]);
    const left = await messages().select('id').eq('room', 'w6');
    assert.deepEqual(left.data, []);
  });

  it('upserts the same message id idempotently, merging or ignoring duplicates', async () => {
    const message = { id: randomUUID(), room: 'w7', body: 'first', author_name: 'Ada' };
    for (let i = 0; i < 2; i++) {
      const { error, status } = await messages().upsert(message, { onConflict: 'id' });
      assert.deepEqual([error, status], [null, 201]);
    }
    const ignored = await messages().upsert({ ...message, body: 'changed' }, { onConflict: 'id', ignoreDuplicates: true }).select();
    assert.deepEqual(ignored.data, [], 'an ignored duplicate returns no row');
    const merged = await messages().upsert({ ...message, body: 'merged' }).select('body');
    assert.deepEqual(merged.data, [{ body: 'merged' }]);
    const { count } = await messages().select('*', { count: 'exact', head: true }).eq('id', message.id);
    assert.equal(count, 1);
  });

  it("refuses Bob's insert as Ada and Bob's upsert over Ada's message with 403 42501", async () => {
    const forged = await bob.client.from('flock_messages').insert({ room: 'w8', body: 'as Ada', author_name: 'Ada', user_id: ada.id });
    assert.equal(forged.status, 403);
    assert.equal(forged.error?.code, '42501');
    assert.match(forged.error?.message ?? '', /new row violates row-level security policy/);
    const [row] = await seed('w8', ['original']);
    const over = await bob.client.from('flock_messages').upsert({ id: row!.id, room: 'w8', body: 'mine now', author_name: 'Bob' });
    assert.equal(over.status, 403);
    assert.equal(over.error?.code, '42501');
  });

  it('rolls back a .single() write that matched two rows', async () => {
    await seed('w9', ['x', 'y']);
    const { status, error } = await messages().update({ body: 'z' }).eq('room', 'w9').select().single();
    assert.equal(status, 406);
    assert.equal(error?.details, 'The result contains 2 rows');
    const { data } = await messages().select('body').eq('room', 'w9').order('id');
    assert.deepEqual(data?.map((r) => r.body), ['x', 'y']);
  });

  it('refuses UPDATE and DELETE without filters (pg-safeupdate, as Supabase)', async () => {
    const update = await messages().update({ body: 'everything' }).neq('id', randomUUID()).limit(1);
    assert.equal(update.error?.code, 'PGRST127');
    const remove = await rest('flock_messages', { method: 'DELETE' });
    assert.equal(remove.status, 400);
    assert.deepEqual(await remove.json(), { code: '21000', message: 'DELETE requires a WHERE clause', details: null, hint: null });
  });

  it('maps a check violation to 400 23514', async () => {
    const { status, error } = await messages().insert({ room: 'w10', body: 'x'.repeat(4001), author_name: 'Ada' });
    assert.equal(status, 400);
    assert.equal(error?.code, '23514');
  });
});

describe('bad and hostile input', () => {
  let before_: number;
  before(async () => {
    await seed('hostile', ['keep me']);
    before_ = await totalMessages();
  });

  async function assertIntact() {
    assert.equal(await totalMessages(), before_);
    const { data, error } = await messages().select('body').eq('room', 'hostile');
    assert.deepEqual([data, error], [[{ body: 'keep me' }], null]);
  }

  it('answers an unknown table with 404 PGRST205, with a hint for a near miss', async () => {
    const unknown = await ada.client.from('nope').select();
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.error, { code: 'PGRST205', message: "Could not find the table 'public.nope' in the schema cache", details: null, hint: null });
    const near = await ada.client.from('flock_message').select();
    assert.equal(near.error?.hint, "Perhaps you meant the table 'public.flock_messages'");
  });

  it('answers unknown columns in select, filters and order with 400 42703', async () => {
    const results = await Promise.all([
      messages().select('nope'),
      messages().select('id').eq('nope', 1),
      messages().select('id').order('nope'),
      messages().select('id').or('body.eq.x,nope.eq.y'),
    ]);
    for (const { status, error } of results) {
      assert.equal(status, 400);
      assert.deepEqual(error, { code: '42703', message: 'column flock_messages.nope does not exist', details: null, hint: null });
    }
  });

  it('answers an unknown column in an insert body with 400 PGRST204', async () => {
    const { status, error } = await messages().insert({ room: 'x', body: 'x', nope: 1 });
    assert.equal(status, 400);
    assert.deepEqual(error, { code: 'PGRST204', message: "Could not find the 'nope' column of 'flock_messages' in the schema cache", details: null, hint: null });
  });

  it('answers a malformed filter with 400 PGRST100 naming what failed', async () => {
    const { status, error } = await messages().select('id').filter('body', 'noop', 'x');
    assert.equal(status, 400);
    assert.equal(error?.code, 'PGRST100');
    assert.equal(error?.message, '"failed to parse filter (noop.x)" (line 1, column 6)');
    assert.equal(error?.details, 'unknown single value operator noop');
  });

  it('answers a value of the wrong type with the Postgres error 22P02', async () => {
    const { status, error } = await messages().select('id').eq('id', 'not-a-uuid');
    assert.equal(status, 400);
    assert.equal(error?.code, '22P02');
    assert.equal(error?.message, 'invalid input syntax for type uuid: "not-a-uuid"');
  });

  it('treats injection attempts in values as values', async () => {
    for (const evil of ["'; drop table flock_messages; --", '") or 1=1 --', "' or '1'='1"]) {
      const results = await Promise.all([
        messages().select('id').eq('body', evil),
        messages().select('id').in('body', [evil, 'no such body']),
        messages().select('id').like('body', `*${evil}*`),
        messages().select('id').or(`body.eq.${evil},room.eq.${evil}`),
      ]);
      for (const { status, data } of results) {
        assert.ok(status === 200 || status === 400, `status ${status}`);
        if (status === 200) assert.deepEqual(data, []);
      }
    }
    await assertIntact();
  });

  it('refuses injection attempts in identifiers without running them', async () => {
    const results = await Promise.all([
      messages().select('id,"bo\\"dy; drop table flock_messages"'),
      messages().select('id,"bo""dy"'),
      messages().select('id; drop table flock_messages'),
      messages().select('id').eq('body"; drop table flock_messages; --', 'x'),
      messages().select('id').order('id; drop table flock_messages'),
      ada.client.from('flock_messages;drop').select(),
      ada.client.from('flock_messages" cascade; --').select(),
      messages().insert({ room: 'x', body: 'x', 'body") values (1); drop table flock_messages; --': 1 }),
    ]);
    assert.deepEqual(
      results.map((r) => [r.status, r.error?.code]),
      [[400, '42703'], [400, 'PGRST100'], [400, 'PGRST100'], [400, 'PGRST100'], [400, 'PGRST100'], [404, 'PGRST205'], [404, 'PGRST205'], [400, 'PGRST204']],
    );
    await assertIntact();
  });

  it('answers malformed JSON with 400 PGRST102', async () => {
    const response = await rest('flock_messages', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"room":' });
    assert.equal(response.status, 400);
    const error = (await response.json()) as Record<string, unknown>;
    assert.equal(error.code, 'PGRST102');
    assert.equal(error.message, 'Empty or invalid json');
  });

  it('refuses expired and forged JWTs with PGRST303 and PGRST301', async () => {
    const claims = { role: 'authenticated', sub: ada.id, aud: 'authenticated' };
    const expired = await new JwtSigner().sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 });
    const forged = await new JwtSigner('a-different-secret-that-is-at-least-32-chars').sign({ ...claims, exp: Math.floor(Date.now() / 1000) + 60 });
    const as = (token: string) =>
      createNodeClient(server.url, LOCAL_ANON_KEY, { headers: { Authorization: `Bearer ${token}` } }).from('flock_messages');
    const old = await as(expired).select('id');
    assert.equal(old.status, 401);
    assert.deepEqual(old.error, { code: 'PGRST303', message: 'JWT expired', details: null, hint: null });
    const fake = await as(forged).select('id');
    assert.equal(fake.status, 401);
    assert.equal(fake.error?.code, 'PGRST301');
    const garbage = await rest('flock_messages', { token: 'not-a-jwt' });
    assert.equal(((await garbage.json()) as { message: string }).message, 'Expected 3 parts in JWT; got 1');
  });

  it('refuses a request without an API key as the gateway does', async () => {
    const response = await rest('flock_messages', { apikey: null, token: null });
    assert.equal(response.status, 401);
    assert.equal(((await response.json()) as { message: string }).message, 'No API key found in request');
  });

  it('refuses a body over 1 MiB with 413 in the PostgREST shape', async () => {
    const response = await rest('flock_messages', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ room: 'big', body: 'x'.repeat(1024 * 1024) }),
    });
    assert.equal(response.status, 413);
    assert.deepEqual(Object.keys((await response.json()) as object).sort(), ['code', 'details', 'hint', 'message']);
  });

  it('refuses other schemas (PGRST106) and embedding (PGRST200)', async () => {
    const other = await ada.client.schema('private').from('flock_messages').select('id');
    assert.equal(other.status, 406);
    assert.equal(other.error?.code, 'PGRST106');
    const embed = await messages().select('id, author:users(name)');
    assert.equal(embed.status, 400);
    assert.equal(embed.error?.code, 'PGRST200');
  });

  it('keeps the table intact and answers the next good request', async () => {
    await assertIntact();
  });
});

describe('types and the catalog', () => {
  before(async () => {
    // Created after start: the catalog learns about it on first use.
    await server.ctx.db.asOwner((tx) =>
      tx.exec(`create table public.rest_kinds (id int8 primary key, flag boolean not null default false, amount numeric, tags text[], meta jsonb)`),
    );
  });

  it('keeps int8 and numeric exact, filters booleans, arrays and JSON paths', async () => {
    const body = '[{"id": 9007199254740993, "flag": true, "amount": 12345678901234567890.123456789, "tags": ["a", "b"], "meta": {"kind": "x"}},' +
      ' {"id": 2, "flag": false, "amount": 1, "tags": [], "meta": {"kind": "y"}}]';
    const insert = await rest('rest_kinds', {
      method: 'POST',
      apikey: LOCAL_SERVICE_ROLE_KEY,
      token: LOCAL_SERVICE_ROLE_KEY,
      headers: { 'Content-Type': 'application/json', Prefer: 'return=representation' },
      body,
    });
    assert.equal(insert.status, 201);
    const text = await insert.text();
    assert.match(text, /"id":9007199254740993,/);
    assert.match(text, /"amount":12345678901234567890.123456789/);

    const svc = service.from('rest_kinds');
    const [falsy, tagged, kind] = await Promise.all([
      svc.select('id').eq('flag', false),
      svc.select('id').contains('tags', ['a']),
      svc.select('id, kind:meta->>kind').eq('meta->>kind', 'y'),
    ]);
    assert.deepEqual(falsy.data, [{ id: 2 }]);
    assert.equal(tagged.data?.length, 1);
    assert.deepEqual(kind.data, [{ id: 2, kind: 'y' }]);
  });

  it('lists the exposed tables at /rest/v1/', async () => {
    const response = await rest('');
    assert.equal(response.status, 200);
    const spec = (await response.json()) as { paths: Record<string, unknown> };
    assert.ok('/flock_messages' in spec.paths);
  });
});

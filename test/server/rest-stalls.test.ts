import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hasBackReference, MAX_REPETITION_COPIES, repetitionCopies } from '../../server/rest/patterns.ts';
import type { RunningServer } from '../../server/start.ts';
import { createUser } from '../support/db.ts';
import { RawSocket } from '../support/realtime.ts';
import { anonymousUser, LOCAL_ANON_KEY, startTestServer } from '../support/server.ts';

/**
 * One pathological query froze everyone (the attack: after an 800-character message,
 * `body=match.^(.*)(.*)(.*)\3\2\1$` took 8 s, during which /flock/health and every heartbeat
 * waited). PGlite runs on the event loop and ignores statement_timeout, so the server refuses
 * the patterns whose cost is not about linear (those with back references) before running
 * anything; backreference-free patterns run in Postgres's DFA engine (see rest/patterns.ts for
 * the measurements).
 */
describe('no request stalls the others', () => {
  let server: RunningServer;
  const room = `stalls-${Date.now()}`;
  /** A signed-in (anonymous) user's token: flock_messages is for authenticated users. */
  let token = '';
  before(async () => {
    server = await startTestServer();
    const { client } = await anonymousUser(server, 'Reader');
    token = (await client.auth.getSession()).data.session!.access_token;
    const user = await createUser(server.ctx.db, 'Mallory');
    await server.ctx.db.asOwner((tx) =>
      tx.query('insert into public.flock_messages (room, user_id, author_name, body) values ($1, $2, $3, $4)', [room, user.id, 'Mallory', 'ab'.repeat(400)]),
    );
  });
  after(() => server.close());

  const get = (query: string): Promise<Response> =>
    fetch(`${server.url}/rest/v1/flock_messages?room=eq.${room}&${query}`, { headers: { apikey: LOCAL_ANON_KEY, Authorization: `Bearer ${token}` } });

  /** How long /flock/health and a heartbeat round trip take while `work` runs, and what `work` answered. */
  async function during<T>(work: () => Promise<T>): Promise<{ result: T; healthMs: number; heartbeatMs: number }> {
    const socket = await RawSocket.open(server.url);
    try {
      const pending = work();
      const t0 = performance.now();
      const health = await fetch(`${server.url}/flock/health`);
      const healthMs = performance.now() - t0;
      assert.equal(health.status, 200);
      const t1 = performance.now();
      const ref = socket.push('phoenix', 'heartbeat', {});
      assert.equal((await socket.reply(ref, 10_000)).payload.status, 'ok');
      const heartbeatMs = performance.now() - t1;
      return { result: await pending, healthMs, heartbeatMs };
    } finally {
      socket.close();
    }
  }

  it('refuses a back-reference match with 2201B at once; health and a heartbeat answer within 200 ms meanwhile', async () => {
    const { result, healthMs, heartbeatMs } = await during(async () => {
      const response = await get(`body=match.${encodeURIComponent('^(.*)(.*)(.*)\\3\\2\\1$')}`);
      return { status: response.status, body: (await response.json()) as { code: string; message: string } };
    });

    assert.equal(result.status, 400);
    assert.equal(result.body.code, '2201B');
    assert.match(result.body.message, /^invalid regular expression: back references are not supported/);
    assert.ok(healthMs < 200, `health took ${healthMs.toFixed(0)} ms`);
    assert.ok(heartbeatMs < 200, `a heartbeat took ${heartbeatMs.toFixed(0)} ms`);
  });

  it('refuses a pattern whose bounded repetitions add more than 64 copies (2.8 s on a 4,000-character text), runs smaller ones', async () => {
    const refused = await get(`body=match.${encodeURIComponent('(.*){1,255}(.*){1,255}z')}`);
    const body = (await refused.json()) as { code: string; message: string };
    assert.equal(refused.status, 400);
    assert.equal(body.code, '2201B');
    assert.match(body.message, /bounded repetitions adding more than 64 copies/);
    const allowed = await get(`select=id&body=match.${encodeURIComponent('^(ab){1,30}')}`);
    assert.equal(allowed.status, 200);
    assert.equal(((await allowed.json()) as unknown[]).length, 1);
  });

  it('counts the copies bounded repetitions add, nested ones multiplied', () => {
    const cases: [string, number][] = [
      ['abc', 0],
      ['\\d{4}-\\d{2}-\\d{2}', 5],
      ['[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}', 8],
      ['.{0,50}', 49],
      ['(ab){3}', 4],
      ['a{2,}', 2],
      ['[]{5}]x', 0], // braces inside a bracket expression are characters
      ['((.*){1,10}){1,10}z', 99],
      ['(.*){1,255}(.*){1,255}z', 508],
      ['***=x{9}', 0],
    ];
    for (const [pattern, copies] of cases) assert.equal(repetitionCopies(pattern), copies, pattern);
    assert.equal(MAX_REPETITION_COPIES, 64);
  });

  it('refuses it inside an or= logic tree and as imatch too', async () => {
    for (const query of [`or=(body.imatch.${encodeURIComponent('"(a)\\\\1"')},id.is.null)`, `body=imatch(any).${encodeURIComponent('{x,(b)\\1}')}`]) {
      const response = await get(query);
      assert.equal(response.status, 400, query);
      assert.equal(((await response.json()) as { code: string }).code, '2201B', query);
    }
  });

  it('runs backreference-free patterns built to backtrack, on the 800-character body, without holding the others up', async () => {
    for (const pattern of ['^(.*)(.*)(.*)$', '((a+)+)+c', '(a|aa)*c', '^(a|b|ab)*$']) {
      const { result, healthMs, heartbeatMs } = await during(async () => {
        const response = await get(`select=id&body=match.${encodeURIComponent(pattern)}`);
        return { status: response.status, rows: ((await response.json()) as unknown[]).length };
      });
      assert.equal(result.status, 200, pattern);
      assert.equal(result.rows, pattern.endsWith('c') ? 0 : 1, pattern);
      assert.ok(healthMs < 200, `${pattern}: health took ${healthMs.toFixed(0)} ms`);
      assert.ok(heartbeatMs < 200, `${pattern}: a heartbeat took ${heartbeatMs.toFixed(0)} ms`);
    }
  });

  it('refuses a postgres_changes filter with a back reference at join (a system error, as for other bad bindings)', async () => {
    const socket = await RawSocket.open(server.url);
    try {
      const topic = `realtime:${room}-changes`;
      const ref = socket.ref();
      const config = { postgres_changes: [{ event: 'INSERT', schema: 'public', table: 'flock_messages', filter: 'body=match.^(.*)\\1$' }] };
      socket.push(topic, 'phx_join', { config, access_token: token }, { joinRef: ref, ref });
      const reply = await socket.reply(ref);
      const system = await socket.message((m) => m.event === 'system', 10_000);
      assert.equal(reply.payload.status, 'ok');
      assert.deepEqual((system.payload as { status: string; message: string }).status, 'error');
      assert.match((system.payload as { message: string }).message, /back references are not supported/);
    } finally {
      socket.close();
    }
  });

  it('tells a back reference from an escaped backslash, a bracket and a literal pattern', () => {
    const cases: [string, boolean][] = [
      ['(a)\\1', true],
      ['(a)(b)\\2', true],
      ['[x]\\9', true],
      ['\\\\1', false], // a backslash, then the digit 1
      ['\\\\\\1', true],
      ['\\d+\\.\\w', false],
      ['***=(a)\\1', false],
      ['^(.*)(.*)$', false],
    ];
    for (const [pattern, expected] of cases) assert.equal(hasBackReference(pattern), expected, pattern);
  });
});

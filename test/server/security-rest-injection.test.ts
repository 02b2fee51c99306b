import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../../server/start.ts';
import { assertCanaryAlive, assertUnchanged, CANARY, createCanary, fingerprint } from '../support/security-db.ts';
import { accessToken, assertHealthy, assertRestError, send, type RawRequest } from '../support/security-http.ts';
import { anonymousUser, LOCAL_SERVICE_ROLE_KEY, startTestServer } from '../support/server.ts';

/**
 * SQL injection in every part of a REST request: the table, `select` (casts, JSON paths,
 * embedding), every filter operator, logic trees, `order`, `limit`/`offset`, `on_conflict`,
 * `columns`, the `Prefer`, `Range`, `Accept` and profile headers, and JSON body keys and values.
 * Each probe must be answered with a PostgREST-shaped error (exact status and code) or have its
 * value taken as a literal (shown by a row whose text is the attack matching exactly); after
 * each group the database, read as its owner, is as it was (rows, roles, grants, policies), the
 * owner-only canary table still holds its row, and the server still answers /flock/health.
 */

/** A body that is itself an attack: it is stored, and must come back found by its exact text. */
const EVIL = `x'); drop table public.${CANARY.table}; --" \\ %_*,.()`;
const DROP = `drop table public.${CANARY.table}`;

type Expect =
  | { status: number; code: string }
  /** 2xx, and the JSON answer is exactly these rows. */
  | { rows: unknown[] };

type Probe = [what: string, path: string, init: RawRequest, expect: Expect];

const q = encodeURIComponent;
const error = (status: number, code: string): Expect => ({ status, code });

let server: RunningServer;
let token: string;
let room: string;
let evilId: string;

before(async () => {
  server = await startTestServer();
  await createCanary(server.ctx.db);
  const ada = await anonymousUser(server, 'Ada');
  token = await accessToken(ada.client);
  room = `room-${randomUUID()}`;
  evilId = randomUUID();
  const { error: failed } = await ada.client.from('flock_messages').insert({ id: evilId, room, body: EVIL });
  assert.equal(failed, null);
});
after(() => server.close());

/** Sends every probe as Ada (or with `key` as both apikey and bearer), checking each answer, then that nothing changed. */
async function probe(probes: readonly Probe[], key?: string): Promise<void> {
  const before = await fingerprint(server.ctx.db);
  // Every probe runs, and the failures are reported together: one answer out of shape names all.
  const failures: string[] = [];
  for (const [what, path, init, expect] of probes) {
    const reply = await send(server.url, `/rest/v1/${path}`, { token: key ?? token, ...(key && { apikey: key }), ...init });
    try {
      if ('rows' in expect) {
        assert.ok(reply.status >= 200 && reply.status < 300, `${what} → ${reply.status} ${reply.text.slice(0, 300)}`);
        assert.deepEqual(reply.json, expect.rows, `${what} → ${reply.text.slice(0, 300)}`);
      } else {
        assertRestError(reply, expect.status, expect.code, what);
      }
    } catch (failure) {
      failures.push(failure instanceof Error ? failure.message.split('\n')[0]! : String(failure));
    }
  }
  assert.deepEqual(failures, []);
  await assertUnchanged(server.ctx.db, before, 'the probes');
  await assertCanaryAlive(server.ctx.db);
  await assertHealthy(server.url);
}

const mine = () => [{ id: evilId }];

describe('SQL injection through REST', () => {
  it('the table name', () =>
    probe([
      ['statement after the table', `flock_messages;${q(DROP)}`, {}, error(404, 'PGRST205')],
      ['quote out of the identifier', q(`flock_messages"; ${DROP}; --`), {}, error(404, 'PGRST205')],
      ['schema-qualified name', 'auth.users', {}, error(404, 'PGRST205')],
      ['catalog table', 'pg_roles', {}, error(404, 'PGRST205')],
      // The URL is normalised as a browser would (`%2e%2e` is `..`): the request names the canary, and its grants refuse it.
      ['encoded dot-dot to another table', `flock_messages/%2e%2e/${CANARY.table}`, {}, error(403, '42501')],
      ['an extra path segment', `flock_messages/${CANARY.table}`, {}, error(404, 'PGRST125')],
      ['a table the role has no grant on', CANARY.table, {}, error(403, '42501')],
      ['NUL in the name', 'flock_messages%00', {}, error(404, 'PGRST205')],
      ['a function through rpc', 'rpc/pg_sleep', {}, error(404, 'PGRST202')],
    ]));

  it('the select parameter: columns, casts, JSON paths and embedding', () =>
    probe([
      ['statement after a column', `flock_messages?select=id;${q(DROP)}`, {}, error(400, 'PGRST100')],
      ['statement after a cast', `flock_messages?select=${q(`id::text);${DROP};--`)}`, {}, error(400, 'PGRST100')],
      ['quoted column breaking out', `flock_messages?select=${q(`"id""; ${DROP}; --"`)}`, {}, error(400, 'PGRST100')],
      ['quoted column naming no column', `flock_messages?select=${q(`"id; ${DROP}; --"`)}`, {}, error(400, '42703')],
      ['a cast to a type that is not one', `flock_messages?select=${q('id::"int4); drop"')}`, {}, error(400, 'PGRST100')],
      ['a function call', `flock_messages?select=${q('pg_sleep(10)')}`, {}, error(400, 'PGRST200')],
      ['a subquery', `flock_messages?select=${q(`(select secret from ${CANARY.table})`)}`, {}, error(400, 'PGRST100')],
      ['embedding the canary', `flock_messages?select=${q(`id,${CANARY.table}(secret)`)}`, {}, error(400, 'PGRST200')],
      ['a column of another table', `flock_messages?select=${q(`${CANARY.table}.secret`)}`, {}, error(400, 'PGRST100')],
      ['a JSON path key with a quote', `flock_messages?select=${q(`id,body->>x');${DROP};--`)}`, {}, error(400, 'PGRST100')],
      ['a JSON path key, quoted', `flock_messages?select=${q(`id,body->>"x'); ${DROP}; --"`)}&id=eq.${evilId}`, {}, error(404, '42883')],
      ['the alias slot breaking out', `flock_messages?select=${q(`"x"" from ${CANARY.table}; --":id`)}&id=eq.${evilId}`, {}, error(400, 'PGRST100')],
      ['the alias slot, quoted', `flock_messages?select=${q(`"x from ${CANARY.table}; --":id`)}&id=eq.${evilId}`, {}, { rows: [{ [`x from ${CANARY.table}; --`]: evilId }] }],
      ['a plain select of the stored attack, for contrast', `flock_messages?select=body&id=eq.${evilId}`, {}, { rows: [{ body: EVIL }] }],
    ]));

  it('every filter operator takes its value as a literal', () =>
    probe([
      ['eq with the stored attack', `flock_messages?select=id&body=eq.${q(EVIL)}`, {}, { rows: mine() }],
      ['eq with or-true', `flock_messages?select=id&body=eq.${q("' or '1'='1")}`, {}, { rows: [] }],
      ['neq with or-true', `flock_messages?select=id&room=eq.${room}&body=neq.${q(EVIL)}`, {}, { rows: [] }],
      ['gt/lt on text', `flock_messages?select=id&body=lt.${q("' or 1=1 --")}&body=gt.${q("'")}`, {}, { rows: [] }],
      ['in with the stored attack quoted', `flock_messages?select=id&body=in.(${q(`"${EVIL.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`)})`, {}, { rows: mine() }],
      ['in breaking out of the list', `flock_messages?select=id&body=in.(${q(`a') or true --`)})`, {}, error(400, 'PGRST100')],
      ['in with the break-out quoted', `flock_messages?select=id&body=in.(${q(`"a') or true --"`)})`, {}, { rows: [] }],
      ['in with an unbalanced quote', `flock_messages?select=id&body=in.(${q('"a')})`, {}, { rows: [] }],
      ['like with the stored attack', `flock_messages?select=id&body=like.${q(`x')*`)}`, {}, { rows: mine() }],
      ['like breaking out', `flock_messages?select=id&body=like.${q(`%' or '1'='1`)}`, {}, { rows: [] }],
      ['ilike breaking out', `flock_messages?select=id&body=ilike.${q(`*'; ${DROP}; --`)}`, {}, { rows: [] }],
      ['match with a regex metacharacter storm', `flock_messages?select=id&body=match.${q("' or '1'='1")}`, {}, { rows: [] }],
      ['match with an invalid regex', `flock_messages?select=id&body=match.${q('(')}`, {}, error(400, '2201B')],
      ['is with a statement', `flock_messages?select=id&deleted_at=is.${q(`null; ${DROP}`)}`, {}, error(400, 'PGRST100')],
      ['is breaking out', `flock_messages?select=id&deleted_at=is.${q('null) or (true')}`, {}, error(400, 'PGRST100')],
      ['not.eq breaking out', `flock_messages?select=id&room=eq.${room}&body=not.eq.${q(`${EVIL}' or 'a'='a`)}`, {}, { rows: mine() }],
      ['any-quantified eq', `flock_messages?select=id&body=eq(any).${q(`{"${EVIL.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}","' or 1=1"}`)}`, {}, { rows: mine() }],
      ['fts with tsquery syntax', `flock_messages?select=id&body=fts.${q(`x' | ${DROP}`)}`, {}, error(400, '42601')],
      ['a value of the wrong type', `flock_messages?select=id&id=eq.${q(`1' or '1'='1`)}`, {}, error(400, '22P02')],
      ['NUL in a value', `flock_messages?select=id&body=eq.a%00b`, {}, error(400, '22021')],
      ['a statement in the column of a filter', `flock_messages?select=id&${q(`body;${DROP}`)}=eq.x`, {}, error(400, 'PGRST100')],
      ['a quoted column in a filter', `flock_messages?select=id&${q(`"body""; ${DROP}; --"`)}=eq.x`, {}, error(400, 'PGRST100')],
      ['a JSON path in a filter column', `flock_messages?select=id&${q(`body->>x');${DROP};--`)}=eq.x`, {}, error(400, 'PGRST100')],
      ['an unknown operator', `flock_messages?select=id&body=${q(`sql.${DROP}`)}`, {}, error(400, 'PGRST100')],
      ['a filter without an operator (a typo, not "no filter")', `flock_messages?select=id&body=${q(EVIL)}`, {}, error(400, 'PGRST100')],
    ]));

  it('logic trees: or, and, not', () =>
    probe([
      ['or with the stored attack quoted', `flock_messages?select=id&or=(${q(`body.eq."${EVIL.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}",body.eq.nothing`)})`, {}, { rows: mine() }],
      ['or breaking out after the list', `flock_messages?select=id&or=(body.eq.x,body.eq.y)${q(' or 1=1 --')}`, {}, error(400, 'PGRST100')],
      ['or with a statement as an unquoted value', `flock_messages?select=id&or=(${q(`body.eq.x');${DROP};--`)})`, {}, error(400, 'PGRST100')],
      ['or with a statement as a quoted value', `flock_messages?select=id&or=(${q(`body.eq."x');${DROP};--"`)})`, {}, { rows: [] }],
      ['or with a statement as a column', `flock_messages?select=id&or=(${q(`body;${DROP}.eq.x`)})`, {}, error(400, 'PGRST100')],
      ['and nested in or, breaking out', `flock_messages?select=id&or=(and(body.eq.x,room.eq.${q("') or ('1'='1")}),id.is.null)`, {}, error(400, 'PGRST100')],
      ['and nested in or, quoted', `flock_messages?select=id&or=(and(body.eq.x,room.eq.${q(`"') or ('1'='1"`)}),id.is.null)`, {}, { rows: [] }],
      ['and with an unbalanced parenthesis', `flock_messages?select=id&and=(${q('body.eq.x),(true')}`, {}, error(400, 'PGRST100')],
      ['not.or with quoted attacks', `flock_messages?select=id&room=eq.${room}&not.or=(${q(`body.eq."x'); ${DROP}",body.eq."' or 1=1"`)})`, {}, { rows: mine() }],
    ]));

  it('order, limit and offset', () =>
    probe([
      ['a statement after order', `flock_messages?select=id&order=${q(`id;${DROP}`)}`, {}, error(400, 'PGRST100')],
      ['a subquery in order', `flock_messages?select=id&order=${q(`(select secret from ${CANARY.table})`)}`, {}, error(400, 'PGRST100')],
      ['a direction with a statement', `flock_messages?select=id&order=${q(`id.desc;${DROP}`)}`, {}, error(400, 'PGRST100')],
      ['a nulls option with a comment', `flock_messages?select=id&order=${q('id.asc.nullsfirst--')}`, {}, error(400, 'PGRST100')],
      ['a function in order', `flock_messages?select=id&order=random()`, {}, error(400, 'PGRST100')],
      ['an unknown column in order', `flock_messages?select=id&order=${q(`"id"" desc; ${DROP}; --"`)}`, {}, error(400, 'PGRST100')],
      ['a statement after limit', `flock_messages?select=id&limit=${q(`1;${DROP}`)}`, {}, error(400, 'PGRST100')],
      ['a union after limit', `flock_messages?select=id&limit=${q(`1 union select secret from ${CANARY.table}`)}`, {}, error(400, 'PGRST100')],
      ['limit in hex', `flock_messages?select=id&limit=0x10`, {}, error(400, 'PGRST100')],
      ['limit in exponent form', `flock_messages?select=id&limit=1e3`, {}, error(400, 'PGRST100')],
      ['a negative limit', `flock_messages?select=id&limit=-1`, {}, error(416, 'PGRST103')],
      ['a huge limit', `flock_messages?select=id&room=eq.${room}&limit=${'9'.repeat(40)}`, {}, { rows: mine() }],
      ['a statement after offset', `flock_messages?select=id&offset=${q(`0;${DROP}`)}`, {}, error(400, 'PGRST100')],
      ['a negative offset', `flock_messages?select=id&offset=-1`, {}, error(400, 'PGRST100')],
      ['limit and offset of an embedded resource', `flock_messages?select=id&${q(CANARY.table)}.limit=1`, {}, error(400, 'PGRST108')],
    ]));

  it('on_conflict and columns on writes', () =>
    probe([
      ['a statement in on_conflict', `flock_messages?on_conflict=${q(`id);${DROP};--`)}`, post({ id: evilId, room, body: 'x' }, 'resolution=merge-duplicates'), error(400, 'PGRST100')],
      ['a quoted on_conflict breaking out', `flock_messages?on_conflict=${q(`"id"") do update set body = 'x'; --"`)}`, post({ id: evilId, room, body: 'x' }, 'resolution=merge-duplicates'), error(400, 'PGRST100')],
      ['an unknown on_conflict column', `flock_messages?on_conflict=secret`, post({ id: evilId, room, body: 'x' }, 'resolution=merge-duplicates'), error(400, '42703')],
      ['a statement in columns', `flock_messages?columns=${q(`room,body);${DROP};--`)}`, post({ room, body: 'x' }), error(400, 'PGRST100')],
      ['a quoted column in columns', `flock_messages?columns=${q(`room,"body"") values ('a','b'); ${DROP}; --"`)}`, post({ room, body: 'x' }), error(400, 'PGRST100')],
      ['columns naming a column the body lacks', `flock_messages?columns=room,user_id`, post({ room, body: 'x' }), error(403, '42501')],
    ]));

  it('the Prefer, Range, Accept and profile headers', () =>
    probe([
      ['Prefer with a statement (lenient: ignored)', `flock_messages?select=id&id=eq.${evilId}`, { headers: { Prefer: `count=exact; ${DROP}` } }, { rows: mine() }],
      ['Prefer with a statement (strict: refused)', `flock_messages?select=id`, { headers: { Prefer: `handling=strict, count=exact); ${DROP}; --` } }, error(400, 'PGRST122')],
      ['Prefer tx with a quote', `flock_messages?select=id&id=eq.${evilId}`, { headers: { Prefer: "tx=commit'; rollback; --" } }, { rows: mine() }],
      ['Prefer max-affected with a statement', `flock_messages?id=eq.${randomUUID()}`, { method: 'DELETE', headers: { Prefer: `handling=strict, max-affected=1;${DROP}` } }, error(400, 'PGRST122')],
      ['Range with a statement (ignored, as PostgREST)', `flock_messages?select=id&id=eq.${evilId}`, { headers: { Range: `0-1; ${DROP}` } }, { rows: mine() }],
      ['Range reversed', `flock_messages?select=id`, { headers: { Range: '5-1' } }, error(416, 'PGRST103')],
      ['Range beyond any integer', `flock_messages?select=id&id=eq.${evilId}`, { headers: { Range: `0-${'9'.repeat(40)}` } }, { rows: mine() }],
      ['Accept with a statement', `flock_messages?select=id`, { headers: { Accept: `application/x-${DROP}` } }, error(406, 'PGRST107')],
      ['Accept-Profile naming another schema', `flock_messages?select=id`, { headers: { 'Accept-Profile': 'auth' } }, error(406, 'PGRST106')],
      ['Accept-Profile with a statement', `flock_messages?select=id`, { headers: { 'Accept-Profile': `public; ${DROP}` } }, error(406, 'PGRST106')],
      ['Content-Profile with a search path', `flock_messages`, { ...post({ room, body: 'x' }), headers: { 'Content-Type': 'application/json', 'Content-Profile': 'public,auth' } }, error(406, 'PGRST106')],
    ]));

  it('JSON body keys and values', () =>
    probe([
      ['a key breaking out of the column list', 'flock_messages', post({ room, body: 'x', [`body") values ('a'); ${DROP}; --`]: 1 }), error(400, 'PGRST204')],
      ['a __proto__ key', 'flock_messages', { ...post({}), body: `{"room":"${room}","body":"x","__proto__":{"user_id":"00000000-0000-0000-0000-000000000000"}}` }, error(400, 'PGRST204')],
      ['a value with a statement, stored as text (rolled back)', 'flock_messages?select=body', post({ room, body: EVIL }, 'tx=rollback, return=representation'), { rows: [{ body: EVIL }] }],
      ['a value with a cast, stored as text (rolled back)', 'flock_messages?select=body', post({ room, body: `'::text || (select secret from ${CANARY.table}) || '` }, 'tx=rollback, return=representation'), { rows: [{ body: `'::text || (select secret from ${CANARY.table}) || '` }] }],
      ['an object where text belongs, stored as its JSON (rolled back)', 'flock_messages?select=room', post({ room: { $ne: null }, body: 'x' }, 'tx=rollback, return=representation'), { rows: [{ room: '{"$ne":null}' }] }],
      ['a uuid with a statement', 'flock_messages', post({ id: `${randomUUID()}'); ${DROP}; --`, room, body: 'x' }), error(400, '22P02')],
      ['an update value with a statement (no row matches)', `flock_messages?id=eq.${randomUUID()}`, { ...post({ body: `x'; ${DROP}; --` }, 'return=representation'), method: 'PATCH' }, { rows: [] }],
      ['rows with different keys', 'flock_messages', { ...post({}), body: JSON.stringify([{ room, body: 'a' }, { room, body: 'b', [`x; ${DROP}`]: 1 }]) }, error(400, 'PGRST102')],
      ['a body that is not JSON', 'flock_messages', { ...post({}), body: `{"room": "x"}); ${DROP}; --` }, error(400, 'PGRST102')],
    ]));

  it('the same probes with the service role key, which bypasses RLS, reach nothing more', () =>
    probe(
      [
        ['a table the service role has no grant on', CANARY.table, {}, error(403, '42501')],
        ['statement after a column', `flock_messages?select=id;${q(DROP)}`, {}, error(400, 'PGRST100')],
        ['embedding the canary', `flock_messages?select=${q(`id,${CANARY.table}(secret)`)}`, {}, error(400, 'PGRST200')],
        ['eq with or-true', `flock_messages?select=id&body=eq.${q("' or '1'='1")}`, {}, { rows: [] }],
        ['or with a statement as a quoted value', `flock_messages?select=id&or=(${q(`body.eq."x');${DROP};--"`)})`, {}, { rows: [] }],
        ['a statement after order', `flock_messages?select=id&order=${q(`id;${DROP}`)}`, {}, error(400, 'PGRST100')],
        ['a delete whose only filter is broken', `flock_messages?id=${q(`eq.x' or '1'='1`)}`, { method: 'DELETE' }, error(400, '22P02')],
        ['a delete without a filter', 'flock_messages', { method: 'DELETE' }, error(400, '21000')],
      ],
      LOCAL_SERVICE_ROLE_KEY,
    ));
});

function post(row: unknown, prefer?: string): RawRequest {
  return { method: 'POST', body: JSON.stringify(row), headers: { 'Content-Type': 'application/json', ...(prefer && { Prefer: prefer }) } };
}

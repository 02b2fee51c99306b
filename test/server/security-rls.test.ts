import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Claims, Database } from '../../server/db.ts';
import type { RunningServer } from '../../server/start.ts';
import { createUser, MIGRATIONS_DIR, openTestDatabase } from '../support/db.ts';
import { assertUnchanged, fingerprint } from '../support/security-db.ts';
import { assertHealthy } from '../support/security-http.ts';
import { RLS_CASES, type RlsCase, type World } from '../support/security-rls-cases.ts';
import { anonymousUser, LOCAL_SERVICE_ROLE_KEY, makeClient, startTestServer } from '../support/server.ts';

/**
 * Attacks on other people's rows, each run twice on a database built from supabase/migrations
 * exactly as they are (what `supabase db push` gives a real project):
 *  1. through the local server's REST API with the real supabase-js, as a client meets them;
 *  2. as the same statement straight against Postgres with `role authenticated` (or anon) and
 *     `request.jwt.claims` set, so that row-level security and grants, not the REST layer,
 *     are what refuse them.
 * After each attack the database, read as its owner, must be exactly as before.
 */

const ANON: Claims = { role: 'anon' };

/** Thrown to roll a control transaction back once it has shown what it reaches. */
class Rollback extends Error {
  constructor(readonly rows: number) {
    super('rolled back');
  }
}

async function migrationFiles(): Promise<string[]> {
  return (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
}

describe('RLS through the local server (REST, supabase-js) on the migrations as applied', () => {
  let server: RunningServer;
  let ben: SupabaseClient;
  let visitor: SupabaseClient;
  let ada: SupabaseClient;
  const world = {} as World;

  before(async () => {
    server = await startTestServer();
    const [a, b] = await Promise.all([anonymousUser(server, 'Ada'), anonymousUser(server, 'Ben')]);
    ada = a.client;
    ben = b.client;
    visitor = makeClient(server);
    Object.assign(world, { ada: a.id, ben: b.id, room: `room-${randomUUID()}`, message: randomUUID(), benMessage: randomUUID() });
    const ok = (r: { error: unknown }) => assert.equal(r.error, null);
    ok(await ada.from('flock_messages').insert({ id: world.message, room: world.room, body: 'Ada wrote this' }));
    ok(await ada.from('flock_reads').upsert({ user_id: world.ada, room: world.room, last_read_message_id: world.message }));
    ok(await ben.from('flock_messages').insert({ id: world.benMessage, room: world.room, body: 'Ben wrote this' }));
    ok(await ben.from('flock_reads').upsert({ user_id: world.ben, room: 'bens-room' }));
    const note = await makeClient(server, LOCAL_SERVICE_ROLE_KEY)
      .from('flock_notifications')
      .insert({ user_id: world.ada, title: 'For Ada only', body: 'the code is 4711' })
      .select('id')
      .single();
    ok(note);
    world.note = (note.data as { id: string }).id;
  });
  after(() => server.close());

  it('serves a database built from every file in supabase/migrations, unchanged', async () => {
    assert.deepEqual(server.ctx.db.appliedMigrations, await migrationFiles());
  });

  it('lets Ada read her own notification (the control: the rows the attacks aim at are there)', async () => {
    const { data, error } = await ada.from('flock_notifications').select('id, body').eq('id', world.note);
    assert.equal(error, null);
    assert.deepEqual(data, [{ id: world.note, body: 'the code is 4711' }]);
  });

  for (const attack of RLS_CASES.filter((c) => c.rest)) {
    it(`${attack.actor === 'anon' ? 'a visitor' : 'Ben'} ${attack.name}: ${expectationText(attack)}, nothing changes`, async () => {
      const before = await fingerprint(server.ctx.db);
      const result = await attack.rest!(attack.actor === 'anon' ? visitor : ben, world);
      const label = `${result.status} ${JSON.stringify(result.error ?? result.data).slice(0, 300)}`;
      if (attack.restRefusal) {
        assert.equal(result.status, attack.restRefusal.status, label);
        assert.equal(result.error?.code, attack.restRefusal.code, label);
      } else if (attack.expect === '42501') {
        assert.equal(result.status, attack.actor === 'anon' ? 401 : 403, label);
        assert.equal(result.error?.code, '42501', label);
      } else {
        assert.equal(result.error, null, label);
        assert.ok(result.status >= 200 && result.status < 300, label);
        if (attack.expect === 'nothing') assert.deepEqual(result.data, [], label);
      }
      await assertUnchanged(server.ctx.db, before, attack.name);
    });
  }

  it('does not let Ben notify Ada by naming her in a room she has never been in', async () => {
    const id = randomUUID();
    const sent = await ben.from('flock_messages').insert({ id, room: `elsewhere-${randomUUID()}`, body: 'hey @Ada click here' });
    assert.equal(sent.error, null);
    const { rows } = await server.ctx.db.asOwner((tx) => tx.query('select 1 from public.flock_notifications where message_id = $1', [id]));
    assert.equal(rows.length, 0);
  });

  it('still answers /flock/health', () => assertHealthy(server.url));
});

describe('RLS straight against Postgres (PGlite with the migrations applied): the policies alone refuse', () => {
  let db: Database;
  const world = {} as World;
  const claims: Record<'ada' | 'ben', Claims> = { ada: ANON, ben: ANON };

  before(async () => {
    db = await openTestDatabase();
    const [a, b] = [await createUser(db, 'Ada'), await createUser(db, 'Ben')];
    claims.ada = a.claims;
    claims.ben = b.claims;
    Object.assign(world, { ada: a.id, ben: b.id, room: `room-${randomUUID()}`, message: randomUUID(), benMessage: randomUUID() });
    await db.asRole(a.claims, async (tx) => {
      await tx.query("insert into public.flock_messages (id, room, body) values ($1, $2, 'Ada wrote this')", [world.message, world.room]);
      await tx.query('insert into public.flock_reads (room, last_read_message_id) values ($1, $2)', [world.room, world.message]);
    });
    await db.asRole(b.claims, async (tx) => {
      await tx.query("insert into public.flock_messages (id, room, body) values ($1, $2, 'Ben wrote this')", [world.benMessage, world.room]);
      await tx.query("insert into public.flock_reads (room) values ('bens-room')");
    });
    const { rows } = await db.asRole({ role: 'service_role' }, (tx) =>
      tx.query<{ id: string }>("insert into public.flock_notifications (user_id, title, body) values ($1, 'For Ada only', 'the code is 4711') returning id", [
        world.ada,
      ]),
    );
    world.note = rows[0]!.id;
  });
  after(() => db?.close());

  it('has applied every file in supabase/migrations, unchanged', async () => {
    assert.deepEqual(db.appliedMigrations, await migrationFiles());
  });

  it('runs each attack with RLS on: the session is authenticated, not the owner, and has no bypass', async () => {
    const { rows } = await db.asRole(claims.ben, (tx) =>
      tx.query<{ who: string; uid: string; bypass: boolean }>(
        'select current_user as who, auth.uid()::text as uid, (select rolbypassrls from pg_roles where rolname = current_user) as bypass',
      ),
    );
    assert.deepEqual(rows, [{ who: 'authenticated', uid: world.ben, bypass: false }]);
  });

  for (const attack of RLS_CASES) {
    it(`${attack.actor === 'anon' ? 'a visitor' : 'Ben'} ${attack.name}: ${expectationText(attack, true)}, nothing changes`, async () => {
      const before = await fingerprint(db);
      const [sql, params] = attack.sql(world);
      const run = db.asRole(attack.actor === 'anon' ? ANON : claims.ben, (tx) => tx.query(sql, params));
      if (attack.expect === '42501') {
        await assert.rejects(run, (error: { code?: string }) => {
          assert.equal(error.code, '42501', String(error));
          return true;
        });
      } else {
        const { rows } = await run;
        if (attack.expect === 'nothing') assert.deepEqual(rows, []);
      }
      await assertUnchanged(db, before, attack.name);

      // The control: the same statement as Ada, rolled back, does reach her row, so "nothing" above was RLS at work.
      if (attack.expect === 'nothing' && attack.actor === 'ben' && !/do nothing/.test(sql)) {
        const reached = await db
          .asRole(claims.ada, async (tx) => {
            throw new Rollback((await tx.query(sql, params)).rows.length);
          })
          .catch((error: unknown) => (error instanceof Rollback ? error.rows : Promise.reject(error)));
        assert.ok(reached > 0, 'as Ada, the statement reaches her row');
        await assertUnchanged(db, before, 'the rolled-back control');
      }
    });
  }

  it('does not let Ben notify Ada by naming her in a room she has never been in', async () => {
    const { rows } = await db.asRole(claims.ben, (tx) =>
      tx.query<{ id: string }>("insert into public.flock_messages (room, body) values ($1, 'hey @Ada click here') returning id", [`elsewhere-${randomUUID()}`]),
    );
    const notified = await db.asOwner((tx) => tx.query('select 1 from public.flock_notifications where message_id = $1', [rows[0]!.id]));
    assert.equal(notified.rows.length, 0);
  });
});

function expectationText(attack: RlsCase, direct = false): string {
  if (!direct && attack.restRefusal) return `refused with ${attack.restRefusal.status} ${attack.restRefusal.code}`;
  switch (attack.expect) {
    case '42501':
      return direct ? 'refused with 42501' : `refused with ${attack.actor === 'anon' ? 401 : 403} 42501`;
    case 'nothing':
      return 'reaches no row';
    case 'harmless':
      return 'the trigger undoes it';
  }
}

import assert from 'node:assert/strict';
import type { Database } from '../../server/db.ts';

/**
 * "The database is unchanged", checked as its owner: a fingerprint of every row of every
 * table a client could reach (public, auth, realtime), and of what decides who may do what
 * (roles and their memberships, table and column grants, policies, triggers, functions).
 * An attack test takes one before and asserts the same one after.
 */

export type Fingerprint = Record<string, string>;

/** One md5 per part, so a failure names what changed rather than printing whole tables. */
const FINGERPRINT_SQL = /* sql */ `
  select 'rows ' || n.nspname || '.' || c.relname as part,
         (xpath('/row/h/text()', query_to_xml(format(
           'select md5(coalesce(string_agg(t::text, %L order by t::text), %L)) as h from %I.%I t',
           E'\\n', '', n.nspname, c.relname), false, true, '')))[1]::text as hash
  from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where c.relkind = 'r' and n.nspname in ('public', 'auth', 'realtime')
    and c.relname <> 'local_change_log'
  union all
  select 'tables', md5(coalesce(string_agg(n.nspname || '.' || c.relname || ' ' || c.relkind::text || ' ' || coalesce(c.relacl::text, '')
      || ' rls=' || c.relrowsecurity || ' force=' || c.relforcerowsecurity || ' owner=' || c.relowner::regrole::text, E'\\n' order by n.nspname, c.relname), ''))
  from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where n.nspname in ('public', 'auth', 'realtime', 'extensions')
  union all
  select 'columns', md5(coalesce(string_agg(a.attrelid::regclass::text || '.' || a.attname || ' ' || coalesce(a.attacl::text, ''), E'\\n'
      order by a.attrelid::regclass::text, a.attnum), ''))
  from pg_catalog.pg_attribute a join pg_catalog.pg_class c on c.oid = a.attrelid join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where n.nspname in ('public', 'auth', 'realtime') and a.attnum > 0 and not a.attisdropped
  union all
  select 'roles', md5(string_agg(rolname || ' super=' || rolsuper || ' bypassrls=' || rolbypassrls || ' login=' || rolcanlogin
      || ' inherit=' || rolinherit || ' createrole=' || rolcreaterole, E'\\n' order by rolname))
  from pg_catalog.pg_roles
  union all
  select 'memberships', md5(coalesce(string_agg(roleid::regrole::text || '>' || member::regrole::text, E'\\n' order by 1), ''))
  from pg_catalog.pg_auth_members
  union all
  select 'policies', md5(coalesce(string_agg(polrelid::regclass::text || ' ' || polname || ' ' || polcmd::text || ' '
      || coalesce(pg_catalog.pg_get_expr(polqual, polrelid), '') || ' ' || coalesce(pg_catalog.pg_get_expr(polwithcheck, polrelid), ''),
      E'\\n' order by polrelid::regclass::text, polname), ''))
  from pg_catalog.pg_policy
  union all
  select 'triggers', md5(coalesce(string_agg(tgrelid::regclass::text || ' ' || tgname || ' ' || tgenabled::text, E'\\n' order by 1), ''))
  from pg_catalog.pg_trigger where not tgisinternal
  union all
  select 'functions', md5(coalesce(string_agg(p.oid::regprocedure::text || ' ' || md5(p.prosrc) || ' ' || coalesce(p.proacl::text, '')
      || ' definer=' || p.prosecdef, E'\\n' order by p.oid::regprocedure::text), ''))
  from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
  where n.nspname in ('public', 'auth', 'realtime')
  union all
  select 'publication', md5(coalesce(string_agg(schemaname || '.' || tablename, ',' order by 1), ''))
  from pg_catalog.pg_publication_tables where pubname = 'supabase_realtime'`;

export async function fingerprint(db: Database): Promise<Fingerprint> {
  const { rows } = await db.asOwner((tx) => tx.query<{ part: string; hash: string }>(FINGERPRINT_SQL));
  return Object.fromEntries(rows.map((r) => [r.part, r.hash]));
}

/** Asserts nothing in the fingerprint moved; the message names the parts that did. */
export async function assertUnchanged(db: Database, before: Fingerprint, what = 'the attack'): Promise<void> {
  const after = await fingerprint(db);
  const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => before[k] !== after[k]);
  assert.deepEqual(changed, [], `${what} changed the database: ${changed.join(', ')}`);
}

/**
 * A table no client may touch, holding one row: if an injection ever ran SQL of its own,
 * dropping, reading or rewriting this is what it would try. Owner only (RLS on, no grants).
 */
export const CANARY = { table: 'security_canary', secret: 'the canary is alive' } as const;

export async function createCanary(db: Database): Promise<void> {
  await db.asOwner((tx) =>
    tx.exec(`
      create table public.${CANARY.table} (id int primary key, secret text not null);
      insert into public.${CANARY.table} values (1, '${CANARY.secret}');
      alter table public.${CANARY.table} enable row level security;
      revoke all on public.${CANARY.table} from anon, authenticated, service_role;
    `),
  );
}

export async function assertCanaryAlive(db: Database): Promise<void> {
  const { rows } = await db.asOwner((tx) => tx.query<{ secret: string }>(`select secret from public.${CANARY.table}`));
  assert.deepEqual(rows, [{ secret: CANARY.secret }]);
}

import type { Database } from '../../db.ts';

/**
 * Change capture for postgres_changes. Supabase reads the write-ahead log through a
 * replication slot; PGlite has no logical replication, so an AFTER ROW trigger on every
 * table in the `supabase_realtime` publication appends the change to a log table and
 * sends one NOTIFY. Postgres delivers a NOTIFY only when its transaction commits and folds
 * identical ones, so the feed wakes once per committed transaction and never polls;
 * rolled-back changes never reach the log. The log holds the row itself, so rows larger
 * than NOTIFY's 8000-byte payload travel intact.
 */

/** The NOTIFY channel the capture trigger signals on. */
export const CHANGES_CHANNEL = 'realtime_local_changes';

/** The log, its trigger function, and the function that keeps triggers in step with the publication. */
export const CAPTURE_BOOTSTRAP_SQL = /* sql */ `
create schema if not exists realtime;

create table if not exists realtime.local_change_log (
  id bigint generated always as identity primary key,
  schema_name text not null,
  table_name text not null,
  type text not null,
  record jsonb,
  old_record jsonb,
  commit_timestamp timestamptz not null
);
revoke all on realtime.local_change_log from public;

create or replace function realtime.local_capture_change() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  insert into realtime.local_change_log (schema_name, table_name, type, record, old_record, commit_timestamp)
  values (
    tg_table_schema, tg_table_name, tg_op,
    case when tg_op <> 'DELETE' then to_jsonb(new) end,
    case when tg_op <> 'INSERT' then to_jsonb(old) end,
    now()
  );
  perform pg_notify('${CHANGES_CHANNEL}', '');
  return null;
end
$$;
revoke all on function realtime.local_capture_change() from public;

-- Installs the capture trigger on every published table that lacks it (for the operations
-- the publication publishes) and drops it from tables that left the publication.
create or replace function realtime.local_sync_capture() returns void
language plpgsql security definer set search_path = '' as $$
declare
  t record;
begin
  for t in
    select c.oid, n.nspname as schema_name, c.relname as table_name,
           bool_or(p.pubinsert) as ins, bool_or(p.pubupdate) as upd, bool_or(p.pubdelete) as del
    from pg_catalog.pg_publication p
    join pg_catalog.pg_class c on c.relkind in ('r', 'p')
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where p.pubname = 'supabase_realtime'
      and (
        (p.puballtables and n.nspname not in ('pg_catalog', 'information_schema', 'realtime', 'auth', 'supabase_migrations', 'extensions')
          and n.nspname not like 'pg\\_%')
        or exists (select 1 from pg_catalog.pg_publication_rel r where r.prpubid = p.oid and r.prrelid = c.oid)
      )
    group by c.oid, n.nspname, c.relname
  loop
    if (t.ins or t.upd or t.del)
       and not exists (select 1 from pg_catalog.pg_trigger g where g.tgrelid = t.oid and g.tgname = 'realtime_local_capture') then
      execute format(
        'create trigger realtime_local_capture after %s on %I.%I for each row execute function realtime.local_capture_change()',
        concat_ws(' or ', case when t.ins then 'insert' end, case when t.upd then 'update' end, case when t.del then 'delete' end),
        t.schema_name, t.table_name);
    end if;
  end loop;

  for t in
    select n.nspname as schema_name, c.relname as table_name
    from pg_catalog.pg_trigger g
    join pg_catalog.pg_class c on c.oid = g.tgrelid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where g.tgname = 'realtime_local_capture'
      and not exists (
        select 1 from pg_catalog.pg_publication p
        where p.pubname = 'supabase_realtime'
          and (p.puballtables or exists (select 1 from pg_catalog.pg_publication_rel r where r.prpubid = p.oid and r.prrelid = c.oid))
      )
  loop
    execute format('drop trigger if exists realtime_local_capture on %I.%I', t.schema_name, t.table_name);
  end loop;
end
$$;
revoke all on function realtime.local_sync_capture() from public;
`;

/** Brings the capture triggers in step with the publication (at start, and when a join names a table). */
export async function syncCapture(db: Database): Promise<void> {
  await db.asOwner((tx) => tx.query('select realtime.local_sync_capture()'));
}

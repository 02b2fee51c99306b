import type { Claims, Transaction } from '../../db.ts';
import { ident } from '../../rest/sql.ts';
import type { CatalogCache } from './catalog-cache.ts';
import { qualified, tableKey, type TableShape } from './tables.ts';
import type { Candidates, LogRow } from './types.ts';

/**
 * Who may see a captured change, as Postgres would answer each subscriber: for tables with
 * row-level security, which rows each distinct set of JWT claims may select. (Which roles may
 * read a table and which of its columns is cached in catalog-cache.ts.)
 */

export const claimsKey = (claims: Claims): string => JSON.stringify(claims);

/**
 * Which of the rows in `$1` (a JSON array) still exist in the table, by primary key, as
 * whoever runs it: the question row-level security is asked, as Realtime's walrus asks it.
 */
function existsQuery(shape: TableShape): string {
  const match = shape.primaryKey.length ? shape.primaryKey.map((c) => `t.${ident(c)} = r.${ident(c)}`).join(' and ') : 't::text = r::text';
  return `select (c.n - 1)::int as n from jsonb_array_elements($1) with ordinality as c(rec, n)
    cross join lateral jsonb_populate_record(null::${qualified(shape)}, c.rec) as r
    where exists (select 1 from ${qualified(shape)} as t where ${match})`;
}

/**
 * Which rows each set of JWT claims may select, for delivery. `query` (built by the server
 * from catalog names, never from client text) reads the rows to check from its `$1`, a JSON
 * array; `sets` holds those arrays, and claims `i` asks about `sets[set_of[i]]` (subscribers
 * with the same filters share one set). As Realtime's walrus does, the query is a prepared
 * statement run once per claims set after switching to that role with those claims (as
 * PostgREST does), so it is planned once, not once per subscriber. It stays prepared for the
 * next batch: Postgres applies row-level security when it plans, and plans again when the
 * role differs from the one it planned for or a policy, grant or the table changes; policies
 * read the claims as the statement runs. Each claims set runs in its own subtransaction, so a
 * policy that raises hides the rows from that subscriber only. Run by the owner. The result's
 * `n` counts from 0 within the set.
 */
export const VISIBILITY_SQL = /* sql */ `
drop function if exists realtime.local_visible_rows(text, jsonb[], jsonb);
create or replace function realtime.local_visible_rows(query text, claims jsonb[], sets jsonb[], set_of int[])
returns table (claim int, n int)
language plpgsql set search_path = '' set plan_cache_mode = force_generic_plan as $$
declare
  prepared text := 'realtime_local_visible_' || md5(query);
  -- Each set written out once, as the literal its EXECUTE takes.
  literals text[] := array(select quote_literal(s::text) from unnest(sets) as s);
  c jsonb;
  i int := 0;
  r record;
begin
  if not exists (select 1 from pg_catalog.pg_prepared_statements p where p.name = prepared) then
    execute format('prepare %I(jsonb) as %s', prepared, query);
  end if;
  foreach c in array coalesce(claims, '{}') loop
    begin
      perform set_config('role', c ->> 'role', true),
              set_config('request.jwt.claims', c::text, true),
              set_config('request.jwt.claim.sub', coalesce(c ->> 'sub', ''), true),
              set_config('request.jwt.claim.role', c ->> 'role', true);
      for r in execute format('execute %I(%s::jsonb)', prepared, literals[set_of[i + 1]]) loop
        claim := i;
        n := r.n;
        return next;
      end loop;
      perform set_config('role', 'none', true);
    exception when others then
      -- The subtransaction's rollback restores the owner's role and settings.
      null;
    end;
    i := i + 1;
  end loop;
end
$$;
revoke all on function realtime.local_visible_rows(text, jsonb[], jsonb[], int[]) from public;
`;

/**
 * For each distinct set of claims, the rows it may see. Tables with RLS are asked as each
 * subscriber's role and claims whether the row (by primary key) exists for them: one
 * statement per table per batch, which prepares the check once and runs it per claims set
 * inside Postgres (`realtime.local_visible_rows`), each claims set asking only about the rows
 * its bindings cover. A role whose policies show it every row (`Access.everyRow`, as
 * `using (true)` does for the chat) gets the same answer whatever its claims, so for it the
 * table is asked once, as the owner, which of the rows still exist. Deletes cannot be checked
 * against a row that is gone; like Supabase, they go to everyone who may read the table,
 * carrying only the primary key.
 */
export async function checkVisibility(
  tx: Transaction,
  rows: LogRow[],
  candidates: Candidates,
  catalog: CatalogCache,
): Promise<Map<string, Set<number>>> {
  const visible = new Map<string, Set<number>>();
  /** Per table, per claims: the rows (indexes, ascending) those claims need an answer for. */
  const toCheck = new Map<string, Map<string, { claims: Claims; rows: number[] }>>();
  /** The same for claims whose role sees every row that exists (`Access.everyRow`). */
  const toFind = new Map<string, Map<string, number[]>>();
  candidates.forEach((bySubscriber, i) => {
    const row = rows[i]!;
    const key = tableKey(row.schema_name, row.table_name);
    const shape = catalog.shapes.get(key);
    for (const s of bySubscriber.keys()) {
      const ck = claimsKey(s.claims);
      const seen = visible.get(ck) ?? new Set<number>();
      visible.set(ck, seen);
      const roleAccess = catalog.access.get(`${s.claims.role}:${key}`);
      if (!shape || !roleAccess?.table) continue;
      if (!shape.rowSecurity || row.type === 'DELETE' || s.claims.role === 'service_role') {
        seen.add(i);
        continue;
      }
      if (roleAccess.everyRow) {
        const byClaims = toFind.get(key) ?? new Map<string, number[]>();
        toFind.set(key, byClaims);
        const wanted = byClaims.get(ck) ?? [];
        byClaims.set(ck, wanted);
        if (wanted.at(-1) !== i) wanted.push(i);
        continue;
      }
      const byClaims = toCheck.get(key) ?? new Map<string, { claims: Claims; rows: number[] }>();
      toCheck.set(key, byClaims);
      const entry = byClaims.get(ck) ?? { claims: s.claims, rows: [] };
      byClaims.set(ck, entry);
      if (entry.rows.at(-1) !== i) entry.rows.push(i);
    }
  });
  for (const [key, byClaims] of toFind) {
    // Asked once, as the owner: for these roles, visible is the same as still there.
    const indexes = [...new Set([...byClaims.values()].flat())];
    const result = await tx.query<{ n: number }>(existsQuery(catalog.shapes.get(key)!), [JSON.stringify(indexes.map((i) => rows[i]!.record ?? {}))]);
    const there = new Set(result.rows.map((r) => indexes[r.n]!));
    for (const [ck, wanted] of byClaims) for (const i of wanted) if (there.has(i)) visible.get(ck)!.add(i);
  }
  for (const [key, byClaims] of toCheck) {
    const query = existsQuery(catalog.shapes.get(key)!);
    // Claims that ask about the same rows (subscribers with the same filters) share one set of them.
    const claims = [...byClaims.entries()];
    const sets = new Map<string, { index: number; rows: number[] }>();
    const setOf = claims.map(([, entry]) => {
      const setKey = entry.rows.join(',');
      const set = sets.get(setKey) ?? { index: sets.size + 1, rows: entry.rows };
      sets.set(setKey, set);
      return set.index;
    });
    const result = await tx.query<{ claim: number; n: number }>(
      'select claim, n from realtime.local_visible_rows($1, $2::jsonb[], $3::jsonb[], $4::int[])',
      [
        query,
        claims.map(([, entry]) => JSON.stringify(entry.claims)),
        [...sets.values()].map((set) => JSON.stringify(set.rows.map((i) => rows[i]!.record ?? {}))),
        setOf,
      ],
    );
    for (const r of result.rows) {
      const [ck, entry] = claims[r.claim]!;
      const index = entry.rows[r.n];
      if (index !== undefined) visible.get(ck)!.add(index);
    }
  }
  return visible;
}

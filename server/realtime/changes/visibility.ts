import type { Claims, Transaction } from '../../db.ts';
import { ident } from '../../rest/sql.ts';
import type { ChangeBinding } from './bindings.ts';
import type { ChangeSubscriber, LogRow } from './feed.ts';
import type { TableShape } from './tables.ts';

/**
 * Who may see a captured change, as Postgres would answer each subscriber: which roles may read
 * a table and which of its columns (cached by the feed with the table shapes), and, for tables
 * with row-level security, which rows each distinct set of JWT claims may select.
 */

export const tableKey = (schema: string, table: string): string => `${schema}.${table}`;
export const qualified = (shape: { schema: string; table: string }): string => `${ident(shape.schema)}.${ident(shape.table)}`;
export const claimsKey = (claims: Claims): string => JSON.stringify(claims);

/**
 * Whether role `r.role` sees every row of table `$1` (see `Access.everyRow`): as Postgres
 * applies policies (rowsecurity.c), one applies to a role if it names PUBLIC or a role whose
 * privileges the role has (`pg_has_role(…, 'USAGE')`); permissive ones are ORed, restrictive
 * ones ANDed on top.
 */
const EVERY_ROW_SQL = /* sql */ `(
  has_table_privilege(r.role, $1::regclass, 'SELECT')
  and exists (select 1 from pg_catalog.pg_policy p
    where p.polrelid = $1::regclass and p.polpermissive and p.polcmd in ('r', '*')
      and pg_catalog.pg_get_expr(p.polqual, p.polrelid) = 'true'
      and (0::oid = any(p.polroles) or exists (select 1 from unnest(p.polroles) as g(oid) where pg_has_role(r.role, g.oid, 'USAGE'))))
  and not exists (select 1 from pg_catalog.pg_policy p
    where p.polrelid = $1::regclass and not p.polpermissive and p.polcmd in ('r', '*')
      and (0::oid = any(p.polroles) or exists (select 1 from unnest(p.polroles) as g(oid) where pg_has_role(r.role, g.oid, 'USAGE')))))`;

/** What one role may read of one table. */
export interface Access {
  table: boolean;
  columns: Set<string>;
  /**
   * The role may select the table, and its row-level security lets it see every row whoever
   * the user is: a permissive SELECT (or ALL) policy that applies to the role reads `using
   * (true)`, and no restrictive one applies. Then which rows it sees does not depend on the
   * claims, so one check (does the row still exist) answers for every subscriber of the role.
   */
  everyRow: boolean;
}

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

/** Per role and table: may the role select from it at all, and which columns. Cached with the shapes. */
export async function readAccess(
  tx: Transaction,
  shapes: ReadonlyMap<string, TableShape>,
  access: Map<string, Access>,
  roles: Set<string>,
): Promise<void> {
  for (const [key, shape] of shapes) {
    const missing = [...roles].filter((role) => !access.has(`${role}:${key}`));
    if (missing.length === 0) continue;
    const result = await tx.query<{ role: string; table_ok: boolean; columns: string[] | null; every_row: boolean }>(
      `select r.role, has_table_privilege(r.role, $1::regclass, 'SELECT') as table_ok,
         (select array_agg(a.attname::text order by a.attnum) from pg_catalog.pg_attribute a
           where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped
             and has_column_privilege(r.role, a.attrelid, a.attnum, 'SELECT')) as columns,
         ${EVERY_ROW_SQL} as every_row
       from unnest($2::text[]) as r(role)`,
      [qualified(shape), missing],
    );
    for (const r of result.rows) {
      const columns = new Set(r.columns ?? []);
      // A role that may read some columns but not the table still receives those columns, as in Postgres.
      access.set(`${r.role}:${key}`, { table: r.table_ok || columns.size > 0, columns, everyRow: r.every_row });
    }
  }
}

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
  candidates: Map<ChangeSubscriber, ChangeBinding[]>[],
  shapes: ReadonlyMap<string, TableShape>,
  access: ReadonlyMap<string, Access>,
): Promise<Map<string, Set<number>>> {
  const visible = new Map<string, Set<number>>();
  /** Per table, per claims: the rows (indexes, ascending) those claims need an answer for. */
  const toCheck = new Map<string, Map<string, { claims: Claims; rows: number[] }>>();
  /** The same for claims whose role sees every row that exists (`Access.everyRow`). */
  const toFind = new Map<string, Map<string, number[]>>();
  candidates.forEach((bySubscriber, i) => {
    const row = rows[i]!;
    const key = tableKey(row.schema_name, row.table_name);
    const shape = shapes.get(key);
    for (const s of bySubscriber.keys()) {
      const ck = claimsKey(s.claims);
      const seen = visible.get(ck) ?? new Set<number>();
      visible.set(ck, seen);
      const roleAccess = access.get(`${s.claims.role}:${key}`);
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
    const result = await tx.query<{ n: number }>(existsQuery(shapes.get(key)!), [JSON.stringify(indexes.map((i) => rows[i]!.record ?? {}))]);
    const there = new Set(result.rows.map((r) => indexes[r.n]!));
    for (const [ck, wanted] of byClaims) for (const i of wanted) if (there.has(i)) visible.get(ck)!.add(i);
  }
  for (const [key, byClaims] of toCheck) {
    const query = existsQuery(shapes.get(key)!);
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

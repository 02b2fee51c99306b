import type { Transaction } from '../../db.ts';
import { qualified, readTableShape, tableKey, type TableShape } from './tables.ts';

/**
 * What delivery knows of the catalog, cached across batches: the shape of each published
 * table a change arrived for, and what each subscriber role may read of it. The cache holds
 * while the catalog fingerprint of its tables holds; the feed reads the fingerprint in the
 * same statement that takes a batch off the log (`fingerprintOf`) and hands it to `check`.
 */

/**
 * A fingerprint of everything the cached shapes and privileges depend on: the tables' names,
 * grants, RLS flag and replica identity, their columns' names, types and grants, their
 * primary keys and policies, role memberships, and the role attributes privileges and
 * policies depend on. Any GRANT, REVOKE, ALTER (of a table, a policy or a role), CREATE or
 * DROP POLICY, rename or drop changes it.
 * The tables are found by oid (`oids`, a parameter), which an index answers without reading all of pg_class.
 */
export const fingerprintOf = (oids: string): string => /* sql */ `
  (select md5(coalesce(string_agg(
    c.oid::text || '|' || c.relnamespace::text || '|' || c.relname::text || '|' || coalesce(c.relacl::text, '') || '|' ||
    c.relrowsecurity::text || '|' || c.relreplident::text || '|' ||
    coalesce((select string_agg(a.attname::text || ':' || a.atttypid::text || ':' || coalesce(a.attacl::text, ''), ',' order by a.attnum)
      from pg_catalog.pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped), '') || '|' ||
    coalesce((select i.indkey::text from pg_catalog.pg_index i where i.indrelid = c.oid and i.indisprimary), '') || '|' ||
    coalesce((select string_agg(p.oid::text || ':' || p.polcmd::text || ':' || p.polpermissive::text || ':' || p.polroles::text || ':' ||
        coalesce(p.polqual::text, ''), ',' order by p.oid)
      from pg_catalog.pg_policy p where p.polrelid = c.oid), ''),
    ';' order by c.oid), '') || '|' ||
    coalesce((select string_agg(m::text, ',' order by m::text) from pg_catalog.pg_auth_members m), '') || '|' ||
    coalesce((select string_agg(a.oid::text || ':' || a.rolsuper::text || ':' || a.rolinherit::text || ':' || a.rolbypassrls::text, ',' order by a.oid)
      from pg_catalog.pg_authid a), ''))
  from pg_catalog.pg_class c
  where c.relkind in ('r', 'p') and c.oid = any(${oids}::oid[]))`;
const CATALOG_FINGERPRINT_SQL = `select ${fingerprintOf('$1')} as fingerprint`;

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

/** Per role: may it select table `$1` at all, which columns, and does it see every row. */
const ACCESS_SQL = /* sql */ `
  select r.role, has_table_privilege(r.role, $1::regclass, 'SELECT') as table_ok,
    (select array_agg(a.attname::text order by a.attnum) from pg_catalog.pg_attribute a
      where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped
        and has_column_privilege(r.role, a.attrelid, a.attnum, 'SELECT')) as columns,
    ${EVERY_ROW_SQL} as every_row
  from unnest($2::text[]) as r(role)`;

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

export class CatalogCache {
  /** Table shapes by `tableKey`. */
  readonly shapes = new Map<string, TableShape>();
  /** Access by `role:tableKey`. */
  readonly access = new Map<string, Access>();
  private fingerprint = '';

  /** The oids of the cached tables, which the next fingerprint is taken over. */
  oids(): string[] {
    return [...this.shapes.values()].map((shape) => shape.oid);
  }

  /** Forgets the cached shapes and privileges when a grant or the tables' definition changed. */
  check(fingerprint: string): void {
    if (this.shapes.size === 0) return;
    if (fingerprint !== this.fingerprint) {
      this.shapes.clear();
      this.access.clear();
    }
  }

  shape(schema: string, table: string): TableShape | undefined {
    return this.shapes.get(tableKey(schema, table));
  }

  accessOf(role: string, schema: string, table: string): Access | undefined {
    return this.access.get(`${role}:${tableKey(schema, table)}`);
  }

  /** Reads the shape of each table not cached yet (a table that is gone stays unknown), then what `roles` may read of every cached one. */
  async load(tx: Transaction, tables: Iterable<{ schema: string; table: string }>, roles: ReadonlySet<string>): Promise<void> {
    for (const { schema, table } of tables) {
      const key = tableKey(schema, table);
      if (this.shapes.has(key)) continue;
      const shape = await readTableShape(tx, schema, table);
      if (!shape) continue;
      this.shapes.set(key, shape);
      const result = await tx.query<{ fingerprint: string }>(CATALOG_FINGERPRINT_SQL, [this.oids()]);
      this.fingerprint = result.rows[0]?.fingerprint ?? '';
    }
    for (const [key, shape] of this.shapes) {
      const missing = [...roles].filter((role) => !this.access.has(`${role}:${key}`));
      if (missing.length === 0) continue;
      const result = await tx.query<{ role: string; table_ok: boolean; columns: string[] | null; every_row: boolean }>(ACCESS_SQL, [
        qualified(shape),
        missing,
      ]);
      for (const r of result.rows) {
        const columns = new Set(r.columns ?? []);
        // A role that may read some columns but not the table still receives those columns, as in Postgres.
        this.access.set(`${r.role}:${key}`, { table: r.table_ok || columns.size > 0, columns, everyRow: r.every_row });
      }
    }
  }
}

import type { Transaction } from '../../db.ts';
import { ident } from '../../rest/sql.ts';

/** How the feed's caches and batches name a table. */
export const tableKey = (schema: string, table: string): string => `${schema}.${table}`;
/** A table's name as SQL, quoted. */
export const qualified = (shape: { schema: string; table: string }): string => `${ident(shape.schema)}.${ident(shape.table)}`;

/** What delivery needs to know about a published table. */
export interface TableShape {
  /** `pg_class.oid`, as text: what the catalog fingerprint finds the table by. */
  oid: string;
  schema: string;
  table: string;
  /** Columns in table order with their type names as realtime-js reads them (`int8`, `_text`, `timestamptz`). */
  columns: readonly { name: string; type: string }[];
  primaryKey: readonly string[];
  rowSecurity: boolean;
  /** `pg_class.relreplident`: d(efault: primary key), f(ull), i(ndex), n(othing). */
  replicaIdentity: 'd' | 'f' | 'i' | 'n';
  /** The columns an UPDATE or DELETE's old row carries. */
  identityColumns: readonly string[];
}

const SHAPE_SQL = /* sql */ `
  select c.oid::text as oid, c.relrowsecurity as rls, c.relreplident as ident,
    coalesce((select json_agg(json_build_object('name', a.attname, 'type', t.typname) order by a.attnum)
      from pg_catalog.pg_attribute a join pg_catalog.pg_type t on t.oid = a.atttypid
      where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped), '[]') as columns,
    coalesce((select json_agg(a.attname order by u.ord)
      from pg_catalog.pg_index i
      cross join lateral unnest(i.indkey) with ordinality as u(attnum, ord)
      join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum = u.attnum
      where i.indrelid = c.oid and i.indisprimary), '[]') as pk,
    coalesce((select json_agg(a.attname order by u.ord)
      from pg_catalog.pg_index i
      cross join lateral unnest(i.indkey) with ordinality as u(attnum, ord)
      join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum = u.attnum
      where i.indrelid = c.oid and i.indisreplident), '[]') as replident_index
  from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where n.nspname = $1 and c.relname = $2`;

interface ShapeRow {
  oid: string;
  rls: boolean;
  ident: TableShape['replicaIdentity'];
  columns: { name: string; type: string }[];
  pk: string[];
  replident_index: string[];
}

/** Reads a table's shape; undefined if it no longer exists. */
export async function readTableShape(tx: Transaction, schema: string, table: string): Promise<TableShape | undefined> {
  const row = (await tx.query<ShapeRow>(SHAPE_SQL, [schema, table])).rows[0];
  if (!row) return undefined;
  const identityColumns =
    row.ident === 'f' ? row.columns.map((c) => c.name) : row.ident === 'i' ? row.replident_index : row.ident === 'd' ? row.pk : [];
  return {
    oid: row.oid,
    schema,
    table,
    columns: row.columns,
    primaryKey: row.pk,
    rowSecurity: row.rls,
    replicaIdentity: row.ident,
    identityColumns,
  };
}

import type { Database, Transaction } from '../db.ts';

/**
 * PostgREST's schema cache, reduced to what this server needs: the tables and views of
 * `public`, their columns and primary keys. Every identifier a request names is checked
 * against it before it is quoted into SQL. It is read once and read again when a request
 * names something it does not know, so a table created after start is found on first use.
 */

export interface TableInfo {
  name: string;
  /** Column names in table order. */
  columns: readonly string[];
  primaryKey: readonly string[];
}

export interface Catalog {
  tables: ReadonlyMap<string, TableInfo>;
}

const TABLES_SQL = /* sql */ `
  select c.relname as table, a.attname as column
  from pg_catalog.pg_class c
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  left join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
  where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'f')
  order by c.relname, a.attnum`;

const PRIMARY_KEYS_SQL = /* sql */ `
  select c.relname as table, a.attname as column
  from pg_catalog.pg_constraint k
  join pg_catalog.pg_class c on c.oid = k.conrelid
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  cross join lateral unnest(k.conkey) with ordinality as u(attnum, ord)
  join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum = u.attnum
  where k.contype = 'p' and n.nspname = 'public'
  order by c.relname, u.ord`;

interface NameRow {
  table: string;
  column: string | null;
}

async function load(tx: Transaction): Promise<Catalog> {
  const [columns, keys] = [await tx.query<NameRow>(TABLES_SQL), await tx.query<NameRow>(PRIMARY_KEYS_SQL)];
  const building = new Map<string, { columns: string[]; primaryKey: string[] }>();
  for (const row of columns.rows) {
    const entry = building.get(row.table) ?? { columns: [], primaryKey: [] };
    if (row.column !== null) entry.columns.push(row.column);
    building.set(row.table, entry);
  }
  for (const row of keys.rows) {
    if (row.column !== null) building.get(row.table)?.primaryKey.push(row.column);
  }
  const tables = new Map<string, TableInfo>();
  for (const [name, entry] of building) tables.set(name, { name, ...entry });
  return { tables };
}

const cache = new WeakMap<Database, Catalog>();

/**
 * The catalog for `db`, read inside the request's transaction `tx`. `needs` says whether the
 * cached copy answers this request; if not, it is read again once.
 */
export async function catalogFor(db: Database, tx: Transaction, needs: (catalog: Catalog) => boolean): Promise<Catalog> {
  const cached = cache.get(db);
  if (cached && needs(cached)) return cached;
  const fresh = await load(tx);
  cache.set(db, fresh);
  return fresh;
}

/** The closest table name, for PGRST205's "Perhaps you meant" hint (PostgREST asks for 0.75 similarity). */
export function suggestTable(catalog: Catalog, name: string): string | undefined {
  let best: { name: string; score: number } | undefined;
  for (const candidate of catalog.tables.keys()) {
    const score = similarity(name.toLowerCase(), candidate.toLowerCase());
    if (score >= 0.75 && (!best || score > best.score)) best = { name: candidate, score };
  }
  return best?.name;
}

/** 1 − normalised Levenshtein distance. */
function similarity(a: string, b: string): number {
  if (a === b) return 1;
  const longest = Math.max(a.length, b.length);
  if (longest === 0 || longest > 200) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return 1 - (previous[b.length] ?? longest) / longest;
}

import type { RestQuery } from './ast.ts';
import type { TableInfo } from './catalog.ts';
import { arrayLiteral, bodySql, Binder, ident, orderSql, selectSql, tableRef, whereSql } from './sql.ts';

/**
 * Whole statements, shaped like PostgREST's (src/PostgREST/Query/Statements.hs): the work
 * goes in a `pgrst_source` CTE and one row comes back with the page size, the optional
 * total, and the body already serialised to JSON text by Postgres.
 */

export interface Statement {
  sql: string;
  params: (string | null)[];
}

/** The one row every statement answers. Counts come back as text to keep int8 exact. */
export interface ResultRow {
  total: string | null;
  page_total: string;
  body: string;
  location: string[] | null;
}

export type BodyShape = 'array' | 'object' | 'none';

export interface ReadOptions {
  count: boolean;
  shape: BodyShape;
  stripNulls: boolean;
  limit?: number;
  offset: number;
}

export function readStatement(table: TableInfo, query: RestQuery, options: ReadOptions): Statement {
  const b = new Binder();
  const from = tableRef(table.name);
  const where = whereSql(query.filters, query.logic, from, b);
  const limit = options.limit === undefined ? '' : ` LIMIT ${options.limit}`;
  const offset = options.offset > 0 ? ` OFFSET ${options.offset}` : '';
  const source = `SELECT ${selectSql(query.select, from, b)} FROM ${from}${where}${orderSql(query.order, from, b)}${limit}${offset}`;
  const total = options.count ? `(SELECT pg_catalog.count(*) FROM ${from}${where})::text` : 'NULL::text';
  const sql =
    `WITH pgrst_source AS (${source}) ` +
    `SELECT ${total} AS total, pg_catalog.count(_postgrest_t)::text AS page_total, ` +
    `${bodySql(options.shape, options.stripNulls)} AS body, NULL::text[] AS location ` +
    `FROM (SELECT * FROM pgrst_source) _postgrest_t`;
  return { sql, params: b.values };
}

/** What the mutation hands back: whole rows for a representation, primary keys for a Location, or just a count. */
export type Returning = 'rows' | 'keys' | 'count';

interface MutationOptions {
  returning: Returning;
  shape: BodyShape;
  stripNulls: boolean;
}

function returningSql(table: TableInfo, returning: Returning): string {
  const from = tableRef(table.name);
  if (returning === 'rows') return ` RETURNING ${from}.*`;
  // `RETURNING 1` references no column, so Postgres asks for no SELECT policy: inserts with
  // return=minimal work with an INSERT policy alone, as they do behind PostgREST.
  if (returning === 'count' || table.primaryKey.length === 0) return ' RETURNING 1';
  return ` RETURNING ${table.primaryKey.map((c) => `${from}.${ident(c)}`).join(', ')}`;
}

function wrapMutation(ctes: string, table: TableInfo, query: RestQuery, options: MutationOptions, b: Binder): Statement {
  const represent = options.returning === 'rows';
  const inner = represent
    ? `SELECT ${selectSql(query.select, 'pgrst_source', b)} FROM pgrst_source${orderSql(query.order, 'pgrst_source', b)}`
    : 'SELECT * FROM pgrst_source';
  const location =
    options.returning === 'keys' && table.primaryKey.length > 0
      ? `(SELECT array_agg(j.key || '=' || coalesce('eq.' || j.value, 'is.null')) ` +
        `FROM (SELECT row_to_json(_) AS r FROM pgrst_source _ LIMIT 1) d CROSS JOIN json_each_text(d.r) j ` +
        `WHERE j.key = ANY(${b.bind(arrayLiteral(table.primaryKey))}::text[]))`
      : 'NULL::text[]';
  const sql =
    `WITH ${ctes} ` +
    `SELECT NULL::text AS total, pg_catalog.count(_postgrest_t)::text AS page_total, ` +
    `${bodySql(represent ? options.shape : 'none', options.stripNulls)} AS body, ${location} AS location ` +
    `FROM (${inner}) _postgrest_t`;
  return { sql, params: b.values };
}

export interface InsertGroup {
  /** Columns this group's rows set; the others take their defaults. */
  columns: readonly string[];
  /** 1-based positions of this group's rows in the body array; undefined for all of them. */
  rows?: readonly number[];
}

export interface InsertOptions extends MutationOptions {
  /** The request body as sent: one JSON parameter, so numbers keep their precision. */
  body: string;
  groups: readonly InsertGroup[];
  conflict?: { action: 'merge' | 'ignore'; target: readonly string[] };
}

export function insertStatement(table: TableInfo, query: RestQuery, options: InsertOptions): Statement {
  const b = new Binder();
  const from = tableRef(table.name);
  // Bound only when used: Postgres refuses a parameter the statement never mentions.
  const json = options.groups.length ? b.bind(options.body) : '';
  const elements = `json_array_elements(CASE WHEN json_typeof(${json}::json) = 'array' THEN ${json}::json ELSE json_build_array(${json}::json) END)`;
  const ctes = options.groups.map((group, index) => {
    const cols = group.columns.map(ident);
    const target = cols.length ? ` (${cols.join(', ')})` : '';
    const values = group.columns.map((c) => `pgrst_body.${ident(c)}`).join(', ');
    const which = group.rows === undefined ? '' : ` WHERE e.n = ANY(${b.bind(`{${group.rows.join(',')}}`)}::int8[])`;
    let conflict = '';
    if (options.conflict && options.conflict.target.length > 0) {
      const merge = options.conflict.action === 'merge' && cols.length > 0;
      conflict =
        ` ON CONFLICT (${options.conflict.target.map(ident).join(', ')}) ` +
        (merge ? `DO UPDATE SET ${cols.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}` : 'DO NOTHING');
    } else if (options.conflict?.action === 'ignore') {
      conflict = ' ON CONFLICT DO NOTHING';
    }
    const insert =
      `INSERT INTO ${from}${target} SELECT ${values} ` +
      `FROM ${elements} WITH ORDINALITY AS e(elem, n) ` +
      `CROSS JOIN LATERAL json_populate_record(NULL::${from}, e.elem) AS pgrst_body${which} ORDER BY e.n` +
      `${conflict}${returningSql(table, options.returning)}`;
    return `pgrst_insert_${index} AS (${insert})`;
  });
  const union = options.groups.map((_, index) => `SELECT * FROM pgrst_insert_${index}`).join(' UNION ALL ');
  const source = options.groups.length ? union : `SELECT ${from}.* FROM ${from} WHERE false`;
  const all = [...ctes, `pgrst_source AS (${source})`].join(', ');
  return wrapMutation(all, table, query, options, b);
}

export interface UpdateOptions extends MutationOptions {
  body: string;
  columns: readonly string[];
}

export function updateStatement(table: TableInfo, query: RestQuery, options: UpdateOptions): Statement {
  const b = new Binder();
  const from = tableRef(table.name);
  let source: string;
  if (options.columns.length === 0) {
    // Nothing to set: PostgREST answers with no rows rather than an invalid `SET` with no columns.
    source = `SELECT ${from}.* FROM ${from} WHERE false`;
  } else {
    const json = b.bind(options.body);
    const set = options.columns.map((c) => `${ident(c)} = pgrst_body.${ident(c)}`).join(', ');
    source =
      `UPDATE ${from} SET ${set} FROM (SELECT * FROM json_populate_record(NULL::${from}, ${json}::json)) AS pgrst_body` +
      `${whereSql(query.filters, query.logic, from, b)}${returningSql(table, options.returning)}`;
  }
  return wrapMutation(`pgrst_source AS (${source})`, table, query, options, b);
}

export function deleteStatement(table: TableInfo, query: RestQuery, options: MutationOptions): Statement {
  const b = new Binder();
  const from = tableRef(table.name);
  const source = `DELETE FROM ${from}${whereSql(query.filters, query.logic, from, b)}${returningSql(table, options.returning)}`;
  return wrapMutation(`pgrst_source AS (${source})`, table, query, options, b);
}

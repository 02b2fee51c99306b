import type { Field, Filter, LogicTree, OrderTerm, SelectItem, ValueOperator } from './ast.ts';

/**
 * SQL fragments for validated names and untrusted values. Identifiers are always quoted;
 * values are always bound parameters (sent untyped, so Postgres infers their type from
 * the column as it does for PostgREST's "unknown" literals). Nothing a client sends is
 * ever spliced into the SQL text except names already checked against the catalog.
 */

/** Collects bound parameters and hands out their `$n` placeholders. */
export class Binder {
  readonly values: (string | null)[] = [];
  bind(value: string | null): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function tableRef(table: string): string {
  return `"public".${ident(table)}`;
}

/** A Postgres array literal (`{"a","b,c"}`) for `= ANY($n)`, as PostgREST builds it. */
export function arrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`;
}

export function fieldSql(field: Field, qualifier: string, b: Binder): string {
  let sql = `${qualifier}.${ident(field.name)}`;
  for (const step of field.json) {
    sql += step.operand.kind === 'key' ? `${step.arrow}${b.bind(step.operand.key)}` : `${step.arrow}${b.bind(step.operand.index)}::int`;
  }
  return sql;
}

const OPERATOR_SQL: Record<ValueOperator, string> = {
  eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=', like: 'LIKE', ilike: 'ILIKE', match: '~', imatch: '~*',
  cs: '@>', cd: '<@', ov: '&&', sl: '<<', sr: '>>', nxr: '&<', nxl: '&>', adj: '-|-', isdistinct: 'IS DISTINCT FROM',
};

const IS_SQL = { null: 'IS NULL', not_null: 'IS NOT NULL', true: 'IS TRUE', false: 'IS FALSE', unknown: 'IS UNKNOWN' } as const;

const FTS_SQL = { fts: 'to_tsquery', plfts: 'plainto_tsquery', phfts: 'phraseto_tsquery', wfts: 'websearch_to_tsquery' } as const;

export function filterSql(filter: Filter, qualifier: string, b: Binder): string {
  const lhs = fieldSql(filter.field, qualifier, b);
  const op = filter.operation;
  let sql: string;
  switch (op.kind) {
    case 'value': {
      // PostgREST lets `*` stand for `%` so patterns survive URL encoding untouched.
      const value = op.op === 'like' || op.op === 'ilike' ? op.value.replaceAll('*', '%') : op.value;
      const rhs = op.quantifier ? `${op.quantifier.toUpperCase()}(${b.bind(value)})` : b.bind(value);
      sql = `${lhs} ${OPERATOR_SQL[op.op]} ${rhs}`;
      break;
    }
    case 'in':
      sql = op.values.length === 1 && op.values[0] === '' ? `${lhs} = ANY('{}')` : `${lhs} = ANY(${b.bind(arrayLiteral(op.values))})`;
      break;
    case 'is':
      sql = `${lhs} ${IS_SQL[op.value]}`;
      break;
    case 'fts':
      sql = `${lhs} @@ ${FTS_SQL[op.op]}(${op.language === undefined ? '' : `${b.bind(op.language)}, `}${b.bind(op.value)})`;
      break;
  }
  return filter.negated ? `NOT (${sql})` : sql;
}

export function logicSql(tree: LogicTree, qualifier: string, b: Binder): string {
  if (tree.kind === 'filter') return filterSql(tree.filter, qualifier, b);
  const joined = tree.children.map((child) => logicSql(child, qualifier, b)).join(tree.op === 'and' ? ' AND ' : ' OR ');
  return `${tree.negated ? 'NOT ' : ''}(${joined})`;
}

/** The WHERE clause for filters and logic trees (all ANDed), or '' when there are none. */
export function whereSql(filters: readonly Filter[], logic: readonly LogicTree[], qualifier: string, b: Binder): string {
  const parts = [...filters.map((f) => filterSql(f, qualifier, b)), ...logic.map((t) => logicSql(t, qualifier, b))];
  return parts.length ? ` WHERE ${parts.join(' AND ')}` : '';
}

/**
 * SQL spellings of common type names. Casts are quoted like every other identifier, and a
 * quoted `"int"` names no type, so the usual aliases are mapped to their catalog names first.
 */
const TYPE_ALIASES: Record<string, string> = {
  int: 'int4', integer: 'int4', smallint: 'int2', bigint: 'int8', real: 'float4', 'double precision': 'float8',
  float: 'float8', boolean: 'bool', decimal: 'numeric', varchar: 'varchar', 'character varying': 'varchar',
  'timestamp with time zone': 'timestamptz', 'timestamp without time zone': 'timestamp',
  'time with time zone': 'timetz', 'time without time zone': 'time',
};

function castSql(cast: string): string {
  const normalised = cast.trim().toLowerCase().replace(/\s+/g, ' ');
  return ident(TYPE_ALIASES[normalised] ?? normalised);
}

/** The name PostgREST gives a JSON path column without an alias: its last key. */
function defaultAlias(field: Field): string | undefined {
  const last = field.json.at(-1);
  if (!last) return undefined;
  return last.operand.kind === 'key' ? last.operand.key : field.name;
}

export function selectSql(items: readonly SelectItem[], qualifier: string, b: Binder): string {
  return items
    .flatMap((item) => {
      if (item.kind === 'star') return [`${qualifier}.*`];
      if (item.kind === 'embed') return [];
      const value = fieldSql(item.field, qualifier, b);
      const expr = item.cast === undefined ? value : `CAST(${value} AS ${castSql(item.cast)})`;
      const alias = item.alias ?? defaultAlias(item.field);
      return [alias === undefined ? expr : `${expr} AS ${ident(alias)}`];
    })
    .join(', ');
}

export function orderSql(terms: readonly OrderTerm[], qualifier: string, b: Binder): string {
  if (terms.length === 0) return '';
  const parts = terms.map((t) => {
    const direction = t.direction === undefined ? '' : t.direction === 'asc' ? ' ASC' : ' DESC';
    const nulls = t.nulls === undefined ? '' : t.nulls === 'first' ? ' NULLS FIRST' : ' NULLS LAST';
    return `${fieldSql(t.field, qualifier, b)}${direction}${nulls}`;
  });
  return ` ORDER BY ${parts.join(', ')}`;
}

/** How the rows of `_postgrest_t` become the response body, as PostgREST aggregates them. */
export function bodySql(shape: 'array' | 'object' | 'none', stripNulls: boolean): string {
  const strip = (sql: string) => (stripNulls ? `json_strip_nulls(${sql})` : sql);
  if (shape === 'none') return `''`;
  if (shape === 'object') return `coalesce((${strip('json_agg(_postgrest_t)->0')})::text, 'null')`;
  return `coalesce(${strip('json_agg(_postgrest_t)')}, '[]')::text`;
}

/**
 * The typed form of a PostgREST request's query string, as `parse.ts` produces it.
 * Names are raw (unvalidated, unquoted) until `plan.ts` checks them against the catalog.
 */

/** One step of a JSON path: `->key`, `->>key`, `->0`. */
export interface JsonStep {
  arrow: '->' | '->>';
  /** A key, or a (possibly negative) array index written as digits. */
  operand: { kind: 'key'; key: string } | { kind: 'index'; index: string };
}

/** A column reference with an optional JSON path, e.g. `data->>name`. */
export interface Field {
  name: string;
  json: JsonStep[];
}

/** Operators that take one value (PostgREST's "simple" and "quantifiable" operators). */
export const VALUE_OPERATORS = [
  'eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch',
  'cs', 'cd', 'ov', 'sl', 'sr', 'nxr', 'nxl', 'adj', 'isdistinct',
] as const;
export type ValueOperator = (typeof VALUE_OPERATORS)[number];

/** Operators that accept an `(any)` / `(all)` modifier with a `{a,b}` list. */
export const QUANTIFIABLE_OPERATORS: readonly ValueOperator[] = ['eq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch'];

export const FTS_OPERATORS = ['fts', 'plfts', 'phfts', 'wfts'] as const;
export type FtsOperator = (typeof FTS_OPERATORS)[number];

export type IsValue = 'null' | 'not_null' | 'true' | 'false' | 'unknown';

export type Operation =
  | { kind: 'value'; op: ValueOperator; quantifier?: 'any' | 'all'; value: string }
  | { kind: 'in'; values: string[] }
  | { kind: 'is'; value: IsValue }
  | { kind: 'fts'; op: FtsOperator; language?: string; value: string };

export interface Filter {
  field: Field;
  negated: boolean;
  operation: Operation;
}

export type LogicTree =
  | { kind: 'filter'; filter: Filter }
  | { kind: 'logic'; op: 'and' | 'or'; negated: boolean; children: LogicTree[] };

export type SelectItem =
  | { kind: 'star' }
  | { kind: 'field'; field: Field; alias?: string; cast?: string }
  /** `rel(...)` or `...rel(...)`: embedding, which this server answers with PGRST200. */
  | { kind: 'embed'; relation: string };

export interface OrderTerm {
  field: Field;
  direction?: 'asc' | 'desc';
  nulls?: 'first' | 'last';
}

/** Everything the query string says about one request to `/rest/v1/<table>`. */
export interface RestQuery {
  select: SelectItem[];
  /** Column filters (`col=op.value`), ANDed together. */
  filters: Filter[];
  /** `and=(...)` / `or=(...)` trees, ANDed with the filters. */
  logic: LogicTree[];
  order: OrderTerm[];
  limit?: number;
  offset?: number;
  /** `columns=` for inserts and updates. */
  columns?: string[];
  /** `on_conflict=` for upserts. */
  onConflict?: string[];
  /** Names used as embedded resources (`rel.col=...`, `rel.order=...`): this server has none. */
  embedPaths: string[];
}

import type { RowSubscription, RowFilter, Keyset, Row, RowQuery, RowsResult } from '../types.js';

/**
 * Row queries in memory, with the semantics PostgREST and Realtime give them, for MemoryRoom:
 * filters, keyset pages, order, limit and count; and Realtime's `column=op.value` binding
 * filters. Pure functions over plain rows.
 */

type Scalar = string | number | boolean | null;

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1; // nulls last, as Postgres sorts ascending
  if (b === null || b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : 1;
}

type Operand = Scalar | readonly (string | number)[];

/** SQL's LIKE (PostgREST also takes `*` for `%`) as a RegExp; `i` for ILIKE. */
function likePattern(pattern: string, flags: string): RegExp {
  let source = '';
  for (const ch of pattern) source += ch === '%' || ch === '*' ? '.*' : ch === '_' ? '.' : ch.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${source}$`, `s${flags}`);
}

/** A column test, as Postgres answers it: true, false, or null (a null column), which no filter passes. */
function test(value: unknown, op: RowFilter['op'], operand: Operand): boolean | null {
  if (op === 'is') return (value ?? null) === operand;
  if (op === 'isdistinct') return (value ?? null) === null ? operand !== null : operand === null || compare(value, operand) !== 0;
  if (value === null || value === undefined) return null;
  switch (op) {
    case 'eq':
      return compare(value, operand) === 0;
    case 'neq':
      return compare(value, operand) !== 0;
    case 'lt':
      return compare(value, operand) < 0;
    case 'lte':
      return compare(value, operand) <= 0;
    case 'gt':
      return compare(value, operand) > 0;
    case 'gte':
      return compare(value, operand) >= 0;
    case 'in':
      return Array.isArray(operand) && operand.some((o) => compare(value, typeof value === 'number' ? Number(o) : o) === 0);
    case 'like':
    case 'ilike':
      return likePattern(String(operand), op === 'ilike' ? 'i' : '').test(String(value));
    case 'match':
    case 'imatch':
      return new RegExp(String(operand), op === 'imatch' ? 'i' : '').test(String(value));
  }
}

/** Whether `row` passes every filter; `not` negates a test, and a null result passes neither way. */
export function matches(row: Row, filters: readonly RowFilter[] = []): boolean {
  return filters.every(({ column, op, value, not }) => {
    const result = test(row[column], op, value as Operand);
    return result === null ? false : not ? !result : result;
  });
}

/** Strictly after (`dir` 1) or before (-1) the keyset row in its columns' order. */
function beyond(row: Row, keyset: Keyset, dir: 1 | -1): boolean {
  for (const [i, column] of keyset.columns.entries()) {
    const c = compare(row[column], keyset.values[i]);
    if (c !== 0) return Math.sign(c) === dir;
  }
  return false;
}

export function runQuery(rows: readonly Row[], query: RowQuery): RowsResult {
  let out = rows.filter((row) => matches(row, query.where));
  if (query.after) out = out.filter((row) => beyond(row, query.after!, 1));
  if (query.before) out = out.filter((row) => beyond(row, query.before!, -1));
  const count = out.length;
  const order = query.order ?? [];
  out = [...out].sort((a, b) => {
    for (const { column, ascending } of order) {
      const c = compare(a[column], b[column]);
      if (c !== 0) return ascending ? c : -c;
    }
    return 0;
  });
  if (query.limit !== undefined) out = out.slice(0, query.limit);
  const result: RowsResult = { rows: query.head ? [] : out.map((row) => ({ ...row })) };
  if (query.count || query.head) result.count = count;
  return result;
}

/** Whether a change to `row` reaches a postgres_changes binding with Realtime's filter grammar. */
export function bindingMatches(binding: RowSubscription, table: string, eventType: string, row: Row): boolean {
  if (binding.table !== table || (binding.event !== '*' && binding.event !== eventType)) return false;
  if (!binding.filter) return true;
  const found = /^([^=]+)=(eq|neq|lt|lte|gt|gte|in)\.(.*)$/.exec(binding.filter);
  if (!found) return false;
  const [, column, op, raw] = found as unknown as [string, string, RowFilter['op'], string];
  const operand = op === 'in' ? raw.replace(/^\(|\)$/g, '').split(',') : raw;
  const value = row[column];
  // Realtime compares as text against the column's own type; numbers here are compared as numbers.
  const typed = typeof value === 'number' ? (Array.isArray(operand) ? operand.map(Number) : Number(operand)) : operand;
  return test(value, op, typed) === true;
}

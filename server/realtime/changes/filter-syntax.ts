import type { Filter } from '../../rest/ast.ts';
import { GrammarError } from '../../rest/cursor.ts';
import { parseFilterValue } from '../../rest/filter-grammar.ts';

/**
 * A postgres_changes `filter` string, as realtime-js builds it (`RealtimePostgresFilterBuilder`):
 * `column=op.value`, several joined by commas and ANDed, values in PostgREST's syntax
 * (`in.(a,"b,c")`, `not.eq.x`, `is.null`). Parsed with the REST server's grammar so both
 * read values the same way.
 */

/** The operators Realtime accepts (realtime-js `RealtimePostgresChangesFilterOperator`). */
const REALTIME_OPERATORS = new Set(['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in', 'like', 'ilike', 'is', 'match', 'imatch', 'isdistinct']);

export class FilterSyntaxError extends Error {
  override name = 'FilterSyntaxError';
}

const COLUMN = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/** Splits at commas outside quotes and parentheses that start another `column=` term. */
function terms(input: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (quoted) {
      if (ch === '\\') i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (ch === ',' && depth === 0 && /^[A-Za-z_][A-Za-z0-9_$]*=/.test(input.slice(i + 1))) {
      out.push(input.slice(start, i));
      start = i + 1;
    }
  }
  out.push(input.slice(start));
  return out;
}

export function parseChangeFilter(input: string): Filter[] {
  if (input.trim() === '') throw new FilterSyntaxError('filter is empty');
  return terms(input).map((term) => {
    const eq = term.indexOf('=');
    const column = eq < 0 ? '' : term.slice(0, eq);
    if (!COLUMN.test(column)) throw new FilterSyntaxError(`expected column=operator.value, got '${term}'`);
    let parsed: ReturnType<typeof parseFilterValue>;
    try {
      parsed = parseFilterValue(term.slice(eq + 1));
    } catch (error) {
      if (error instanceof GrammarError) throw new FilterSyntaxError(`cannot read filter '${term}': ${error.message}`);
      throw error;
    }
    const op = parsed.operation;
    const name = op.kind === 'value' || op.kind === 'fts' ? op.op : op.kind;
    if (!REALTIME_OPERATORS.has(name) || (op.kind === 'value' && op.quantifier)) {
      throw new FilterSyntaxError(`operator '${name}' is not supported in realtime filters`);
    }
    return { field: { name: column, json: [] }, negated: parsed.negated, operation: op };
  });
}
